// The verdict rules flip when their synthetic input does, and verdict.csv round-trips.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  differenceVerdict,
  rankCorrelationWithOrder,
  readVerdictCsv,
  thresholdVerdict,
  trendVerdict,
  VERDICT_COLUMNS,
  writeVerdictCsv,
} from '../../src/claims/verdict';
import { mulberry32 } from '../../src/random';

const dir = mkdtempSync(path.join(os.tmpdir(), 'probelab-verdict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Epochs a validation curve takes to reach `target` (Infinity when it never does). */
function epochsToReach(curve: number[], target: number): number {
  const epoch = curve.findIndex((accuracy) => accuracy >= target);
  return epoch < 0 ? Number.POSITIVE_INFINITY : epoch + 1;
}

/** A saturating validation curve 1 − 0.5·e^(−epoch/tau), with a little seeded noise. */
function curve(tau: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: 30 }, (_, e) => 1 - 0.5 * Math.exp(-(e + 1) / tau) + (random() - 0.5) * 0.002);
}

/** "Dropout lowers convergence speed" judged on synthetic curves: tau is each group's time constant. */
function convergenceVerdict(tauDropout: number, tauNone: number) {
  const seeds = [1, 2, 3];
  return differenceVerdict({
    claim: 'P1(1) dropout lowers convergence speed',
    measure: 'epochs to 95 % validation accuracy',
    a: seeds.map((s) => epochsToReach(curve(tauDropout, s), 0.95)),
    b: seeds.map((s) => epochsToReach(curve(tauNone, 100 + s), 0.95)),
    direction: 'greater',
    names: ['dropout 0.5', 'no dropout'],
  });
}

test('difference: slower curves with dropout support the claim, faster ones do not, equal ones are inconclusive', () => {
  expect(convergenceVerdict(6, 3).verdict).toBe('supported');
  expect(convergenceVerdict(3, 6).verdict).toBe('not supported');
  expect(convergenceVerdict(4, 4).verdict).toBe('inconclusive');
  const row = convergenceVerdict(6, 3);
  expect(row.value).toBeGreaterThan(row.threshold);
  expect(row.rule).toContain('dropout 0.5 > no dropout');
  expect(row.rule).toContain('3/3 seeds in the claimed direction');
});

test('difference: one seed against, or a gap within one pooled sd, is inconclusive; direction "less" mirrors it', () => {
  const base = { claim: 'c', measure: 'm' };
  expect(differenceVerdict({ ...base, a: [10, 11, 12], b: [1, 2, 3], direction: 'greater' }).verdict).toBe(
    'supported',
  );
  expect(differenceVerdict({ ...base, a: [10, 11, 2.5], b: [1, 2, 3], direction: 'greater' }).verdict).toBe(
    'inconclusive',
  );
  // every seed agrees but the spread is wide: mean gap 1 < pooled sd
  const wide = differenceVerdict({ ...base, a: [2, 6, 10], b: [1, 5, 9], direction: 'greater' });
  expect(wide.value).toBeCloseTo(1, 12);
  expect(wide.threshold).toBeCloseTo(4, 12);
  expect(wide.verdict).toBe('inconclusive');
  expect(differenceVerdict({ ...base, a: [1, 2, 3], b: [10, 11, 12], direction: 'less' }).verdict).toBe(
    'supported',
  );
  expect(differenceVerdict({ ...base, a: [10, 11, 12], b: [1, 2, 3], direction: 'less' }).verdict).toBe(
    'not supported',
  );
  // one seed: the sd is 0, the sign decides
  expect(differenceVerdict({ ...base, a: [0.5], b: [0.4], direction: 'greater' }).verdict).toBe('supported');
  expect(differenceVerdict({ ...base, a: [0.4], b: [0.4], direction: 'greater' }).verdict).toBe(
    'inconclusive',
  );
});

test('difference: unequal seed counts and non-finite values are refused with the claim named', () => {
  expect(() =>
    differenceVerdict({ claim: 'c', measure: 'm', a: [1, 2], b: [1], direction: 'greater' }),
  ).toThrow('c: m: 2 values of a but 1 of b');
  expect(() =>
    differenceVerdict({ claim: 'c', measure: 'm', a: [Number.NaN], b: [1], direction: 'greater' }),
  ).toThrow('c: m (a): expected finite numbers, got NaN');
});

