// The dropout claims' verdicts are pure functions of the measured numbers: synthetic measures
// in the claimed direction give `supported`, the same measures reversed `not supported`, seeds
// that disagree `inconclusive`.
import type { EpochRow } from '../../src/kinds/curves';
import {
  convergenceVerdict,
  epochsToTarget,
  modelConvergence,
  type ModelConvergence,
} from '../../src/kinds/claims/dropout-convergence';
import { capacityVerdicts, type CapacityMeasure } from '../../src/kinds/claims/dropout-capacity';
import { seedByRate } from '../../src/kinds/claims/dropout-models';
import { sparsityVerdict, zeroShares, type SparsityMeasure } from '../../src/kinds/claims/dropout-sparsity';
import {
  dropoutOrder,
  pairedByOrder,
  varianceShiftVerdicts,
  type Order,
  type VarianceShiftMeasure,
} from '../../src/kinds/claims/dropout-variance-shift';

const RATES = [0, 0.1, 0.2, 0.3, 0.5];
const SEEDS = [1, 2, 3];

/** One model per rate and seed, built by `make`. */
function grid<T>(make: (rate: number, seed: number, rank: number) => T): T[] {
  return SEEDS.flatMap((seed) => RATES.map((rate, rank) => make(rate, seed, rank)));
}

function history(valAccuracy: number[]): EpochRow[] {
  return valAccuracy.map((v, i) => ({
    model: 'm',
    epoch: i + 1,
    loss: 1,
    accuracy: v,
    valLoss: 1,
    valAccuracy: v,
  }));
}

/** A validation curve that rises by `step` an epoch from 0.5. */
const curve = (step: number, epochs = 10) =>
  Array.from({ length: epochs }, (_, i) => Math.min(0.99, 0.5 + step * (i + 1)));

function convergence(step: (rank: number, seed: number) => number): ModelConvergence[] {
  return grid((rate, seed, rank) =>
    modelConvergence(
      `dropout=${rate},seed=${seed}`,
      rate,
      { seed, testAccuracy: 0.9 },
      history(curve(step(rank, seed))),
      0.9,
    ),
  );
}

describe('epochs to a target validation accuracy', () => {
  test('interpolates between the epoch before and the epoch that reaches it', () => {
    expect(epochsToTarget([0.5, 0.8, 0.95], 0.9)).toBeCloseTo(2 + 0.1 / 0.15, 12);
    expect(epochsToTarget([0.5, 0.9], 0.9)).toBe(2);
  });
  test('is 1 when the first epoch reaches it, null when no epoch does', () => {
    expect(epochsToTarget([0.95, 0.97], 0.9)).toBe(1);
    expect(epochsToTarget([0.5, 0.8, 0.85], 0.9)).toBeNull();
    expect(epochsToTarget([null, 0.95], 0.9)).toBe(2);
  });
  test('a history without validation accuracy is refused, naming the model and the fix', () => {
    const rows = history([0.5]).map((r) => ({ ...r, valAccuracy: null }));
    expect(() => modelConvergence('dropout=0,seed=1', 0, { seed: 1, testAccuracy: 0.5 }, rows, 0.9)).toThrow(
      'dropout=0,seed=1: its training recorded no validation accuracy: train it with validationSplit > 0',
    );
  });
});

