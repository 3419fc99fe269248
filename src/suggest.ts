// "Did you mean …?" for a mistyped command, flag, config field or kind: the nearest known word by
// edit distance, offered only when it is close enough to be a typo (at most a third of its length).
import { distance } from 'fastest-levenshtein';

/** The known word nearest to `word`, when it is near enough to be what was meant. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // A swap of two letters costs 2, so words longer than 3 letters allow 2 edits, longer ones a third.
  const length = Math.max(word.length, best?.length ?? 0);
  const limit = length <= 3 ? 1 : Math.max(2, Math.floor(length / 3));
  return bestDistance <= limit && bestDistance < word.length ? best : undefined;
}

/** ` (did you mean "x"?)` or nothing; `quote` wraps the suggestion as the user would type it. */
export function didYouMean(word: string, known: readonly string[], quote = (s: string) => `"${s}"`): string {
  const match = nearest(word, known);
  return match === undefined ? '' : ` (did you mean ${quote(match)}?)`;
}
