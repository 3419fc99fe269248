// Domain code (the claims' statistics and verdict rules): the claim kinds of src/kinds/claims plan
// and run the jobs, and this folder imports nothing from src/kinds or src/jobs.
//
// Verdicts on the homework's claims (Problems 1–2), and the verdict.csv every claim experiment
// publishes. A verdict is never written by hand: it is a pure function of measured numbers.
//
// Every rule turns its numbers into one effect with a 95 % interval, in the claim's direction,
// and compares the interval with the claim's minimum effect that matters (its margin m):
// - the whole interval beyond +m in the claimed direction → supported;
// - the whole interval short of +m (the effect, if any, is too small to matter, or the other
//   way) → not supported;
// - otherwise (the interval straddles m, or touches it exactly) → inconclusive;
// - a tie (every seed measured exactly the same effect, 0) → inconclusive: it tells nothing of
//   the spread;
// - too few seeds or sweep points → insufficient evidence; models below the accuracy floor →
//   inconclusive (models undertrained).
// The rules:
// - differenceVerdict: a − b paired by seed; the t-interval of the mean paired difference;
// - thresholdVerdict: value − threshold per seed; the t-interval of the mean;
// - trendVerdict: a measure along an ordered sweep; an exact permutation test of the mean
//   Spearman ρ (p < 0.05) and the t-interval of the per-seed slope per sweep step.
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { linearRegression } from 'simple-statistics';
import { writeRecordsCsv } from '../render/csv';
import { spearman } from '../statistics';
import { DEFAULT_EVIDENCE, type EvidenceSettings } from './evidence';
import { type Interval, orderFreeMean, tidy, tInterval } from './intervals';
import { MOST_POINTS, trendPValue } from './trend-test';

export type Verdict = 'supported' | 'not supported' | 'inconclusive' | 'insufficient evidence';

export const VERDICTS: readonly Verdict[] = [
  'supported',
  'not supported',
  'inconclusive',
  'insufficient evidence',
];

export type RuleName = 'difference' | 'threshold' | 'trend';

export const RULES: readonly RuleName[] = ['difference', 'threshold', 'trend'];

/** Largest p-value of the trend test that counts as a trend. */
export const TREND_ALPHA = 0.05;

/** One line of verdict.csv. */
export interface VerdictRow {
  /** The homework's claim, e.g. `P1(1) dropout lowers convergence speed`. */
  claim: string;
  rule: RuleName;
  /** What the effect is a difference of, e.g. `test accuracy, dropout 0.5 − no dropout`. */
  measure: string;
  /** The effect's unit, e.g. `accuracy points`, `ms`, `epochs per sweep step`. */
  unit: string;
  /** The claimed direction of the effect. */
  direction: 'greater' | 'less';
  /** The minimum effect that matters, in `unit` (the interval must clear it in `direction`). */
  margin: number;
  /** The effect (a mean over seeds), and its 95 % interval; NaN when there was too little evidence. */
  effect: number;
  low: number;
  high: number;
  seeds: number;
  /** Images each model was measured on, when the claim measures on images (else null). */
  images: number | null;
  verdict: Verdict;
  /** Why, in a few words with its numbers: the rule itself is stated once, in the docs and report. */
  reason: string;
}

