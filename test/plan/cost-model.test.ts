// The cost model: per kind, seconds = perJob + perUnit × units, fitted by least squares to
// measured jobs; a fit that would make a term negative keeps the kind's total instead; a kind the
// calibration does not know counts one second per unit, and the run's own overhead nothing.
import {
  type CostCalibration,
  estimatedRunSeconds,
  estimatedSeconds,
  fitCalibration,
  RUN_OVERHEAD,
} from '../../src/plan/cost-model';
import { mulberry32 } from '../../src/random';

const total = (jobs: { seconds: number }[]) => jobs.reduce((s, j) => s + j.seconds, 0);

test('jobs that cost 0.3 s each plus 0.02 s per unit are fitted to those terms, kind by kind', () => {
  const random = mulberry32(3);
  const jobs = Array.from({ length: 40 }, (_, i) => {
    const units = 1 + Math.floor(random() * 500);
    return i % 2
      ? { kind: 'train', units, seconds: 0.3 + 0.02 * units }
      : { kind: 'chunk', units, seconds: 0.001 * units };
  });
  const { kinds } = fitCalibration(jobs, 'test');
  expect(kinds.train.perJob).toBeCloseTo(0.3, 9);
  expect(kinds.train.perUnit).toBeCloseTo(0.02, 9);
  expect(kinds.chunk.perJob).toBeCloseTo(0, 9);
  expect(kinds.chunk.perUnit).toBeCloseTo(0.001, 9);
  expect(kinds.train.jobs).toBe(20);
});

test('one size only, or noisy times that would make a term negative: the kind total is kept', () => {
  const same = [1, 2, 3].map((s) => ({ kind: 'k', units: 5, seconds: s }));
  const fitted = fitCalibration(same, 'test').kinds.k;
  expect(fitted).toEqual({ perJob: 0, perUnit: Number((total(same) / 15).toPrecision(4)), jobs: 3 });
  // Bigger jobs measured faster: the mean time per job.
  const inverted = [
    { kind: 'k', units: 1, seconds: 3 },
    { kind: 'k', units: 10, seconds: 1 },
  ];
  expect(fitCalibration(inverted, 'test').kinds.k).toEqual({ perJob: 2, perUnit: 0, jobs: 2 });
  // A negative fixed part: through the origin.
  const steep = [
    { kind: 'k', units: 10, seconds: 1 },
    { kind: 'k', units: 20, seconds: 3 },
  ];
  expect(fitCalibration(steep, 'test').kinds.k).toEqual({ perJob: 0, perUnit: 0.1333, jobs: 2 });
});

test('estimates: calibrated kinds, unknown kinds at one second per unit, the run overhead per job run', () => {
  const table: CostCalibration = {
    measured: 'test',
    kinds: {
      train: { perJob: 1, perUnit: 0.5, jobs: 3 },
      [RUN_OVERHEAD]: { perJob: 2, perUnit: 0.1, jobs: 4 },
    },
  };
  expect(estimatedSeconds('train', 10, table)).toBe(6);
  expect(estimatedSeconds('new-kind', 7, table)).toBe(7);
  const jobs = [
    { kind: 'train', units: 10 },
    { kind: 'new-kind', units: 7 },
  ];
  expect(estimatedRunSeconds(jobs, table)).toBeCloseTo(6 + 7 + 2 + 0.2, 12);
  expect(estimatedRunSeconds([], table)).toBe(0);
  expect(estimatedRunSeconds(jobs, { measured: 'none', kinds: {} })).toBe(17);
});
