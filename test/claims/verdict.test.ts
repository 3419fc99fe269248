// The verdict rules flip when their synthetic input does, errors name the claim, and verdict.csv round-trips.
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
    measure: 'epochs to 95 % validation accuracy, dropout 0.5 − no dropout',
    unit: 'epochs',
    margin: 1,
    a: seeds.map((s) => epochsToReach(curve(tauDropout, s), 0.95)),
    b: seeds.map((s) => epochsToReach(curve(tauNone, 100 + s), 0.95)),
    direction: 'greater',
  });
}

// The old rules' own edges (one seed decided by its sign, a pooled sd, a mean ρ of 0.8) are gone
// with them; verdict-rules.test.ts holds the new rules' edges case by case.

test('difference: slower curves with dropout support the claim, faster ones do not, equal ones do not either', () => {
  const slower = convergenceVerdict(6, 3);
  expect(slower.verdict).toBe('supported');
  expect(slower.low).toBeGreaterThan(slower.margin);
  expect(slower.reason).toBe('the interval is beyond +1');
  expect(convergenceVerdict(3, 6).verdict).toBe('not supported');
  // the same curves in both arms (noise aside): every seed takes the same epochs, a tie
  expect(convergenceVerdict(4, 4).verdict).toBe('inconclusive');
});

test('difference: unequal seed counts, non-finite values and a negative margin are refused with the claim named', () => {
  const base = { claim: 'c', measure: 'm', unit: 'u', margin: 0, direction: 'greater' as const };
  expect(() => differenceVerdict({ ...base, a: [1, 2], b: [1] })).toThrow('c: m: 2 values of a but 1 of b');
  expect(() => differenceVerdict({ ...base, a: [Number.NaN], b: [1] })).toThrow(
    'c: m (a): expected finite numbers, got NaN',
  );
  expect(() => differenceVerdict({ ...base, margin: -1, a: [1, 2, 3], b: [0, 0, 0] })).toThrow(
    'c: m: the margin must be ≥ 0, got -1',
  );
});

test('threshold: the measure names the threshold, the effect is the mean minus it', () => {
  const row = thresholdVerdict({
    claim: 'c',
    measure: 'm',
    unit: 'u',
    margin: 0,
    values: [11.9, 12, 12.1],
    threshold: 10,
    direction: 'above',
  });
  expect(row.measure).toBe('m − 10');
  expect(row.effect).toBe(2);
  expect(row.verdict).toBe('supported');
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
    [99, 98, 96, 95, 90, 80],
    [97, 98, 95, 93, 91, 85],
    [99, 97, 96, 94, 92, 90],
  ];
  const judge = (values: number[][]) =>
    trendVerdict({
      claim: 'c',
      measure: 'accuracy',
      unit: 'points per step',
      margin: 0.2,
      points,
      values,
      direction: 'decreasing',
    });
  expect(judge(falling).verdict).toBe('supported');
  expect(judge(falling).reason).toMatch(
    /^mean ρ 0\.9\d*, permutation p = [\d.e-]+; the interval is beyond −0\.2$/,
  );
  expect(judge(falling.map((row) => [...row].reverse())).verdict).toBe('not supported');
  expect(judge([falling[0], [...falling[1]].reverse(), falling[2]]).verdict).toBe('inconclusive');
  expect(() => judge([[0.9, 0.8]])).toThrow('c: accuracy: seed 1 has 2 values for 6 points');
});

test('verdict.csv: written atomically with the contract columns, read back equal; a bad verdict names file and line', () => {
  const rows = [
    convergenceVerdict(6, 3),
    thresholdVerdict({
      claim: 'c, with a comma',
      measure: 'm "quoted"',
      unit: 'u',
      margin: 0,
      images: 20,
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
  writeFileSync(bad, `${VERDICT_COLUMNS.join(',')}\nc,difference,m,u,greater,0,1,0,2,3,,true,r\n`);
  expect(() => readVerdictCsv(bad)).toThrow(`${bad}: line 2: verdict "true" is not one of supported`);
  writeFileSync(bad, `${VERDICT_COLUMNS.join(',')}\nc,sign,m,u,greater,0,1,0,2,3,,supported,r\n`);
  expect(() => readVerdictCsv(bad)).toThrow(`${bad}: line 2: rule "sign" is not one of difference`);
  writeFileSync(bad, 'claim,value\n');
  expect(() => readVerdictCsv(bad)).toThrow(`${bad}: expected the header claim,rule,measure,unit`);
});
