// Which attribution is best, compared pairwise on the same images: for two methods, each image's
// paired difference of scores (deletion AUC − insertion AUC, lower is more faithful) on each
// model, with a seeded bootstrap interval over models and images (src/claims/intervals.ts). A
// method is named best only when it beats every other passing method and the random order by
// an interval wholly below 0; otherwise the methods no other beats are "no clear winner".
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { bootstrapMeanInterval } from '../../claims/intervals';
import { writeRecordsCsv } from '../../render/csv';
import type { FaithfulnessChunk } from './summary';
import { RANDOM_METHOD, type TrustRow } from './trust';

/** method − other, in score units (lower: `method` more faithful), over the images both were measured on. */
export interface PairedComparison {
  method: string;
  other: string;
  models: number;
  images: number;
  difference: number;
  low: number;
  high: number;
}

/** Per model, each image's score difference method − other (the images both chunks measured). */
function pairedDifferences(chunks: readonly FaithfulnessChunk[], method: string, other: string): number[][] {
  const scores = (name: string) => {
    const byModel = new Map<string, Map<number, number>>();
    for (const c of chunks.filter((c) => c.method === name)) {
      const images = byModel.get(c.model) ?? new Map<number, number>();
      for (const i of c.images) images.set(i.index, i.deletionArea - i.insertionArea);
      byModel.set(c.model, images);
    }
    return byModel;
  };
  const [a, b] = [scores(method), scores(other)];
  return [...a].map(([model, images]) =>
    [...images].flatMap(([index, score]) => {
      const paired = b.get(model)?.get(index);
      return paired === undefined ? [] : [score - paired];
    }),
  );
}

/** Every ordered pair of methods (each pair once, in the order given), paired on the same images and models. */
export function comparePairwise(
  methods: readonly string[],
  chunks: readonly FaithfulnessChunk[],
  seed = 1,
): PairedComparison[] {
  return methods.flatMap((method, i) =>
    methods.slice(i + 1).map((other) => {
      const clusters = pairedDifferences(chunks, method, other).filter((c) => c.length > 0);
      const { effect, low, high } = bootstrapMeanInterval(clusters, { seed });
      const images = clusters.reduce((n, c) => n + c.length, 0);
      return { method, other, models: clusters.length, images, difference: effect, low, high };
    }),
  );
}

/** method − other from the comparisons, whichever way round they were listed. */
function versus(comparisons: readonly PairedComparison[], method: string, other: string) {
  const found = comparisons.find(
    (c) => (c.method === method && c.other === other) || (c.method === other && c.other === method),
  );
  if (!found) throw new Error(`no paired comparison of ${method} and ${other}`);
  return found.method === method
    ? found
    : { ...found, method, other, difference: -found.difference, low: -found.high, high: -found.low };
}

/** `method` clearly more faithful than `other`: the paired difference's whole interval below 0. */
const beats = (comparisons: readonly PairedComparison[], method: string, other: string) =>
  versus(comparisons, method, other).high < 0;

export type Ranking =
  | { kind: 'best'; method: string }
  | { kind: 'no clear winner'; among: string[] }
  | { kind: 'none'; why: string };

/**
 * The candidates are the methods that pass the sanity check (the random order is the reference,
 * not a candidate) and beat the random order; the best beats every other candidate.
 */
export function rankMethods(rows: readonly TrustRow[], comparisons: readonly PairedComparison[]): Ranking {
  const hasRandom = rows.some((r) => r.method === RANDOM_METHOD);
  const judged = rows.filter((r) => r.method !== RANDOM_METHOD);
  if (judged.every((r) => r.sanity === 'not run'))
    return { kind: 'none', why: 'the sanity check was not run' };
  const passing = judged.filter((r) => r.sanity === 'passes').map((r) => r.method);
  const candidates = passing.filter((m) => !hasRandom || beats(comparisons, m, RANDOM_METHOD));
  if (candidates.length === 0) {
    const failed = judged.filter((r) => r.sanity === 'fails').map((r) => r.method);
    return {
      kind: 'none',
      why: `no method passes the sanity check and beats the random order${failed.length ? ` (failing the sanity check: ${failed.join(', ')})` : ''}`,
    };
  }
  const unbeaten = candidates.filter((m) => !candidates.some((o) => o !== m && beats(comparisons, o, m)));
  const winner = unbeaten.find((m) => candidates.every((o) => o === m || beats(comparisons, m, o)));
  return winner ? { kind: 'best', method: winner } : { kind: 'no clear winner', among: unbeaten };
}

export const RANKING_RULE =
  'methods compared pairwise on the same images and models: the mean paired difference of (deletion AUC − insertion AUC) with a 95 % bootstrap interval over models and images; a method is best when it passes the sanity check and that interval is wholly below 0 against the random order and against every other passing method';

const three = (v: number) => (v < 0 ? `−${(-v).toFixed(3)}` : `+${v.toFixed(3)}`);

/** The sentence under the trust table. */
export function rankingSentence(rows: readonly TrustRow[], comparisons: readonly PairedComparison[]): string {
  const ranking = rankMethods(rows, comparisons);
  if (ranking.kind === 'none') return `No method is named best: ${ranking.why}.`;
  if (ranking.kind === 'no clear winner')
    return `No clear winner among ${ranking.among.join(', ')}: no one of them beats every other by a paired interval below 0.`;
  const against = comparisons
    .filter((c) => c.method === ranking.method || c.other === ranking.method)
    .map((c) => {
      const v = versus(comparisons, ranking.method, c.method === ranking.method ? c.other : c.method);
      return `${v.other} ${three(v.difference)} [${three(v.low)}, ${three(v.high)}]`;
    });
  return `Best: ${ranking.method}. Paired difference of its score from each other method's: ${against.join('; ')}.`;
}

const COLUMNS = ['method', 'other', 'models', 'images', 'difference', 'low', 'high'] as const;

export function writeRankingCsv(file: string, comparisons: readonly PairedComparison[]): void {
  writeRecordsCsv(
    file,
    comparisons.map((c) => ({
      ...c,
      difference: c.difference.toFixed(6),
      low: c.low.toFixed(6),
      high: c.high.toFixed(6),
    })),
    [...COLUMNS],
  );
}

/** The comparisons of a ranking.csv; throws naming the file and what is wrong. */
export function readRankingCsv(file: string): PairedComparison[] {
  const records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const missing = COLUMNS.filter((c) => records.length > 0 && !(c in records[0]));
  if (missing.length)
    throw new Error(`${file}: expected the columns ${COLUMNS.join(', ')}; missing ${missing.join(', ')}`);
  return records.map((r) => ({
    method: r.method,
    other: r.other,
    models: Number(r.models),
    images: Number(r.images),
    difference: Number(r.difference),
    low: Number(r.low),
    high: Number(r.high),
  }));
}
