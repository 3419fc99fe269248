// The batch normalization verdicts are pure functions of the measured numbers: synthetic
// results that show the claimed effect are `supported`, the opposite `not supported`, seeds
// that disagree `inconclusive`. And the batch-norm network is Figure 1 with batch norm after
// each conv, as configs/architectures.json writes it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { batchSizeVerdicts, type BatchNormTrainResult } from '../../src/kinds/claims/batch-norm-batch-size';
import { networkLayers, withBatchNormalization } from '../../src/claims/batch-norm-network';
import { stepTimeVerdicts, type StepBenchResult } from '../../src/kinds/claims/batch-norm-step-time';
import { median } from '../../src/statistics';
import { testBatchVerdicts, type TestBatchEvalResult } from '../../src/kinds/claims/batch-norm-test-batch';
import { figure1Layers } from '../../src/models/layers';

const SEEDS = [1, 2, 3];
const SIZES = [2, 32, 128];

/** Results where batch norm's test accuracy and loss sd at each batch size come from `bn(batchSize, seed)`. */
function trainResults(
  bn: (batchSize: number, seed: number) => { accuracy: number; lossSd: number },
): BatchNormTrainResult[] {
  return SIZES.flatMap((batchSize) =>
    SEEDS.flatMap((seed) => {
      const base = {
        seed,
        batchSize,
        epochs: 2,
        trainAccuracy: 0.9,
        lastEpochLossMean: 0.3,
        lastEpochSteps: 10,
        seconds: 1,
      };
      const { accuracy, lossSd } = bn(batchSize, seed);
      return [
        { ...base, network: 'plain' as const, testAccuracy: 0.9, lastEpochLossSd: 0.2 },
        { ...base, network: 'batch-norm' as const, testAccuracy: accuracy, lastEpochLossSd: lossSd },
      ];
    }),
  );
}

const verdicts = (rows: { verdict: string }[]) => rows.map((r) => r.verdict);

describe('P1(3) small batches', () => {
  test('batch norm worse and noisier than plain at batch 2, better and calmer at 128: supported', () => {
    const rows = batchSizeVerdicts(
      trainResults((b, seed) =>
        b === 2 ? { accuracy: 0.87 + seed / 100, lossSd: 0.4 } : { accuracy: 0.95, lossSd: 0.2 - seed / 100 },
      ),
      SIZES,
      SEEDS,
    );
    expect(verdicts(rows)).toEqual(['supported', 'supported']);
    expect(rows[0].measure).toBe('test accuracy gain of batch norm over plain, at batch 2 − at batch 128');
    expect(rows[0].effect).toBeCloseTo((0.89 - 0.95) * 100, 8);
    expect(rows[1].effect).toBeCloseTo(2 - (0.2 - 0.02) / 0.2, 8);
  });

  test('the same numbers the other way round: not supported', () => {
    const rows = batchSizeVerdicts(
      trainResults((b, seed) =>
        b === 128
          ? { accuracy: 0.87 + seed / 100, lossSd: 0.4 }
          : { accuracy: 0.95, lossSd: 0.2 - seed / 100 },
      ),
      SIZES,
      SEEDS,
    );
    expect(verdicts(rows)).toEqual(['not supported', 'not supported']);
  });

  test('one seed against the others: inconclusive', () => {
    const rows = batchSizeVerdicts(
      trainResults((b, seed) =>
        b === 2 && seed !== 3 ? { accuracy: 0.87, lossSd: 0.4 } : { accuracy: 0.95, lossSd: 0.2 },
      ),
      SIZES,
      SEEDS,
    );
    expect(verdicts(rows)).toEqual(['inconclusive', 'inconclusive']);
  });

  test('models below the accuracy floor: inconclusive, naming the accuracy', () => {
    const rows = batchSizeVerdicts(
      trainResults((b) => (b === 2 ? { accuracy: 0.46, lossSd: 0.4 } : { accuracy: 0.95, lossSd: 0.2 })),
      SIZES,
      SEEDS,
    );
    expect(verdicts(rows)).toEqual(['inconclusive', 'inconclusive']);
    expect(rows[0].reason).toBe('inconclusive: models undertrained (46 % test accuracy, floor 86 %)');
  });

  test('a missing run is an error naming it', () => {
    const results = trainResults(() => ({ accuracy: 0.9, lossSd: 0.2 })).filter(
      (r) => !(r.batchSize === 128 && r.network === 'plain' && r.seed === 2),
    );
    expect(() => batchSizeVerdicts(results, SIZES, SEEDS)).toThrow('no result for batch=128/plain/seed=2');
  });
});

