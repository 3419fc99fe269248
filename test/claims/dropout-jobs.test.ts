// The dropout claims' jobs on real, briefly trained models (a small MNIST subset): each
// measuring job's numbers, each gathering job's tables, chart and verdict.csv, and the plan a
// config of them makes.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  capacityMeasureJob,
  CAPACITY_MARGINS,
  dropoutCapacityJob,
  type CapacityMeasure,
} from '../../src/kinds/claims/dropout-capacity';
import {
  CONVERGENCE_CLAIM,
  CONVERGENCE_MARGINS,
  dropoutConvergenceJob,
} from '../../src/kinds/claims/dropout-convergence';
import { defaultVerdictSettings } from '../../src/claims/evidence';
import {
  dropoutSparsityJob,
  SPARSITY_MARGINS,
  sparsityMeasureJob,
  type SparsityMeasure,
} from '../../src/kinds/claims/dropout-sparsity';
import {
  dropoutVarianceShiftJob,
  VARIANCE_SHIFT_MARGINS,
  varianceShiftMeasureJob,
  type VarianceShiftMeasure,
} from '../../src/kinds/claims/dropout-variance-shift';
import { readVerdictCsv, VERDICT_FILE } from '../../src/claims/verdict';
import { ConfigError } from '../../src/config-errors';
import { loadConfig } from '../../src/config/load';
import { experimentKinds, jobKinds } from '../../src/jobs/registry';
import type { JobKind, NeededJob } from '../../src/jobs/kind';
import type { TrainParams } from '../../src/kinds/train';
import type { LayerSpec } from '../../src/models/layers';
import { trainingSpecSchema } from '../../src/models/training-spec';
import { buildPlan } from '../../src/plan/build-plan';
import { writeConfig } from '../helpers/runner';
import { jobContext, trainSmallModel } from '../helpers/small-model';
import { tempDir } from '../helpers/temp-dir';

const DATA = { source: 'mnist', train: { first: 500 }, test: { first: 200 } } as const;
const SETTING = { data: DATA, backend: 'wasm' } as const;

function params(seed: number, dropout: number, layers?: LayerSpec[]): TrainParams {
  return {
    seed,
    data: DATA,
    backend: 'wasm',
    training: trainingSpecSchema.parse({ epochs: 2, learningRate: 0.003, validationSplit: 0.2, dropout }),
    ...(layers ? { layers } : {}),
  };
}

async function trained(key: string, p: TrainParams): Promise<NeededJob> {
  return { ...(await trainSmallModel(p)), key };
}

function csv(dir: string, file: string): Record<string, string>[] {
  return parse(readFileSync(path.join(dir, 'tables', file), 'utf8'), { columns: true });
}

/** A measuring job's result on one trained model. */
async function measure<T>(job: JobKind, jobParams: object, need: NeededJob): Promise<T> {
  return (await job.run(jobParams, jobContext(tempDir(), { model: need }))) as T;
}

/** Measuring jobs' (of kind `kind`) results as a gathering job's needs. */
function asNeeds(kind: JobKind, results: { model: string }[]): Record<string, NeededJob> {
  return Object.fromEntries(
    results.map((r, i) => [r.model, { id: `m${i}`, kind: kind.kind, dir: tempDir(), result: r as never }]),
  );
}

const RATED: [number, number][] = [
  [0, 1],
  [0.5, 1],
  [0, 2],
  [0.5, 2],
];
let figure1: NeededJob[];

beforeAll(async () => {
  figure1 = [];
  for (const [rate, seed] of RATED)
    figure1.push(await trained(`rates/dropout=${rate}/seed=${seed}`, params(seed, rate)));
});

test('convergence: one row per model, per rate, per epoch; the chart; one verdict row', async () => {
  const dir = tempDir();
  const needs = Object.fromEntries(figure1.map((n) => [n.key!, n]));
  await dropoutConvergenceJob.run(
    { targetAccuracy: 0.3, verdict: defaultVerdictSettings(CONVERGENCE_MARGINS) },
    jobContext(dir, needs),
  );
  const rows = csv(dir, 'convergence.csv');
  expect(rows.map((r) => [r.dropout, r.seed])).toEqual([
    ['0', '1'],
    ['0', '2'],
    ['0.5', '1'],
    ['0.5', '2'],
  ]);
  expect(Object.keys(rows[0])).toEqual([
    'model',
    'dropout',
    'seed',
    'epochs',
    'target_accuracy',
    'epochs_to_target',
    'final_val_accuracy',
    'test_accuracy',
  ]);
  expect(csv(dir, 'convergence_by_rate.csv').map((r) => r.dropout)).toEqual(['0', '0.5']);
  expect(csv(dir, 'validation_curves.csv')).toHaveLength(4 * 2);
  expect(existsSync(path.join(dir, 'figures/validation_accuracy.png'))).toBe(true);
  const verdicts = readVerdictCsv(path.join(dir, VERDICT_FILE));
  expect(verdicts.map((v) => v.claim)).toEqual([CONVERGENCE_CLAIM]);
});