describe('P1(1) convergence verdict', () => {
  test('slower curves at higher rates: supported; faster: not supported; seeds that disagree: inconclusive', () => {
    expect(
      convergenceVerdict(
        convergence((rank) => 0.1 - 0.015 * rank),
        0.9,
      ).verdict,
    ).toBe('supported');
    expect(
      convergenceVerdict(
        convergence((rank) => 0.04 + 0.015 * rank),
        0.9,
      ).verdict,
    ).toBe('not supported');
    const mixed = convergence((rank, seed) => (seed === 2 ? 0.04 + 0.015 * rank : 0.1 - 0.015 * rank));
    expect(convergenceVerdict(mixed, 0.9).verdict).toBe('inconclusive');
  });

  test('a model that never reaches the target ranks after its last epoch, and the rule says so', () => {
    // Rate 0.5 never reaches 0.9 in 10 epochs: still the slowest.
    const models = convergence((rank) => (rank === 4 ? 0.01 : 0.1 - 0.015 * rank));
    expect(models.filter((m) => m.epochsToTarget === null)).toHaveLength(3);
    const row = convergenceVerdict(models, 0.9);
    expect(row.verdict).toBe('supported');
    expect(row.reason).toMatch(/3 model\(s\) never reached 0\.9: counted as one epoch after their last$/);
  });

  test('every seed needs every rate', () => {
    const models = convergence((rank) => 0.1 - 0.015 * rank).filter((m) => !(m.seed === 2 && m.rate === 0.3));
    expect(() => convergenceVerdict(models, 0.9)).toThrow(
      /expected one model with dropout 0.3 and seed 2, found 0/,
    );
  });
});

function capacity(gap: (rank: number, seed: number) => number): CapacityMeasure[] {
  return grid((rate, seed, rank) => ({
    model: `dropout=${rate},seed=${seed}`,
    rate,
    seed,
    testAccuracy: 0.95,
    images: 100,
    inferenceAccuracy: 0.9,
    activeAccuracy: 0.9 - gap(rank, seed),
  }));
}

describe('P1(1) capacity verdicts', () => {
  test('accuracy falls further below with dropout active as the rate grows: both rows supported', () => {
    const rows = capacityVerdicts(capacity((rank, seed) => 0.05 * rank + 0.001 * seed));
    expect(rows.map((r) => r.verdict)).toEqual(['supported', 'supported']);
    expect(rows[1].measure).toBe('training accuracy at dropout 0.5, active − off');
    expect(rows[1].unit).toBe('accuracy points');
    expect(rows[1].effect).toBeCloseTo(-20.2, 9);
    expect(rows[0].images).toBe(100);
  });
  test('dropout active scoring higher, more so at higher rates: both rows not supported', () => {
    const rows = capacityVerdicts(capacity((rank, seed) => -0.05 * rank - 0.001 * seed));
    expect(rows.map((r) => r.verdict)).toEqual(['not supported', 'not supported']);
  });
  test('a gap within the seeds’ spread: inconclusive', () => {
    const rows = capacityVerdicts(capacity((rank, seed) => (seed === 1 ? 0.05 * rank : -0.05 * rank)));
    expect(rows.map((r) => r.verdict)).toEqual(['inconclusive', 'inconclusive']);
  });
});

function sparsity(zero: (rank: number, seed: number) => number): SparsityMeasure[] {
  return grid((rate, seed, rank) => ({
    model: `dropout=${rate},seed=${seed}`,
    rate,
    seed,
    testAccuracy: 0.95,
    images: 10,
    layers: [{ layer: 'conv2d', units: 4, zeroShare: zero(rank, seed), nearZeroShare: zero(rank, seed) }],
    meanZeroShare: zero(rank, seed),
  }));
}

describe('P1(1) sparsity verdict', () => {
  test('more zeros at higher rates: supported; fewer: not supported; disagreeing seeds: inconclusive', () => {
    expect(sparsityVerdict(sparsity((rank) => 0.3 + 0.05 * rank)).verdict).toBe('supported');
    expect(sparsityVerdict(sparsity((rank) => 0.5 - 0.05 * rank)).verdict).toBe('not supported');
    expect(sparsityVerdict(sparsity((rank, seed) => 0.3 + (seed === 1 ? 0.05 : -0.05) * rank)).verdict).toBe(
      'inconclusive',
    );
  });

  test('zero and near-zero shares of a layer', () => {
    // Mean non-zero 1 (0.005, 0.995, 2 → 3 / 3); near zero: ≤ 0.01 of it.
    const shares = zeroShares(Float32Array.from([0, 0, 0.005, 0.995, 2]), 0.01);
    expect(shares.zeroShare).toBeCloseTo(0.4, 12);
    expect(shares.nearZeroShare).toBeCloseTo(0.6, 12);
    expect(zeroShares(new Float32Array(4), 0.01)).toEqual({ zeroShare: 1, nearZeroShare: 1 });
  });
});

