// The three batch normalization claims run end to end on a small real MNIST subset through the
// real runner and worker pool (dist/workers/job.js: build first): every table has the expected
// rows and columns, every verdict.csv is well formed; and bad configs are refused at planning.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError } from '../../src/config-errors';
import { loadConfig } from '../../src/config/load';
import { readVerdictCsv, VERDICTS } from '../../src/claims/verdict';
import { experimentKinds, jobKinds } from '../../src/jobs/registry';
import { buildPlan } from '../../src/plan/build-plan';
import { runExperiments } from '../../src/runner/run';

const root = path.join(__dirname, '../..');
const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-batch-norm-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const BN_MODEL = [
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2 },
  { type: 'batchNormalization', momentum: 0.8 },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 10 },
];
const SMALL_PLAIN = [
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 10 },
];
const CONFIG = {
  name: 'bn',
  defaults: {
    data: { source: 'mnist', train: { first: 240 }, test: { first: 60 } },
    seeds: [1, 2],
    training: { epochs: 2, validationSplit: 0 },
  },
  experiments: [
    { name: 'small-batches', kind: 'batch-norm-batch-size', batchSizes: [4, 8, 60], layers: SMALL_PLAIN },
    {
      name: 'step-time',
      kind: 'batch-norm-step-time',
      batchSizes: [2, 16],
      layers: SMALL_PLAIN,
      warmupSteps: 1,
      timedSteps: 3,
      rounds: 2,
    },
    { name: 'bn-model', kind: 'train', layers: BN_MODEL, batchSize: 8 },
    { name: 'test-batch', kind: 'batch-norm-test-batch', model: 'bn-model', testBatchSizes: [1, 7, 60] },
  ],
};

