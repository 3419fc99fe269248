// The two rules of "Which attribution to trust", as pure functions of the measured numbers:
// whether a method passes the sanity check, and which method is best.

/** The random baseline's method name: a seeded random order through the same curves. */
export const RANDOM_METHOD = 'random';

export type SanityVerdict = 'passes' | 'fails' | 'not run';

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

export const BEST_RULE =
  'among the methods that pass the sanity check and score below the random order, the lowest mean deletion AUC minus mean insertion AUC';

/** deletion AUC − insertion AUC: lower is more faithful (falls fast when deleting, rises fast when inserting). */
export const score = (row: TrustRow) => row.deletionAuc - row.insertionAuc;

/** The best method by BEST_RULE, or undefined when none qualifies (or the sanity check was not run). */
export function bestMethod(rows: readonly TrustRow[]): TrustRow | undefined {
  const random = rows.find((r) => r.method === RANDOM_METHOD);
  const qualifying = rows.filter(
    (r) => r.method !== RANDOM_METHOD && r.sanity === 'passes' && (!random || score(r) < score(random)),
  );
  return qualifying.reduce<TrustRow | undefined>(
    (best, r) => (best === undefined || score(r) < score(best) ? r : best),
    undefined,
  );
}

const three = (v: number) => v.toFixed(3);

/** The sentence under the table: the rule, then the method it names (or why none). */
export function bestSentence(rows: readonly TrustRow[]): string {
  const best = bestMethod(rows);
  const rule = `By the rule "${BEST_RULE}"`;
  if (best)
    return `${rule}, the best method is ${best.method} (deletion AUC ${three(best.deletionAuc)} − insertion AUC ${three(best.insertionAuc)} = ${three(score(best))}).`;
  const failed = rows.filter((r) => r.method !== RANDOM_METHOD && r.sanity === 'fails').map((r) => r.method);
  const why = rows.every((r) => r.sanity === 'not run')
    ? 'the sanity check was not run'
    : `no method qualifies${failed.length ? ` (failing the sanity check: ${failed.join(', ')})` : ''}`;
  return `${rule}, no method is named: ${why}.`;
}