describe('P1(3) time per step', () => {
  const bench = (bnMs: (batchSize: number, seed: number) => number): StepBenchResult[] =>
    SEEDS.map((seed) => ({
      seed,
      paths: { plain: 'fused step', 'batch-norm': 'fused step' },
      timings: SIZES.map((batchSize) => ({
        batchSize,
        plainMs: batchSize / 4,
        batchNormMs: bnMs(batchSize, seed),
        plainRounds: [],
        batchNormRounds: [],
        plainFastestMs: 0,
        batchNormFastestMs: 0,
      })),
    }));

  test('one verdict per batch size, flipping with the numbers', () => {
    expect(
      verdicts(
        stepTimeVerdicts(
          bench((b, seed) => b + seed),
          SIZES,
        ),
      ),
    ).toEqual(['supported', 'supported', 'supported']);
    // Slower only at batch 2; faster at 32; at 128 one seed slower, two faster.
    const mixed = stepTimeVerdicts(
      bench((b, seed) => (b === 2 ? 5 : b === 32 ? 1 : seed === 1 ? 40 : 20)),
      SIZES,
    );
    expect(verdicts(mixed)).toEqual(['supported', 'not supported', 'inconclusive']);
    expect(mixed[1].measure).toBe(
      'ms per training step at batch 32, batch norm ÷ plain (timed both by the fused step) − 1',
    );
    expect(mixed[1].reason).toBe('the interval falls short of +0.2; no PyTorch reference (not run)');
    const withTorch = stepTimeVerdicts(
      bench((b) => b),
      SIZES,
      undefined,
      {
        available: true,
        torch: '2.1',
        timings: [{ batchSize: 2, plainMs: 1, batchNormMs: 1.5 }],
      },
    );
    expect(withTorch[0].reason).toBe('the interval is beyond +0.2; PyTorch 2.1: 1.5×');
    expect(withTorch[1].reason).toBe('the interval is beyond +0.2; no PyTorch timing at this batch size');
  });

  test('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of no values');
  });
});

describe('P1(4) small test batches', () => {
  const evals = (atOne: (seed: number) => number): TestBatchEvalResult[] =>
    SEEDS.map((seed) => ({
      trainAccuracy: 0.95,
      movingAccuracy: 0.94,
      movingLoss: 0.2,
      batchStatistics: [
        { batchSize: 1, accuracy: atOne(seed), loss: 1 },
        { batchSize: 1000, accuracy: 0.94, loss: 0.2 },
      ],
      testImages: 100,
      trainImages: 100,
    }));

  test('worse at test batch 1 than with moving averages and than training: supported; better: not supported', () => {
    expect(
      verdicts(
        testBatchVerdicts(
          evals((seed) => 0.5 + seed / 100),
          [1, 1000],
        ),
      ),
    ).toEqual(['supported', 'supported']);
    expect(
      verdicts(
        testBatchVerdicts(
          evals((seed) => 0.97 + seed / 1000),
          [1, 1000],
        ),
      ),
    ).toEqual(['not supported', 'not supported']);
    // Between the two references: worse than training, better than the moving averages.
    expect(
      verdicts(
        testBatchVerdicts(
          evals(() => 0.942),
          [1, 1000],
        ),
      ),
    ).toEqual(['not supported', 'supported']);
  });
});

describe('the batch-norm network', () => {
  test('Figure 1 with batch norm after each conv is configs/architectures.json’s "batchnorm"', () => {
    const config = JSON.parse(readFileSync(path.join(__dirname, '../../configs/architectures.json'), 'utf8'));
    const written = config.experiments.find((e: { name: string }) => e.name === 'batchnorm').layers;
    // architectures.json ends in a dense layer without activation (softmax is added when building).
    const { activation: _softmax, ...dense } = withBatchNormalization(figure1Layers(0.2)).at(-1) as {
      activation?: string;
    };
    expect([...withBatchNormalization(figure1Layers(0.2)).slice(0, -1), dense]).toEqual(written);
    expect(networkLayers(undefined, 0.3, 'plain')).toEqual(figure1Layers(0.3));
  });

  test('a linear conv gets no activation layer after its batch norm', () => {
    expect(
      withBatchNormalization([{ type: 'conv2d', filters: 2, kernelSize: 3, activation: 'linear' }]),
    ).toEqual([{ type: 'conv2d', filters: 2, kernelSize: 3 }, { type: 'batchNormalization' }]);
  });
});
