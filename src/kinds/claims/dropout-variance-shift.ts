// Claim P1(5), "dropout before batch normalization causes a variance shift": in models that put
// dropout before the first batch-normalization layer and in models that put it after, the
// variance of that layer's input on test images in training mode (dropout active) and in
// inference mode, beside the moving variance it learned in training and will normalise with at
// inference, and each model's test accuracy. Judged seed by seed: the moving / inference variance
// ratio is larger with dropout before BN, and its test accuracy lower.
import path from 'node:path';
import { z } from 'zod';
import type * as tf from '@tensorflow/tfjs';
import { defineJob } from '../../jobs/kind';
import { probeDataFields, probeSetting, type ProbeSetting } from '../../jobs/probe-setting';
import { cachedDataset, neededTrainJob, testPixels } from '../../jobs/shared';
import { trainJob } from '../train';
import type { ChartSpec } from '../../render/chart';
import { writeRecordsCsv } from '../../render/csv';
import { dropoutRateOf, type GatherParams, perModelExperiment, trainExperimentField } from './dropout-models';
import { asPoints, defaultVerdictSettings, type VerdictSettings, verdictField } from '../../claims/evidence';
import { maskRandom, trainingModeOutput, withFreshModel } from './training-mode';
import {
  differenceVerdict,
  mean,
  sampleSd,
  VERDICT_FILE,
  writeVerdictCsv,
  type VerdictRow,
} from '../../claims/verdict';

export const VARIANCE_SHIFT_CLAIM = 'P1(5) dropout before batch normalization causes a variance shift';

export const ORDERS = ['dropout → BN', 'BN → dropout'] as const;

/** Minimum effects that matter, dropout first − BN first: the two variance ratios, and test accuracy. */
export const VARIANCE_SHIFT_MARGINS = {
  trainingRatio: { default: 0.1, unit: 'ratio (training ÷ inference variance)' },
  movingRatio: { default: 0.1, unit: 'ratio (moving ÷ inference variance)' },
  testAccuracy: { default: 0.5, unit: 'accuracy points' },
};
export type Order = (typeof ORDERS)[number];

const varianceShiftConfigSchema = z
  .object({
    model: trainExperimentField.describe(
      'Name of the train experiment whose models put dropout before their first batch normalization or after it (e.g. a sweep over two "layers" lists), every seed of both.',
    ),
    images: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('How many test images (the first ones) the variances are taken on.'),
    verdict: verdictField(VARIANCE_SHIFT_MARGINS),
    ...probeDataFields,
  })
  .strict();

export interface VarianceShiftParams extends ProbeSetting {
  images: number;
}

const FILES = [
  'tables/variance_shift.csv',
  'tables/variance_shift_by_order.csv',
  'figures/variances.svg',
  'figures/variances.png',
  VERDICT_FILE,
];

export interface VarianceShiftMeasure {
  model: string;
  seed: number;
  rate: number;
  order: Order;
  /** The first batch-normalization layer. */
  layer: string;
  images: number;
  /** Variance of its input, summed over channels (each over images and positions), in each mode. */
  trainingVariance: number;
  inferenceVariance: number;
  /** Its moving variance, summed over channels: what it normalises with at inference. */
  movingVariance: number;
  testAccuracy: number;
  [key: string]: string | number;
}

/** Where the model's dropout sits relative to its first batch normalization (index `bn`). */
export function dropoutOrder(
  classNames: readonly string[],
  rates: readonly number[],
  bn: number,
): Order | null {
  const dropoutAt = (i: number) => classNames[i] === 'Dropout' && rates[i] > 0;
  if (classNames.slice(0, bn).some((_, i) => dropoutAt(i))) return 'dropout → BN';
  if (classNames.some((_, i) => i > bn && dropoutAt(i))) return 'BN → dropout';
  return null;
}

/** Per-channel variances (over every axis but the last), summed over channels. */
function summedVariance(tfjs: typeof tf, h: tf.Tensor): number {
  return tfjs.tidy(() => {
    const channels = h.shape.at(-1)!;
    return tfjs.sum(tfjs.moments(tfjs.reshape(h, [-1, channels]), 0).variance).dataSync()[0];
  });
}

