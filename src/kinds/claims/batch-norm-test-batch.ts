// `batch-norm-test-batch` — P1(4) "the test result might be worse than training performance if
// the batch size is not enough for testing". For every model of a train experiment with batch
// normalization (or a model file): test accuracy with each batch normalization layer using the
// statistics of the test batch, at test batch sizes 1 … 1000, beside its accuracy with the
// moving averages (how it is meant to infer) and its accuracy on the training images. One job
// tabulates the seeds, draws them and judges, at the smallest test batch, batch statistics
// against the moving averages and against the training accuracy.
import path from 'node:path';
import { z } from 'zod';
import type { DataSpec } from '../../data/spec';
import type { BackendName } from '../../models/training-spec';
import { writeRecordsCsv } from '../../render/csv';
import { FieldError } from '../../config-errors';
import { defineJob, type PlannedJob, defineExperiment } from '../../jobs/kind';
import {
  modelReferences,
  modelSourceField,
  probedModels,
  type ModelFileParam,
} from '../../jobs/model-source';
import { probeDataFields, probeSetting } from '../../jobs/probe-setting';
import { probeInputs } from '../../jobs/shared';
import { seriesChart, type SeriesPoint } from '../../claims/batch-norm-chart';
import { batchSizesField } from '../../claims/batch-norm-network';
import { trainImages } from '../../data/spec';
import { testLabels } from '../../occlusion/test-labels';
import { mean, sd as sampleSd } from '../../statistics';
import { asPoints, defaultVerdictSettings, type VerdictSettings, verdictField } from '../../claims/evidence';
import { differenceVerdict, VERDICT_FILE, writeVerdictCsv, type VerdictRow } from '../../claims/verdict';
import { claimOverModels } from '../../jobs/per-model';

export const TEST_BATCH_CLAIM = 'P1(4) test results can be worse than training when the test batch is small';

/** Minimum effects that matter at the smallest test batch: below the moving averages, below training. */
export const TEST_BATCH_MARGINS = {
  belowMoving: { default: 0.5, unit: 'accuracy points' },
  belowTraining: { default: 0.5, unit: 'accuracy points' },
};
type Settings = VerdictSettings<keyof typeof TEST_BATCH_MARGINS>;

const configSchema = z
  .object({
    model: modelSourceField.describe(
      'The models evaluated: a train experiment whose layers include batchNormalization (every seed), or { "file": "model.json" }.',
    ),
    testBatchSizes: batchSizesField(
      [1, 2, 8, 32, 1000],
      'Test batch sizes evaluated with batch statistics; the claim is judged at the smallest.',
    ),
    verdict: verdictField(TEST_BATCH_MARGINS),
    ...probeDataFields,
  })
  .strict();
type TestBatchConfig = z.infer<typeof configSchema>;

export interface TestBatchEvalParams {
  data: DataSpec;
  backend: BackendName;
  testBatchSizes: number[];
  modelFile?: ModelFileParam;
}

export interface TestBatchEvalResult {
  trainAccuracy: number;
  /** Test accuracy and loss with the moving averages (inference mode). */
  movingAccuracy: number;
  movingLoss: number;
  /** With the statistics of each test batch, in the order of testBatchSizes. */
  batchStatistics: { batchSize: number; accuracy: number; loss: number }[];
  testImages: number;
  trainImages: number;
}

export interface TestBatchParams {
  /** Model labels in order (the needs are named by them). */
  models: string[];
  testBatchSizes: number[];
  verdict: Settings;
}

export const TEST_BATCH_FILES = [
  'tables/test_batch.csv',
  'tables/test_batch_summary.csv',
  VERDICT_FILE,
  'figures/test_batch.svg',
  'figures/test_batch.png',
];

export const batchNormTestBatchExperiment = defineExperiment<TestBatchConfig>({
  kind: 'batch-norm-test-batch',
  description: 'Claim P1(4): with batch statistics, small test batches score worse than training.',
  schema: configSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx): PlannedJob[] {
    const setting = probeSetting(config, ctx);
    const models = probedModels(config.model, ctx, setting.data);
    for (const model of models)
      if (model.layers && !model.layers.some((l) => l.className === 'BatchNormalization'))
        throw new FieldError(
          ['model'],
          `model ${model.label} has no BatchNormalization layer: batch statistics change nothing without one`,
        );
    if (models.length === 0) return [];
    // About 1 ms per batch with batch statistics, 1 s per 10,000 images with the moving averages.
    const testImages = testLabels(setting.data).labels.length;
    const cost =
      (testImages / 1000) * config.testBatchSizes.reduce((s, b) => s + 1 / b, 0) +
      (testImages + trainImages(setting.data)) / 10_000;
    return claimOverModels(
      ctx.prefix,
      models,
      (_model, key) =>
        testBatchEvalJob.plan({ key, params: { ...setting, testBatchSizes: config.testBatchSizes }, cost }),
      (needs, key, labels) =>
        batchNormTestBatchJob.plan({
          key,
          params: { models: labels, testBatchSizes: config.testBatchSizes, verdict: config.verdict },
          needs,
          cost: 1,
          publish: TEST_BATCH_FILES,
        }),
    );
  },
});

