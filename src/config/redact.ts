/**
 * Secret redaction: every place that shows text a secret may have reached
 * (plan diffs and reasons, `berth render`, logs, events, inspect) passes it
 * through `redact` first.
 */

/** What a redacted secret looks like. */
export const REDACTED = '•••';

/**
 * Values shorter than this are not redacted: replacing every `a` or `42` in
 * a text would garble it while protecting nothing (a 3-character secret is
 * guessable anyway). `resolveSecrets` warns about such short values.
 */
export const MIN_REDACT_LENGTH = 4;

/**
 * Replaces every occurrence of each secret value in `text` with `•••`.
 * Longer values go first, so a secret that contains another is hidden whole.
 */
export function redact(text: string, secretValues: Iterable<string>): string {
  const values = [...new Set(secretValues)].filter((v) => v.length >= MIN_REDACT_LENGTH).sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of values) out = out.split(v).join(REDACTED);
  return out;
}

/** Redacts every string inside a JSON-like value (for `--json` output and events). */
export function redactDeep<T>(value: T, secretValues: Iterable<string>): T {
  const values = [...secretValues];
  if (values.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, values);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