export const varianceShiftMeasureJob = defineJob<VarianceShiftParams, VarianceShiftMeasure>({
  kind: 'dropout-variance-shift-model',
  async run(params, ctx): Promise<VarianceShiftMeasure> {
    const tfjs = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    const need = neededTrainJob(ctx);
    const label = need.key ?? need.id;
    const { seed, testAccuracy } = trainJob.resultOf(need);
    const data = cachedDataset(ctx, params.data);
    const count = Math.min(params.images, data.test.count);
    const pixels = testPixels(
      data,
      Array.from({ length: count }, (_, i) => i),
      'dropout-variance-shift',
    );
    return withFreshModel(need, params.backend, (model) => {
      const classNames = model.layers.map((l) => l.getClassName());
      const bn = classNames.indexOf('BatchNormalization');
      if (bn < 0) throw new Error(`${label}: the model has no batch normalization layer`);
      const rates = model.layers.map((l) => Number((l.getConfig() as { rate?: number }).rate ?? 0));
      const order = dropoutOrder(classNames, rates, bn);
      if (!order)
        throw new Error(
          `${label}: the model has no dropout layer (rate > 0) before or after its batch normalization`,
        );
      const layer = model.layers[bn];
      const moving = layer.weights.find((w) => w.originalName.endsWith('moving_variance'));
      if (!moving) throw new Error(`${label}: ${layer.name} has no moving variance`);
      const [trainingVariance, inferenceVariance] = tfjs.tidy(() => {
        const x = tfjs.tensor4d(pixels, [count, data.rows, data.cols, 1]);
        const probe = tfjs.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
        return [
          summedVariance(tfjs, trainingModeOutput(model, x, maskRandom(seed, 'variance-shift'), bn)),
          summedVariance(tfjs, probe.predict(x, { batchSize: count }) as tf.Tensor),
        ];
      });
      return {
        model: label,
        seed,
        rate: dropoutRateOf(path.join(need.dir, 'model')),
        order,
        layer: layer.name,
        images: count,
        trainingVariance,
        inferenceVariance,
        movingVariance: tfjs.tidy(() => tfjs.sum(moving.read()).dataSync()[0]),
        testAccuracy,
      };
    });
  },
});

/** Each order's measures in seed order; both orders must have the same seeds. */
export function pairedByOrder(measures: VarianceShiftMeasure[]): Record<Order, VarianceShiftMeasure[]> {
  const [before, after] = ORDERS.map((order) =>
    measures.filter((m) => m.order === order).sort((a, b) => a.seed - b.seed),
  );
  const seeds = (ms: VarianceShiftMeasure[]) => ms.map((m) => m.seed).join(', ');
  if (
    before.length === 0 ||
    seeds(before) !== seeds(after) ||
    new Set(before.map((m) => m.seed)).size !== before.length
  )
    throw new Error(
      `expected one model of each order (${ORDERS.join(', ')}) per seed; got seeds [${seeds(before)}] with dropout before and [${seeds(after)}] after (${measures.map((m) => m.model).join(', ')})`,
    );
  return { 'dropout → BN': before, 'BN → dropout': after };
}

/** How much larger the BN input's variance is in training than at inference. */
type Margin = keyof typeof VARIANCE_SHIFT_MARGINS;

const trainingShift = (m: VarianceShiftMeasure) => m.trainingVariance / m.inferenceVariance;
/** How much larger the variance BN normalises with at inference is than its input's there. */
const movingShift = (m: VarianceShiftMeasure) => m.movingVariance / m.inferenceVariance;

/**
 * The verdicts, dropout before BN against after it, seed by seed: the BN input's training /
 * inference variance ratio is larger, so is its moving / inference one, and test accuracy is lower.
 */
export function varianceShiftVerdicts(
  measures: VarianceShiftMeasure[],
  settings: VerdictSettings<Margin> = defaultVerdictSettings(VARIANCE_SHIFT_MARGINS),
): VerdictRow[] {
  const paired = pairedByOrder(measures);
  const compare = (
    margin: Margin,
    measure: string,
    value: (m: VarianceShiftMeasure) => number,
    direction: 'greater' | 'less',
  ) =>
    differenceVerdict({
      claim: VARIANCE_SHIFT_CLAIM,
      measure: `${measure}, ${ORDERS.join(' − ')}`,
      unit: VARIANCE_SHIFT_MARGINS[margin].unit,
      margin: settings.margins[margin],
      accuracies: measures.map((m) => m.testAccuracy),
      images: measures[0]?.images,
      evidence: settings,
      a: paired['dropout → BN'].map(value),
      b: paired['BN → dropout'].map(value),
      direction,
    });
  return [
    compare('trainingRatio', "variance of BN's input in training ÷ at inference", trainingShift, 'greater'),
    compare(
      'movingRatio',
      "BN's moving variance ÷ its input's variance at inference",
      movingShift,
      'greater',
    ),
    compare('testAccuracy', 'test accuracy', (m) => asPoints([m.testAccuracy])[0], 'less'),
  ];
}

