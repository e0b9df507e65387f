/**
 * Durations as unit files write them (`100ms`, `5s`, `1m30s`, `2h`, `1d`),
 * turned into milliseconds for the rest of berth.
 */
import { BerthError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^([0-9]+(\.[0-9]+)?(ms|s|m|h|d))+$/;
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/g;

/**
 * Parses a duration into whole milliseconds (rounded). Throws a BerthError
 * `E_DURATION` for text that is not a duration; unit files are checked
 * against DURATION_PATTERN before this runs, so there it never throws.
 */
export function parseDuration(s: string): number {
  const text = s.trim();
  if (!WHOLE.test(text)) {
    throw new BerthError('E_DURATION', `\`${s}\` is not a duration`, { hint: 'use e.g. 100ms, 5s, 1m, 1m30s, 2h, 1d' });
  }
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

/** True when `s` is a duration parseDuration accepts. */
export function isDuration(s: string): boolean {
  return WHOLE.test(s.trim());
}