test('capacity: dropout 0 scores the same active and off; the tables and two verdict rows', async () => {
  const measures: CapacityMeasure[] = [];
  for (const need of figure1)
    measures.push(await measure<CapacityMeasure>(capacityMeasureJob, { ...SETTING, images: 300 }, need));
  expect(measures.map((m) => [m.rate, m.seed, m.images])).toEqual(RATED.map(([r, s]) => [r, s, 300]));
  for (const m of measures.filter((m) => m.rate === 0)) expect(m.activeAccuracy).toBe(m.inferenceAccuracy);
  // Masks drawn: rate 0.5 on 8 features changes some of 300 predictions.
  for (const m of measures.filter((m) => m.rate === 0.5))
    expect(m.activeAccuracy).not.toBe(m.inferenceAccuracy);
  const dir = tempDir();
  await dropoutCapacityJob.run(
    { verdict: defaultVerdictSettings(CAPACITY_MARGINS) },
    jobContext(dir, asNeeds(capacityMeasureJob, measures)),
  );
  expect(csv(dir, 'capacity.csv')).toHaveLength(4);
  expect(csv(dir, 'capacity_by_rate.csv').map((r) => [r.dropout, r.gap_mean])).toEqual([
    ['0', '0.0000'],
    ['0.5', expect.any(String)],
  ]);
  expect(readVerdictCsv(path.join(dir, VERDICT_FILE))).toHaveLength(2);
});

test('sparsity: every ReLU layer of every model; shares in 0..1, near zero ≥ zero; one verdict row', async () => {
  const measures: SparsityMeasure[] = [];
  for (const need of figure1)
    measures.push(
      await measure<SparsityMeasure>(sparsityMeasureJob, { ...SETTING, images: 50, nearZero: 0.01 }, need),
    );
  for (const m of measures) {
    expect(m.layers.map((l) => [l.layer, l.units])).toEqual([
      ['conv2d', 26 * 26 * 12],
      ['conv2d_1', 11 * 11 * 12],
      ['conv2d_2', 3 * 3 * 8],
    ]);
    for (const l of m.layers) {
      expect(l.zeroShare).toBeGreaterThan(0);
      expect(l.zeroShare).toBeLessThanOrEqual(l.nearZeroShare);
      expect(l.nearZeroShare).toBeLessThanOrEqual(1);
    }
  }
  const dir = tempDir();
  await dropoutSparsityJob.run(
    { verdict: defaultVerdictSettings(SPARSITY_MARGINS) },
    jobContext(dir, asNeeds(sparsityMeasureJob, measures)),
  );
  expect(csv(dir, 'sparsity.csv')).toHaveLength(4 * 3);
  expect(csv(dir, 'sparsity_by_rate.csv').map((r) => `${r.layer}@${r.dropout}`)).toEqual([
    'conv2d@0',
    'conv2d@0.5',
    'conv2d_1@0',
    'conv2d_1@0.5',
    'conv2d_2@0',
    'conv2d_2@0.5',
    'mean@0',
    'mean@0.5',
  ]);
  expect(existsSync(path.join(dir, 'figures/zero_share.png'))).toBe(true);
  expect(readVerdictCsv(path.join(dir, VERDICT_FILE))).toHaveLength(1);
});

const head = (order: LayerSpec[]): LayerSpec[] => [
  { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 4 },
  { type: 'flatten' },
  ...order,
  { type: 'dense', units: 16, activation: 'relu' },
  { type: 'dense', units: 10 },
];
const DROPOUT_FIRST = head([{ type: 'dropout', rate: 0.5 }, { type: 'batchNormalization' }]);
const BN_FIRST = head([{ type: 'batchNormalization' }, { type: 'dropout', rate: 0.5 }]);

