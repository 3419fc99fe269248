// "Which attribution to trust": a method's row, and whether it passes the sanity check (the
// random order is the reference, not judged). Which method is best: ./ranking.ts.

/** The random baseline's method name: a seeded random order through the same curves. */
export const RANDOM_METHOD = 'random';

/** `reference`: the random order, which every method is compared with and which is not itself judged. */
export type SanityVerdict = 'passes' | 'fails' | 'not run' | 'reference';

/** One method's row of trust.csv. */
export interface TrustRow {
  method: string;
  /** Mean and sd over every probed model and image. */
  deletionAuc: number;
  deletionSd: number;
  insertionAuc: number;
  insertionSd: number;
  /** Mean Spearman ρ with the trained model's maps once every layer is randomised (null: not run). */
  sanitySpearman: number | null;
  sanity: SanityVerdict;
  msPerImage: number;
}

export function sanityRule(threshold: number): string {
  return `a method fails when the mean Spearman rank correlation of its |map| with the trained model's, after every layer with weights is randomised (top first), is still ${threshold} or more`;
}

export function sanityVerdict(spearmanAfterAll: number | null, threshold: number): SanityVerdict {
  if (spearmanAfterAll === null) return 'not run';
  return spearmanAfterAll >= threshold ? 'fails' : 'passes';
}

/** deletion AUC − insertion AUC: lower is more faithful (falls fast when deleting, rises fast when inserting). */
export const score = (row: TrustRow) => row.deletionAuc - row.insertionAuc;