export const VERDICT_COLUMNS: (keyof VerdictRow)[] = [
  'claim',
  'rule',
  'measure',
  'unit',
  'direction',
  'margin',
  'effect',
  'low',
  'high',
  'seeds',
  'images',
  'verdict',
  'reason',
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

/** What every rule is told besides its numbers. */
export interface JudgedClaim {
  claim: string;
  /** What the effect is a difference of (the rule adds nothing to it). */
  measure: string;
  unit: string;
  /** Minimum effect that matters, ≥ 0, in `unit`. */
  margin: number;
  /** Test accuracies of the models measured (checked against the accuracy floor). */
  accuracies?: readonly number[];
  images?: number;
  evidence?: Partial<EvidenceSettings>;
}

type Outcome = Pick<VerdictRow, 'verdict' | 'reason'>;

/** The row with no interval, when the evidence is short or the models undertrained. */
function unjudged(
  c: JudgedClaim,
  rule: RuleName,
  direction: VerdictRow['direction'],
  seeds: number,
  o: Outcome,
): VerdictRow {
  return base(c, rule, direction, seeds, { effect: Number.NaN, low: Number.NaN, high: Number.NaN }, o);
}

function base(
  c: JudgedClaim,
  rule: RuleName,
  direction: VerdictRow['direction'],
  seeds: number,
  interval: Interval,
  o: Outcome,
): VerdictRow {
  if (!(c.margin >= 0)) throw new Error(`${c.claim}: ${c.measure}: the margin must be ≥ 0, got ${c.margin}`);
  return {
    claim: c.claim,
    rule,
    measure: c.measure,
    unit: c.unit,
    direction,
    margin: c.margin,
    ...interval,
    seeds,
    images: c.images ?? null,
    ...o,
  };
}

/** "insufficient evidence" naming what is missing, or "undertrained", or null when the claim can be judged. */
function precondition(c: JudgedClaim, seeds: number, points?: number): Outcome | null {
  const evidence = { ...DEFAULT_EVIDENCE, ...c.evidence };
  const missing = [
    seeds < evidence.minSeeds
      ? `${seeds} seed${seeds === 1 ? '' : 's'} of the ${evidence.minSeeds} needed`
      : '',
    points !== undefined && points < evidence.minPoints
      ? `${points} sweep point${points === 1 ? '' : 's'} of the ${evidence.minPoints} needed`
      : '',
  ].filter(Boolean);
  if (missing.length)
    return { verdict: 'insufficient evidence', reason: `insufficient evidence: ${missing.join(', ')}` };
  const lowest = c.accuracies?.length ? Math.min(...c.accuracies) : Number.POSITIVE_INFINITY;
  if (lowest < evidence.accuracyFloor)
    return {
      verdict: 'inconclusive',
      reason: `inconclusive: models undertrained (${figure(lowest * 100)} % test accuracy, floor ${figure(evidence.accuracyFloor * 100)} %)`,
    };
  return null;
}

/**
 * The interval against the margin, in the claimed direction. Strict comparisons: an interval
 * that ends exactly on the margin is inconclusive. `tie`: every seed's effect was exactly 0.
 */
function decide(interval: Interval, sign: 1 | -1, margin: number, tie: boolean): Outcome {
  const [low, high] = sign > 0 ? [interval.low, interval.high] : [-interval.high, -interval.low];
  const bar = `${sign > 0 ? '+' : '−'}${figure(margin)}`;
  if (tie) return { verdict: 'inconclusive', reason: 'a tie: the same value in every seed' };
  if (low > margin) return { verdict: 'supported', reason: `the interval is beyond ${bar}` };
  if (high < margin) return { verdict: 'not supported', reason: `the interval falls short of ${bar}` };
  return { verdict: 'inconclusive', reason: `the interval reaches ${bar}` };
}

export interface DifferenceClaim extends JudgedClaim {
  /** Per-seed values of the arm the claim is about (e.g. dropout 0.5), in seed order. */
  a: readonly number[];
  /** Per-seed values of the arm it is compared with, in the same seed order. */
  b: readonly number[];
  /** The claim: a − b is greater (or less) than 0, by more than the margin. */
  direction: 'greater' | 'less';
}

/** a − b paired by seed: the t-interval of the mean paired difference against the margin. */
export function differenceVerdict(c: DifferenceClaim): VerdictRow {
  checkValues(`${c.claim}: ${c.measure} (a)`, c.a);
  checkValues(`${c.claim}: ${c.measure} (b)`, c.b);
  if (c.a.length !== c.b.length)
    throw new Error(
      `${c.claim}: ${c.measure}: ${c.a.length} values of a but ${c.b.length} of b (one per seed each)`,
    );
  return pairedVerdict(
    c,
    'difference',
    c.a.map((v, i) => v - c.b[i]),
    c.direction,
  );
}

function pairedVerdict(
  c: JudgedClaim,
  rule: RuleName,
  effects: number[],
  direction: 'greater' | 'less',
): VerdictRow {
  const blocked = precondition(c, effects.length);
  if (blocked) return unjudged(c, rule, direction, effects.length, blocked);
  const interval = tInterval(effects);
  const tie = effects.every((d) => d === 0);
  return base(
    c,
    rule,
    direction,
    effects.length,
    interval,
    decide(interval, direction === 'greater' ? 1 : -1, c.margin, tie),
  );
}

export interface ThresholdClaim extends JudgedClaim {
  /** Per-seed values. */
  values: readonly number[];
  threshold: number;
  /** The claim: the values are above (or below) the threshold, by more than the margin. */
  direction: 'above' | 'below';
}

/** value − threshold per seed: the t-interval of the mean against the margin. */
export function thresholdVerdict(c: ThresholdClaim): VerdictRow {
  checkValues(`${c.claim}: ${c.measure}`, c.values);
  if (!Number.isFinite(c.threshold)) throw new Error(`${c.claim}: ${c.measure}: threshold ${c.threshold}`);
  return pairedVerdict(
    { ...c, measure: `${c.measure} − ${figure(c.threshold)}` },
    'threshold',
    c.values.map((v) => v - c.threshold),
    c.direction === 'above' ? 'greater' : 'less',
  );
}

/** Spearman's rank correlation of the values with their position (0 when the values are all equal). */
export function rankCorrelationWithOrder(values: readonly number[]): number {
  const position = values.map((_, i) => i);
  return values.length < 2 ? 0 : spearman(values, position);
}

export interface TrendClaim extends JudgedClaim {
  /** The sweep's points in order (e.g. dropout rates), for the reason's words. */
  points: readonly (number | string)[];
  /** values[seed][point]: each seed's measure at every sweep point, in the order of `points`. */
  values: readonly (readonly number[])[];
  /** The claim: the measure increases (or decreases) along the sweep. Margin: per sweep step. */
  direction: 'increasing' | 'decreasing';
}

function checkTrend(c: TrendClaim): void {
  if (c.values.length === 0) throw new Error(`${c.claim}: ${c.measure}: no seeds to judge`);
  if (c.points.length > MOST_POINTS)
    throw new Error(
      `${c.claim}: ${c.measure}: a trend is judged on at most ${MOST_POINTS} sweep points, got ${c.points.length}`,
    );
  for (const [seed, row] of c.values.entries()) {
    checkValues(`${c.claim}: ${c.measure} (seed ${seed + 1})`, row);
    if (row.length !== c.points.length)
      throw new Error(
        `${c.claim}: ${c.measure}: seed ${seed + 1} has ${row.length} values for ${c.points.length} points`,
      );
  }
}

/**
 * A trend along the sweep: supported when the exact permutation test of the mean Spearman ρ
 * gives p < 0.05 and the t-interval of the per-seed least-squares slope (measure per sweep step)
 * is beyond the margin; not supported when that interval falls short of the margin.
 */
export function trendVerdict(c: TrendClaim): VerdictRow {
  checkTrend(c);
  const direction = c.direction === 'increasing' ? 'greater' : 'less';
  const seeds = c.values.length;
  const blocked = precondition(c, seeds, c.points.length);
  if (blocked) return unjudged(c, 'trend', direction, seeds, blocked);
  const sign = c.direction === 'increasing' ? 1 : -1;
  const slopes = c.values.map((row) => linearRegression(row.map((v, i) => [i, v])).m);
  const rho = orderFreeMean(c.values.map((row) => sign * rankCorrelationWithOrder(row)));
  const p = trendPValue(c.values, rho);
  const interval = tInterval(slopes);
  const tie = slopes.every((s) => tidy(s) === 0);
  const byInterval = decide(interval, sign, c.margin, tie);
  const test = `mean ρ ${figure(rho)}, permutation p = ${figure(p)}`;
  const outcome: Outcome =
    byInterval.verdict === 'supported' && !(p < TREND_ALPHA)
      ? {
          verdict: 'inconclusive',
          reason: `${test} ≥ ${TREND_ALPHA}, though the slope's interval clears the margin`,
        }
      : { verdict: byInterval.verdict, reason: `${test}; ${byInterval.reason}` };
  return base(c, 'trend', direction, seeds, interval, outcome);
}

/** Writes the rows as verdict.csv (atomically; columns in VERDICT_COLUMNS order; NaN and null as empty cells). */
export function writeVerdictCsv(file: string, rows: readonly VerdictRow[]): void {
  const cells = rows.map((row) =>
    Object.fromEntries(
      VERDICT_COLUMNS.map((k) => {
        const v = row[k];
        return [k, v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : v];
      }),
    ),
  );
  writeRecordsCsv(file, cells, VERDICT_COLUMNS);
}

/** Reads a verdict.csv back, checking its header, each rule and verdict; the error names the file and line. */
export function readVerdictCsv(file: string): VerdictRow[] {
  const records = parse(readFileSync(file, 'utf8'), { columns: false, skip_empty_lines: true }) as string[][];
  const [header, ...body] = records;
  if (!header || header.join(',') !== VERDICT_COLUMNS.join(','))
    throw new Error(
      `${file}: expected the header ${VERDICT_COLUMNS.join(',')}, got ${header?.join(',') ?? 'nothing'}`,
    );
  return body.map((cells, i) => {
    const record = Object.fromEntries(VERDICT_COLUMNS.map((k, j) => [k, cells[j] ?? ''])) as Record<
      keyof VerdictRow,
      string
    >;
    if (!VERDICTS.includes(record.verdict as Verdict))
      throw new Error(
        `${file}: line ${i + 2}: verdict "${record.verdict}" is not one of ${VERDICTS.join(', ')}`,
      );
    if (!RULES.includes(record.rule as RuleName))
      throw new Error(`${file}: line ${i + 2}: rule "${record.rule}" is not one of ${RULES.join(', ')}`);
    const number = (k: keyof VerdictRow) => (record[k] === '' ? Number.NaN : Number(record[k]));
    return {
      claim: record.claim,
      rule: record.rule as RuleName,
      measure: record.measure,
      unit: record.unit,
      direction: record.direction === 'less' ? 'less' : 'greater',
      margin: number('margin'),
      effect: number('effect'),
      low: number('low'),
      high: number('high'),
      seeds: number('seeds'),
      images: record.images === '' ? null : Number(record.images),
      verdict: record.verdict as Verdict,
      reason: record.reason,
    };
  });
}

/** Each rule in words, stated once wherever verdicts are shown (the report, the docs). */
export const RULE_WORDS: Record<RuleName, string> = {
  difference:
    'the claimed arm minus the other, paired by seed; the effect is the mean paired difference with its 95 % ' +
    't-interval over seeds (at least 3). Supported when the whole interval is beyond the margin in the claimed ' +
    'direction, not supported when the whole interval falls short of it, otherwise (or on a tie) inconclusive.',
  threshold:
    'each seed’s value minus the threshold; the effect is their mean with its 95 % t-interval over seeds ' +
    '(at least 3), judged against the margin as the difference rule is.',
  trend:
    'a measure along an ordered sweep (at least 4 points, 3 seeds). Supported when an exact permutation test of ' +
    'the mean Spearman ρ between sweep position and measure gives p < 0.05 and the 95 % t-interval of the ' +
    'per-seed least-squares slope (per sweep step) is beyond the margin; not supported when that interval falls ' +
    'short of the margin; otherwise inconclusive.',
};

/** Every verdict, whatever its rule: too little evidence, or models below the accuracy floor. */
export const PRECONDITION_WORDS =
  'Fewer seeds or sweep points than needed give "insufficient evidence"; models whose test accuracy is below the ' +
  'accuracy floor (default 86 %, 90 % of Figure 1 on full MNIST) give "inconclusive: models undertrained".';

/** The effect with its interval and unit, e.g. `−20.7 [−24.1, −17.3] accuracy points`. */
export function effectWords(row: Pick<VerdictRow, 'effect' | 'low' | 'high' | 'unit'>): string {
  if (Number.isNaN(row.effect)) return 'not estimated';
  const signed = (v: number) => figure(v, true).replace('-', '−');
  return `${signed(row.effect)} [${signed(row.low)}, ${signed(row.high)}] ${row.unit}`;
}

/** The claimed side of the margin, e.g. `claimed > +0.5`, `claimed < −0.5`. */
export function claimedWords(row: Pick<VerdictRow, 'direction' | 'margin'>): string {
  return row.direction === 'greater'
    ? `claimed > +${figure(row.margin)}`
    : `claimed < −${figure(row.margin)}`;
}
