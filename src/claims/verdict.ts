// Verdicts on the homework's claims (Problems 1–2), and the verdict.csv every claim experiment
// publishes. A verdict is never written by hand: it is a pure function of measured numbers, and
// each row says in its `rule` column which rule decided it, with the numbers that went into it.
//
// The rules (each returns one row):
// - differenceVerdict: group a versus group b (per-seed values, paired by seed) in a claimed
//   direction, judged against one pooled sd with every seed agreeing;
// - thresholdVerdict: per-seed values (or one value) beyond a threshold;
// - trendVerdict: a measure along an ordered sweep (e.g. dropout rates, batch sizes), judged by
//   each seed's rank correlation with the sweep order.
// Each is symmetric: evidence as strong against the claim gives `not supported`; anything
// weaker either way gives `inconclusive`.
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { writeRecordsCsv } from '../render/csv';
import { mean, sd as sampleSd, spearman } from '../statistics';

export type Verdict = 'supported' | 'not supported' | 'inconclusive';

export const VERDICTS: readonly Verdict[] = ['supported', 'not supported', 'inconclusive'];

/** One line of verdict.csv. */
export interface VerdictRow {
  /** The homework's claim, e.g. `P1(1) dropout lowers convergence speed`. */
  claim: string;
  /** What was measured, e.g. `epochs to 97 % validation accuracy, rate 0.5 − rate 0`. */
  measure: string;
  /** The measured figure the verdict rests on. */
  value: number;
  /** What `value` was compared with (a pooled sd, a threshold, a least rank correlation). */
  threshold: number;
  verdict: Verdict;
  /** The computed rule in words, with its numbers. */
  rule: string;
}

export const VERDICT_COLUMNS: (keyof VerdictRow)[] = [
  'claim',
  'measure',
  'value',
  'threshold',
  'verdict',
  'rule',
];

/** Where a claim job writes its verdicts, relative to its folder (publish it as it is). */
export const VERDICT_FILE = 'tables/verdict.csv';

export { mean, sd as sampleSd } from '../statistics';

/** A number for a rule's words: 4 significant digits, a sign when asked. */
export function figure(value: number, signed = false): string {
  const text = Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
  return signed && value > 0 ? `+${text}` : text;
}

function checkValues(what: string, values: readonly number[]): void {
  if (values.length === 0) throw new Error(`${what}: no values to judge`);
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new Error(`${what}: expected finite numbers, got ${bad}`);
}

export interface DifferenceClaim {
  claim: string;
  measure: string;
  /** Per-seed values of the group the claim is about (e.g. dropout 0.5), in seed order. */
  a: readonly number[];
  /** Per-seed values of the group it is compared with (e.g. no dropout), in the same seed order. */
  b: readonly number[];
  /** The claim: a's values are greater (or less) than b's. */
  direction: 'greater' | 'less';
  /** Names of the groups in the rule's words (default `a`, `b`). */
  names?: [string, string];
}

/**
 * The claimed difference a − b holds in the claimed direction by more than one pooled sd
 * (√((sd_a² + sd_b²)/2), over seeds) with every seed's own difference agreeing → supported;
 * the same the opposite way → not supported; otherwise inconclusive. With one seed the sd is 0
 * and the rule reduces to the sign. value = mean(a) − mean(b), threshold = the pooled sd.
 */
export function differenceVerdict(c: DifferenceClaim): VerdictRow {
  checkValues(`${c.claim}: ${c.measure} (a)`, c.a);
  checkValues(`${c.claim}: ${c.measure} (b)`, c.b);
  if (c.a.length !== c.b.length)
    throw new Error(
      `${c.claim}: ${c.measure}: ${c.a.length} values of a but ${c.b.length} of b (one per seed each)`,
    );
  const [nameA, nameB] = c.names ?? ['a', 'b'];
  const sign = c.direction === 'greater' ? 1 : -1;
  const difference = mean(c.a) - mean(c.b);
  const pooledSd = Math.sqrt((sampleSd(c.a) ** 2 + sampleSd(c.b) ** 2) / 2);
  const perSeed = c.a.map((v, i) => sign * (v - c.b[i]));
  const agreeing = perSeed.filter((d) => d > 0).length;
  const opposing = perSeed.filter((d) => d < 0).length;
  const n = perSeed.length;
  const verdict: Verdict =
    sign * difference > pooledSd && agreeing === n
      ? 'supported'
      : -sign * difference > pooledSd && opposing === n
        ? 'not supported'
        : 'inconclusive';
  const claimed = c.direction === 'greater' ? '>' : '<';
  const rule =
    `claimed ${nameA} ${claimed} ${nameB}; mean ${nameA} − ${nameB} = ${figure(difference, true)}, ` +
    `pooled sd ${figure(pooledSd)}, ${agreeing}/${n} seeds in the claimed direction, ${opposing}/${n} against. ` +
    'Supported if the difference exceeds 1 sd in the claimed direction with every seed agreeing; ' +
    'not supported if it does the opposite way with every seed; else inconclusive';
  return { claim: c.claim, measure: c.measure, value: difference, threshold: pooledSd, verdict, rule };
}

export interface ThresholdClaim {
  claim: string;
  measure: string;
  /** Per-seed values (or a single value). */
  values: readonly number[];
  threshold: number;
  /** The claim: the values are above (or below) the threshold. */
  direction: 'above' | 'below';
}

/**
 * Every seed's value beyond the threshold in the claimed direction → supported; none beyond it
 * (all on the other side, or on it) → not supported; seeds on both sides → inconclusive.
 * value = the mean over seeds.
 */