test('threshold: every seed beyond → supported, none → not supported, a split → inconclusive', () => {
  const judge = (values: number[], direction: 'above' | 'below' = 'above') =>
    thresholdVerdict({ claim: 'c', measure: 'm', values, threshold: 10, direction }).verdict;
  expect(judge([11, 12, 13])).toBe('supported');
  expect(judge([9, 10, 8])).toBe('not supported');
  expect(judge([9, 12, 13])).toBe('inconclusive');
  expect(judge([9, 8, 7], 'below')).toBe('supported');
  expect(judge([11], 'below')).toBe('not supported');
  const row = thresholdVerdict({
    claim: 'c',
    measure: 'm',
    values: [11, 12, 13],
    threshold: 10,
    direction: 'above',
  });
  expect(row.value).toBe(12);
  expect(row.rule).toContain('3/3 seeds > 10');
});

test('rank correlation: +1 for increasing, −1 for decreasing, ties averaged, 0 for a flat line', () => {
  expect(rankCorrelationWithOrder([1, 2, 5, 9])).toBeCloseTo(1, 12);
  expect(rankCorrelationWithOrder([9, 5, 2, 1])).toBeCloseTo(-1, 12);
  expect(rankCorrelationWithOrder([3, 3, 3])).toBe(0);
  expect(rankCorrelationWithOrder([1, 3, 2, 4, 5])).toBeCloseTo(0.9, 12);
});

test('trend: accuracy falling with batch size across seeds supports "decreasing"; rising does not; mixed is inconclusive', () => {
  const points = [2, 4, 8, 16, 32, 128];
  const falling = [
    [0.99, 0.98, 0.96, 0.95, 0.9, 0.8],
    [0.97, 0.98, 0.95, 0.93, 0.91, 0.85],
    [0.99, 0.97, 0.96, 0.94, 0.92, 0.9],
  ];
  const judge = (values: number[][]) =>
    trendVerdict({ claim: 'c', measure: 'accuracy', points, values, direction: 'decreasing' });
  expect(judge(falling).verdict).toBe('supported');
  expect(judge(falling.map((row) => [...row].reverse())).verdict).toBe('not supported');
  expect(judge([falling[0], [...falling[1]].reverse(), falling[2]]).verdict).toBe('inconclusive');
  expect(judge(falling).rule).toContain('along 2, 4, 8, 16, 32, 128');
  expect(() => judge([[0.9, 0.8]])).toThrow('c: accuracy: seed 1 has 2 values for 6 points');
});

test('trend: a mean correlation exactly at the threshold gives one verdict whatever the seed order', () => {
  // Spearman 0.7, 0.8 and 0.9 against the order 1..5: mean 0.8, the threshold.
  const seeds = [
    [2, 3, 1, 4, 5],
    [2, 1, 4, 3, 5],
    [2, 1, 3, 4, 5],
  ];
  const orders = [seeds, [seeds[2], seeds[1], seeds[0]], [seeds[1], seeds[0], seeds[2]]];
  for (const values of orders) {
    const row = trendVerdict({
      claim: 'c',
      measure: 'm',
      points: [1, 2, 3, 4, 5],
      values,
      direction: 'increasing',
    });
    expect(row.value).toBe(0.8);
    expect(row.verdict).toBe('supported');
  }
});

test('verdict.csv: written atomically with the contract columns, read back equal; a bad verdict names file and line', () => {
  const rows = [
    convergenceVerdict(6, 3),
    thresholdVerdict({
      claim: 'c, with a comma',
      measure: 'm "quoted"',
      values: [1],
      threshold: 0,
      direction: 'above',
    }),
  ];
  const file = path.join(dir, 'tables/verdict.csv');
  writeVerdictCsv(file, rows);
  expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(VERDICT_COLUMNS.join(','));
  expect(readVerdictCsv(file)).toEqual(rows);
  const bad = path.join(dir, 'bad.csv');
  writeFileSync(bad, `${VERDICT_COLUMNS.join(',')}\nc,m,1,0,true,r\n`);
  expect(() => readVerdictCsv(bad)).toThrow(`${bad}: line 2: verdict "true" is not one of supported`);
  writeFileSync(bad, 'claim,value\n');
  expect(() => readVerdictCsv(bad)).toThrow(
    `${bad}: expected the header claim,measure,value,threshold,verdict,rule`,
  );
});