const runDir = path.join(out, 'bn');
const table = (file: string) =>
  parse(readFileSync(path.join(runDir, 'tables', file), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
const columns = (file: string) => Object.keys(table(file)[0]);

beforeAll(async () => {
  const configFile = path.join(out, 'bn.json');
  writeFileSync(configFile, JSON.stringify(CONFIG, null, 2));
  const summary = await runExperiments({
    config: configFile,
    out,
    cwd: root,
    workers: 2,
    progress: 'none',
    log: () => {},
  });
  expect(summary.failures).toEqual([]);
  expect(summary.exitCode).toBe(0);
});

describe('batch normalization claims on a small real subset', () => {
  test('small batches: a run per batch size, network and seed; a summary per batch size and network; two verdicts', () => {
    const runs = table('small-batches/verdict/runs.csv');
    expect(runs.map((r) => `${r.batch_size} ${r.network} ${r.seed}`)).toEqual(
      [4, 8, 60].flatMap((b) => ['plain', 'batch-norm'].flatMap((n) => [`${b} ${n} 1`, `${b} ${n} 2`])),
    );
    // 240 images, no validation: 60, 30 and 4 steps in the last epoch.
    expect(runs.map((r) => Number(r.last_epoch_steps))).toEqual([60, 60, 60, 60, 30, 30, 30, 30, 4, 4, 4, 4]);
    for (const r of runs) expect(Number(r.last_epoch_loss_sd)).toBeGreaterThan(0);
    expect(columns('small-batches/verdict/summary.csv')).toEqual([
      'batch_size',
      'network',
      'seeds',
      'test_accuracy_mean',
      'test_accuracy_sd',
      'last_epoch_loss_sd_mean',
      'last_epoch_loss_sd_sd',
    ]);
    expect(table('small-batches/verdict/summary.csv')).toHaveLength(6);
    expect(table('small-batches/verdict/batch_norm_effect.csv').map((r) => r.batch_size)).toEqual([
      '4',
      '8',
      '60',
    ]);
    const verdicts = readVerdictCsv(path.join(runDir, 'tables/small-batches/verdict/verdict.csv'));
    expect(verdicts.map((v) => v.measure)).toEqual([
      'test accuracy gain of batch norm over plain, at batch 4 − at batch 60',
      'last-epoch training loss sd, batch norm ÷ plain, at batch 4 − at batch 60',
    ]);
    for (const v of verdicts) expect(VERDICTS).toContain(v.verdict);
  });

  test('step time: per seed and batch size the medians of both networks; a summary with its caveat; a verdict per batch size', () => {
    const rows = table('step-time/verdict/step_time.csv');
    expect(rows.map((r) => `${r.seed} ${r.batch_size}`)).toEqual(['1 2', '1 16', '2 2', '2 16']);
    for (const r of rows) {
      expect(Number(r.plain_ms)).toBeGreaterThan(0);
      expect(Number(r.batch_norm_ms)).toBeGreaterThan(0);
      expect(r.batch_norm_ms_per_round.split(' ')).toHaveLength(2);
      expect(Number(r.batch_norm_fastest_ms)).toBeLessThanOrEqual(Number(r.batch_norm_ms));
    }
    const summary = table('step-time/verdict/step_time_summary.csv');
    expect(summary[0].timing).toBe(
      'median of 3 steps after 1 warm-up steps, median of 2 rounds alternating the networks in one thread; other work on the same cores slows long steps most, so the ms and even the ratio are noisy: the fastest step (fastest_ratio) is the least disturbed figure',
    );
    // Both networks train by the fused step, so that is the path timed, and the verdict says so.
    expect(summary[0].timed).toBe('both by the fused step');
    // Smaller networks than Figure 1 here: the PyTorch script would time other networks, so it is not run.
    expect(summary[0].pytorch_ratio).toBe(
      "none: the config's layers are not Figure 1's, which the PyTorch script builds",
    );
    const verdicts = readVerdictCsv(path.join(runDir, 'tables/step-time/verdict/verdict.csv'));
    expect(verdicts.map((v) => v.measure)).toEqual([
      'ms per training step at batch 2, batch norm ÷ plain (timed both by the fused step) − 1',
      'ms per training step at batch 16, batch norm ÷ plain (timed both by the fused step) − 1',
    ]);
  });

  test('test batch: each model at every test batch size and with its moving averages; the moving averages match the train job', () => {
    const rows = table('test-batch/verdict/test_batch.csv');
    expect(rows.map((r) => `${r.model} ${r.statistics} ${r.test_batch_size}`)).toEqual(
      ['seed=1', 'seed=2'].flatMap((m) => [
        `${m} test batch 1`,
        `${m} test batch 7`,
        `${m} test batch 60`,
        `${m} moving averages `,
      ]),
    );
    const trained = table('bn-model/summary/accuracy.csv');
    for (const seed of [1, 2]) {
      const moving = rows.find((r) => r.model === `seed=${seed}` && r.statistics === 'moving averages')!;
      expect(moving.test_accuracy).toBe(trained[seed - 1].test_accuracy);
      expect(moving.train_accuracy).toBe(trained[seed - 1].train_accuracy);
    }
    expect(table('test-batch/verdict/test_batch_summary.csv').map((r) => r.test_batch_size)).toEqual([
      '1',
      '7',
      '60',
    ]);
    const verdicts = readVerdictCsv(path.join(runDir, 'tables/test-batch/verdict/verdict.csv'));
    expect(verdicts).toHaveLength(2);
  });
});

describe('bad batch normalization configs are refused when planned', () => {
  function planError(experiments: object[]): string {
    const dir = mkdtempSync(path.join(out, 'plan-'));
    writeFileSync(
      path.join(dir, 'case.json'),
      JSON.stringify({ defaults: { data: CONFIG.defaults.data }, experiments }),
    );
    try {
      buildPlan(loadConfig('case.json', experimentKinds, dir), jobKinds);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  }

  test('batch sizes out of order, a model without batch normalization, a layer that does not fit', () => {
    expect(planError([{ name: 'x', kind: 'batch-norm-batch-size', batchSizes: [8, 4] }])).toBe(
      'case.json: experiments[0].batchSizes: expected batch sizes in increasing order, each once',
    );
    expect(
      planError([
        { name: 'cnn', kind: 'train' },
        { name: 'x', kind: 'batch-norm-test-batch', model: 'cnn' },
      ]),
    ).toBe(
      'case.json: experiments[1].model: model seed=1 has no BatchNormalization layer: batch statistics change nothing without one',
    );
    expect(
      planError([
        {
          name: 'x',
          kind: 'batch-norm-step-time',
          layers: [
            { type: 'conv2d', filters: 2, kernelSize: 40 },
            { type: 'flatten' },
            { type: 'dense', units: 10 },
          ],
        },
      ]),
    ).toBe(
      'case.json: experiments[0].layers[0].kernelSize: a 40×40 kernel does not fit the 28×28 input of this layer (padding "valid")',
    );
  });
});