/** The three variances of the BN input per order (mean over seeds), side by side. */
const RATIOS = ['training ÷ inference', 'moving ÷ inference'] as const;

/**
 * The two ratios the verdict judges, per order: a bar from 1 (no shift) to the mean over seeds and
 * a dot per seed, on a log axis. Ratios rather than raw variances: a moving variance that has not
 * converged (short trainings) would otherwise dwarf the variances it is compared with.
 */
export function variancesChart(
  rows: { order: string; ratio: string; seed: number; value: number }[],
): ChartSpec {
  const x = {
    field: 'order',
    type: 'nominal',
    title: 'where dropout sits',
    sort: [...ORDERS],
    axis: { labelAngle: 0 },
  };
  const xOffset = { field: 'ratio', type: 'nominal', sort: [...RATIOS] };
  const y = {
    field: 'value',
    type: 'quantitative',
    title: "variance of the first BN's input, ratio",
    scale: { type: 'log' },
  };
  const color = {
    field: 'ratio',
    type: 'nominal',
    title: 'ratio',
    sort: [...RATIOS],
    legend: { labelLimit: 400 },
  };
  return {
    title: 'Variance shift at the first batch normalization (bars: mean over seeds; dots: seeds)',
    data: { values: rows },
    width: 320,
    height: 240,
    layer: [
      {
        mark: { type: 'bar', opacity: 0.6 },
        encoding: { x, xOffset, y: { ...y, aggregate: 'mean' }, y2: { datum: 1 }, color },
      },
      { mark: { type: 'point', filled: true, size: 40 }, encoding: { x, xOffset, y, color } },
      { mark: { type: 'rule', strokeDash: [4, 4], color: '#666' }, encoding: { y: { datum: 1 } } },
    ],
  } as ChartSpec;
}

export const dropoutVarianceShiftJob = defineJob<GatherParams>({
  kind: 'dropout-variance-shift',
  async run(params, ctx) {
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    const measures = varianceShiftMeasureJob.resultsOf(ctx.needs);
    const paired = pairedByOrder(measures);
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/variance_shift.csv'),
      ORDERS.flatMap((order) =>
        paired[order].map((m) => ({
          model: m.model,
          order,
          dropout: m.rate,
          seed: m.seed,
          layer: m.layer,
          images: m.images,
          training_variance: m.trainingVariance.toFixed(5),
          inference_variance: m.inferenceVariance.toFixed(5),
          moving_variance: m.movingVariance.toFixed(5),
          training_over_inference: trainingShift(m).toFixed(4),
          moving_over_inference: movingShift(m).toFixed(4),
          test_accuracy: m.testAccuracy.toFixed(4),
        })),
      ),
    );
    const stats = (values: number[]) => [mean(values).toFixed(4), sampleSd(values).toFixed(4)];
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/variance_shift_by_order.csv'),
      ORDERS.map((order) => {
        const ms = paired[order];
        const [trainingMean, trainingSd] = stats(ms.map(trainingShift));
        const [movingMean, movingSd] = stats(ms.map(movingShift));
        const [accuracyMean, accuracySd] = stats(ms.map((m) => m.testAccuracy));
        return {
          order,
          seeds: ms.length,
          training_over_inference_mean: trainingMean,
          training_over_inference_sd: trainingSd,
          moving_over_inference_mean: movingMean,
          moving_over_inference_sd: movingSd,
          test_accuracy_mean: accuracyMean,
          test_accuracy_sd: accuracySd,
        };
      }),
    );
    await writeChart(
      path.join(ctx.dir, 'figures/variances'),
      variancesChart(
        ORDERS.flatMap((order) =>
          paired[order].flatMap((m) => [
            { order, ratio: RATIOS[0], seed: m.seed, value: trainingShift(m) },
            { order, ratio: RATIOS[1], seed: m.seed, value: movingShift(m) },
          ]),
        ),
      ),
    );
    const verdicts = varianceShiftVerdicts(measures, params.verdict as VerdictSettings<Margin>);
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), verdicts);
    return { models: measures.length, verdicts: verdicts.map((v) => v.verdict) };
  },
});

export const dropoutVarianceShiftExperiment = perModelExperiment({
  kind: 'dropout-variance-shift',
  description: 'Claim P1(5): dropout before batch normalization shifts its variance.',
  schema: varianceShiftConfigSchema,
  measure: varianceShiftMeasureJob,
  params: (config, ctx) => ({ ...probeSetting(config, ctx), images: config.images }),
  cost: (config) => 0.5 + config.images / 2000,
  gather: dropoutVarianceShiftJob,
  publish: FILES,
});
