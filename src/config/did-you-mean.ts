/**
 * "Did you mean" suggestions for misspelt keys, values and unit names,
 * by edit distance (fastest-levenshtein).
 */
import { distance } from 'fastest-levenshtein';

/**
 * The closest candidate to `word`, or undefined when none is close enough
 * to be a likely typo (at most 2 edits, and under half the word's length).
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.min(2, Math.max(1, Math.floor(word.length / 2)));
  for (const c of candidates) {
    if (c === word) continue;
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ` — did you mean \`x\`?` or an empty string, to append to a message. */
export function suggestionSuffix(word: string, candidates: Iterable<string>): string {
  const s = didYouMean(word, candidates);
  return s === undefined ? '' : ` — did you mean \`${s}\`?`;
}