export function thresholdVerdict(c: ThresholdClaim): VerdictRow {
  checkValues(`${c.claim}: ${c.measure}`, c.values);
  const beyond = (v: number) => (c.direction === 'above' ? v > c.threshold : v < c.threshold);
  const value = mean(c.values);
  const n = c.values.length;
  const agreeing = c.values.filter(beyond).length;
  const verdict: Verdict = agreeing === n ? 'supported' : agreeing === 0 ? 'not supported' : 'inconclusive';
  const side = c.direction === 'above' ? '>' : '<';
  const rule =
    `claimed ${side} ${figure(c.threshold)}; mean ${figure(value)}, ${agreeing}/${n} ` +
    `${n === 1 ? 'value' : 'seeds'} ${side} ${figure(c.threshold)}. ` +
    'Supported if every seed is beyond the threshold in the claimed direction; not supported if none is; else inconclusive';
  return { claim: c.claim, measure: c.measure, value, threshold: c.threshold, verdict, rule };
}

/** Spearman's rank correlation of the values with their position (0 when the values are all equal). */
export function rankCorrelationWithOrder(values: readonly number[]): number {
  const position = values.map((_, i) => i);
  return values.length < 2 ? 0 : spearman(values, position);
}

/** Least mean rank correlation a trend needs: with 5 sweep points, at most two swaps of neighbours. */
export const TREND_THRESHOLD = 0.8;

export interface TrendClaim {
  claim: string;
  measure: string;
  /** The sweep's points in order (e.g. dropout rates), for the rule's words. */
  points: readonly (number | string)[];
  /** values[seed][point]: each seed's measure at every sweep point, in the order of `points`. */
  values: readonly (readonly number[])[];
  /** The claim: the measure increases (or decreases) along the sweep. */
  direction: 'increasing' | 'decreasing';
}

/**
 * Each seed's Spearman correlation between the sweep order and the measure (sign flipped for a
 * claimed decrease): every seed positive and their mean ≥ 0.8 → supported; every seed negative
 * and the mean ≤ −0.8 → not supported; otherwise inconclusive. value = the mean correlation.
 */
export function trendVerdict(c: TrendClaim): VerdictRow {
  if (c.points.length < 2) throw new Error(`${c.claim}: ${c.measure}: a trend needs at least 2 sweep points`);
  if (c.values.length === 0) throw new Error(`${c.claim}: ${c.measure}: no seeds to judge`);
  for (const [seed, row] of c.values.entries()) {
    checkValues(`${c.claim}: ${c.measure} (seed ${seed + 1})`, row);
    if (row.length !== c.points.length)
      throw new Error(
        `${c.claim}: ${c.measure}: seed ${seed + 1} has ${row.length} values for ${c.points.length} points`,
      );
  }
  const sign = c.direction === 'increasing' ? 1 : -1;
  const correlations = c.values.map((row) => sign * rankCorrelationWithOrder(row));
  // Rounded so that a mean exactly at the threshold (0.9, 0.7, 0.8) passes in any seed order:
  // summed in one order it is 0.8000000000000002, in another 0.7999999999999999.
  const value = Number(mean(correlations).toFixed(12));
  const n = correlations.length;
  const agreeing = correlations.filter((r) => r > 0).length;
  const opposing = correlations.filter((r) => r < 0).length;
  const verdict: Verdict =
    agreeing === n && value >= TREND_THRESHOLD
      ? 'supported'
      : opposing === n && value <= -TREND_THRESHOLD
        ? 'not supported'
        : 'inconclusive';
  const rule =
    `claimed ${c.direction} along ${c.points.join(', ')}; rank correlation with the sweep order ` +
    `(+1 = strictly ${c.direction}) per seed ${correlations.map((r) => figure(r)).join(', ')}, mean ${figure(value)}. ` +
    `Supported if every seed's is positive and the mean ≥ ${TREND_THRESHOLD}; not supported if every seed's is ` +
    `negative and the mean ≤ −${TREND_THRESHOLD}; else inconclusive`;
  return { claim: c.claim, measure: c.measure, value, threshold: TREND_THRESHOLD, verdict, rule };
}

/** Writes the rows as verdict.csv (atomically; columns in VERDICT_COLUMNS order). */
export function writeVerdictCsv(file: string, rows: readonly VerdictRow[]): void {
  writeRecordsCsv(file, [...rows], VERDICT_COLUMNS);
}

/** Reads a verdict.csv back, checking its header and each verdict; the error names the file and line. */
export function readVerdictCsv(file: string): VerdictRow[] {
  const records = parse(readFileSync(file, 'utf8'), { columns: false, skip_empty_lines: true }) as string[][];
  const [header, ...body] = records;
  if (!header || header.join(',') !== VERDICT_COLUMNS.join(','))
    throw new Error(
      `${file}: expected the header ${VERDICT_COLUMNS.join(',')}, got ${header?.join(',') ?? 'nothing'}`,
    );
  return body.map((cells, i) => {
    const [claim, measure, value, threshold, verdict, rule] = cells;
    if (!VERDICTS.includes(verdict as Verdict))
      throw new Error(`${file}: line ${i + 2}: verdict "${verdict}" is not one of ${VERDICTS.join(', ')}`);
    return {
      claim,
      measure,
      value: Number(value),
      threshold: Number(threshold),
      verdict: verdict as Verdict,
      rule,
    };
  });
}