function variance(
  order: Order,
  seed: number,
  v: { training: number; inference: number; moving: number; accuracy: number },
): VarianceShiftMeasure {
  return {
    model: `${order},seed=${seed}`,
    seed,
    rate: 0.5,
    order,
    layer: 'batch_normalization',
    images: 100,
    trainingVariance: v.training,
    inferenceVariance: v.inference,
    movingVariance: v.moving,
    testAccuracy: v.accuracy,
  };
}

describe('P1(5) variance-shift verdicts', () => {
  const dropoutFirst = (seed: number) =>
    variance('dropout → BN', seed, {
      training: 2 + 0.1 * seed,
      inference: 1,
      moving: 1.9,
      accuracy: 0.88 + 0.01 * seed,
    });
  const bnFirst = (seed: number) =>
    variance('BN → dropout', seed, { training: 1, inference: 1, moving: 1.02, accuracy: 0.94 + 0.01 * seed });

  test('a shift only with dropout before BN, and lower accuracy there: all three rows supported', () => {
    const rows = varianceShiftVerdicts(SEEDS.flatMap((s) => [dropoutFirst(s), bnFirst(s)]));
    expect(rows.map((r) => r.verdict)).toEqual(['supported', 'supported', 'supported']);
    expect(rows[0].effect).toBeCloseTo(1.2, 9);
    expect(rows[2].measure).toBe('test accuracy, dropout → BN − BN → dropout');
  });

  test('the same numbers with the orders swapped: all three rows not supported', () => {
    const swap = (m: VarianceShiftMeasure): VarianceShiftMeasure => ({
      ...m,
      order: m.order === 'dropout → BN' ? 'BN → dropout' : 'dropout → BN',
    });
    const rows = varianceShiftVerdicts(SEEDS.flatMap((s) => [dropoutFirst(s), bnFirst(s)]).map(swap));
    expect(rows.map((r) => r.verdict)).toEqual(['not supported', 'not supported', 'not supported']);
  });

  test('every seed needs both orders', () => {
    expect(() => pairedByOrder([dropoutFirst(1), dropoutFirst(2), bnFirst(1)])).toThrow(
      'expected one model of each order (dropout → BN, BN → dropout) per seed; got seeds [1, 2] with dropout before and [1] after',
    );
  });

  test('where the dropout sits relative to the first batch normalization', () => {
    const classes = ['Conv2D', 'Flatten', 'Dropout', 'BatchNormalization', 'Dense'];
    expect(dropoutOrder(classes, [0, 0, 0.5, 0, 0], 3)).toBe('dropout → BN');
    expect(dropoutOrder(classes, [0, 0, 0, 0, 0], 3)).toBeNull();
    const after = ['Conv2D', 'BatchNormalization', 'Flatten', 'Dropout', 'Dense'];
    expect(dropoutOrder(after, [0, 0, 0, 0.2, 0], 1)).toBe('BN → dropout');
  });
});

test('seed × rate tables put every seed’s values in rate order', () => {
  const table = seedByRate(
    [
      { model: 'b', rate: 0.5, seed: 2, testAccuracy: 0.9, v: 4 },
      { model: 'a', rate: 0, seed: 2, testAccuracy: 0.9, v: 3 },
      { model: 'c', rate: 0.5, seed: 1, testAccuracy: 0.9, v: 2 },
      { model: 'd', rate: 0, seed: 1, testAccuracy: 0.9, v: 1 },
    ],
    (m) => m.v,
  );
  expect(table).toEqual({
    rates: [0, 0.5],
    seeds: [1, 2],
    values: [
      [1, 2],
      [3, 4],
    ],
  });
});