test('variance shift: dropout before BN widens its input in training, after it does not; tables and three verdict rows', async () => {
  const measures: VarianceShiftMeasure[] = [];
  for (const [name, layers] of [
    ['before', DROPOUT_FIRST],
    ['after', BN_FIRST],
  ] as const) {
    const need = await trained(`order/${name}/seed=1`, params(1, 0, layers));
    measures.push(
      await measure<VarianceShiftMeasure>(varianceShiftMeasureJob, { ...SETTING, images: 100 }, need),
    );
    // A dense ReLU layer counts too (its output is flat).
    const sparsity = await measure<SparsityMeasure>(
      sparsityMeasureJob,
      { ...SETTING, images: 20, nearZero: 0.01 },
      need,
    );
    expect(sparsity.layers.map((l) => [l.layer, l.units])).toEqual([
      ['conv2d', 26 * 26 * 4],
      ['dense', 16],
    ]);
  }
  const [before, after] = measures;
  expect([before.order, after.order]).toEqual(['dropout → BN', 'BN → dropout']);
  expect(before.rate).toBe(0.5);
  // Inverted dropout at 0.5 keeps the mean and at least doubles E[x²]: the variance grows.
  expect(before.trainingVariance).toBeGreaterThan(1.5 * before.inferenceVariance);
  expect(after.trainingVariance).toBeCloseTo(after.inferenceVariance, 4);
  const dir = tempDir();
  await dropoutVarianceShiftJob.run(
    { verdict: defaultVerdictSettings(VARIANCE_SHIFT_MARGINS) },
    jobContext(dir, asNeeds(varianceShiftMeasureJob, measures)),
  );
  expect(csv(dir, 'variance_shift.csv').map((r) => r.order)).toEqual(['dropout → BN', 'BN → dropout']);
  expect(csv(dir, 'variance_shift_by_order.csv')).toHaveLength(2);
  expect(existsSync(path.join(dir, 'figures/variances.png'))).toBe(true);
  const verdicts = readVerdictCsv(path.join(dir, VERDICT_FILE));
  expect(verdicts).toHaveLength(3);
  // One seed of each order: too little to judge, and the verdict says what is missing.
  expect(verdicts[0].verdict).toBe('insufficient evidence');
  expect(verdicts[0].reason).toBe('insufficient evidence: 1 seed of the 3 needed');
  expect(verdicts[0].images).toBe(100);
});

describe('planning', () => {
  const plan = (experiments: object[]) => {
    const dir = tempDir('probelab-dropout-plan-');
    writeConfig(dir, 'claims.json', { defaults: { data: DATA, seeds: [1, 2] }, experiments });
    return buildPlan(loadConfig('claims.json', experimentKinds, dir), jobKinds);
  };
  const rates = { name: 'rates', kind: 'train', sweep: { dropout: [0, 0.5] } };

  test('one measuring job per model and one gathering job that publishes the tables and verdict.csv', () => {
    const jobs = plan([rates, { name: 'capacity', kind: 'dropout-capacity', model: 'rates' }]).jobs;
    const measuring = jobs.filter((j) => j.kind === 'dropout-capacity-model');
    expect(measuring.map((j) => j.key)).toEqual([
      'capacity/rates/dropout=0/seed=1',
      'capacity/rates/dropout=0/seed=2',
      'capacity/rates/dropout=0.5/seed=1',
      'capacity/rates/dropout=0.5/seed=2',
    ]);
    const gather = jobs.find((j) => j.kind === 'dropout-capacity')!;
    expect(gather.key).toBe('capacity');
    expect(Object.keys(gather.needs)).toHaveLength(4);
    expect(gather.publish).toContain(VERDICT_FILE);
  });

  test('models can come from several train experiments (a rate another experiment already trains)', () => {
    const jobs = plan([
      rates,
      { name: 'figure1', kind: 'train', dropout: 0.2 },
      { name: 'convergence', kind: 'dropout-convergence', model: ['rates', 'figure1'] },
    ]).jobs;
    expect(Object.keys(jobs.find((j) => j.kind === 'dropout-convergence')!.needs)).toEqual([
      'rates/dropout=0/seed=1',
      'rates/dropout=0/seed=2',
      'rates/dropout=0.5/seed=1',
      'rates/dropout=0.5/seed=2',
      'figure1/seed=1',
      'figure1/seed=2',
    ]);
  });

  test('a claim naming an experiment that is not there is refused before anything runs', () => {
    expect(() => plan([rates, { name: 'convergence', kind: 'dropout-convergence', model: 'nope' }])).toThrow(
      ConfigError,
    );
  });
});
