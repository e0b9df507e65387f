/**
 * ConfigErrors that point into a Dockerfile (file:line:col, what is wrong,
 * what to do), so every build error a user sees reads the same way.
 */
import { distance } from 'fastest-levenshtein';
import { ConfigError } from '../../errors.js';
import type { DockerfilePos } from './build-plan.js';

/** A ConfigError at `pos` in `file`; `path` names the instruction (e.g. `COPY`). */
export function dockerfileError(
  file: string,
  pos: DockerfilePos,
  code: string,
  message: string,
  hint?: string,
  path = '',
): ConfigError {
  return new ConfigError(code, message, { file, line: pos.line, column: pos.column, path }, hint === undefined ? {} : { hint });
}

/** The closest of `candidates` to `word` when it is a likely typo (≤ 2 edits). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.min(2, Math.max(1, Math.floor(word.length / 2))) ? best : undefined;
}