export const testBatchEvalJob = defineJob<TestBatchEvalParams, TestBatchEvalResult>({
  kind: 'batch-norm-test-eval',
  async run(params, ctx): Promise<TestBatchEvalResult> {
    const { evaluate } = require('../../models/train-loop') as typeof import('../../models/train-loop');
    const { evaluateWithBatchStatistics } =
      require('../../claims/batch-statistics') as typeof import('../../claims/batch-statistics');
    const { model, data, rows, cols } = await probeInputs(ctx, params);
    const moving = evaluate(model, data.test, rows, cols);
    const batchStatistics = params.testBatchSizes.map((batchSize) => {
      if (ctx.signal.aborted) throw new Error('batch-norm-test-eval: stopped');
      const { accuracy, loss } = evaluateWithBatchStatistics(model, data.test, rows, cols, batchSize);
      return { batchSize, accuracy, loss };
    });
    return {
      trainAccuracy: evaluate(model, data.train, rows, cols).accuracy,
      movingAccuracy: moving.accuracy,
      movingLoss: moving.loss,
      batchStatistics,
      testImages: data.test.count,
      trainImages: data.train.count,
    };
  },
});

/** Test accuracy with batch statistics at one test batch size. */
function accuracyAt(result: TestBatchEvalResult, batchSize: number): number {
  const found = result.batchStatistics.find((b) => b.batchSize === batchSize);
  if (!found) throw new Error(`${TEST_BATCH_CLAIM}: no accuracy at test batch ${batchSize}`);
  return found.accuracy;
}

/** Two verdicts at the smallest test batch: against the moving averages, and against training. */
export function testBatchVerdicts(
  results: readonly TestBatchEvalResult[],
  testBatchSizes: readonly number[],
  settings: Settings = defaultVerdictSettings(TEST_BATCH_MARGINS),
): VerdictRow[] {
  const small = testBatchSizes[0];
  const atSmall = asPoints(results.map((r) => accuracyAt(r, small)));
  const judged = {
    claim: TEST_BATCH_CLAIM,
    unit: 'accuracy points',
    accuracies: results.map((r) => r.movingAccuracy),
    images: results[0]?.testImages,
    evidence: settings,
    a: atSmall,
    direction: 'less' as const,
  };
  return [
    differenceVerdict({
      ...judged,
      measure: `test accuracy, statistics of test batches of ${small} − moving averages`,
      margin: settings.margins.belowMoving,
      b: asPoints(results.map((r) => r.movingAccuracy)),
    }),
    differenceVerdict({
      ...judged,
      measure: `accuracy, test with statistics of test batches of ${small} − training`,
      margin: settings.margins.belowTraining,
      b: asPoints(results.map((r) => r.trainAccuracy)),
    }),
  ];
}

export const batchNormTestBatchJob = defineJob<TestBatchParams>({
  kind: 'batch-norm-test-batch',
  async run({ models, testBatchSizes, verdict }, ctx) {
    const results = models.map((label) => {
      return testBatchEvalJob.resultOf(ctx.needs[label]);
    });
    const verdicts = testBatchVerdicts(results, testBatchSizes, verdict);
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/test_batch.csv'),
      results.flatMap((r, i) => [
        ...r.batchStatistics.map((b) => ({
          model: models[i],
          statistics: 'test batch',
          test_batch_size: b.batchSize,
          test_accuracy: b.accuracy.toFixed(4),
          test_loss: b.loss.toFixed(4),
          train_accuracy: r.trainAccuracy.toFixed(4),
        })),
        {
          model: models[i],
          statistics: 'moving averages',
          test_batch_size: '',
          test_accuracy: r.movingAccuracy.toFixed(4),
          test_loss: r.movingLoss.toFixed(4),
          train_accuracy: r.trainAccuracy.toFixed(4),
        },
      ]),
    );
    const points: SeriesPoint[] = [];
    const panel = 'test accuracy';
    const line = (series: string, batchSize: number, values: number[]) =>
      points.push({ panel, series, batchSize, mean: mean(values), sd: sampleSd(values) });
    const summary = testBatchSizes.map((batchSize) => {
      const accuracy = results.map((r) => accuracyAt(r, batchSize));
      line('batch statistics', batchSize, accuracy);
      line(
        'moving averages',
        batchSize,
        results.map((r) => r.movingAccuracy),
      );
      line(
        'training accuracy',
        batchSize,
        results.map((r) => r.trainAccuracy),
      );
      return {
        test_batch_size: batchSize,
        models: results.length,
        batch_statistics_accuracy_mean: mean(accuracy).toFixed(4),
        batch_statistics_accuracy_sd: sampleSd(accuracy).toFixed(4),
        moving_averages_accuracy_mean: mean(results.map((r) => r.movingAccuracy)).toFixed(4),
        train_accuracy_mean: mean(results.map((r) => r.trainAccuracy)).toFixed(4),
      };
    });
    writeRecordsCsv(path.join(ctx.dir, 'tables/test_batch_summary.csv'), summary);
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), verdicts);
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    await writeChart(
      path.join(ctx.dir, 'figures/test_batch'),
      seriesChart(points, {
        title: `Batch-norm model tested with batch statistics (mean ± sd over ${results.length} models, ${results[0].testImages} test images)`,
        xTitle: 'test batch size',
      }),
    );
    return { verdicts: verdicts.map((v) => v.verdict) };
  },
});
