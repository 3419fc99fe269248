// Claim P1(1).2, "dropout reduces the capacity of the network during training": each trained
// model's accuracy on its training images with dropout active (as training sees it) and without
// (as it is evaluated), per dropout rate. Judged by the gap's trend along the rates, and by the
// active-versus-off difference at the highest rate, seed by seed.
import path from 'node:path';
import { z } from 'zod';
import type * as tf from '@tensorflow/tfjs';
import type { Split } from '../../data/datasets';
import { defineJob } from '../../jobs/kind';
import { probeDataFields, probeSetting, type ProbeSetting } from '../../jobs/probe-setting';
import { cachedDataset, neededTrainJob } from '../../jobs/shared';
import { writeRecordsCsv } from '../../render/csv';
import {
  atRate,
  dropoutRateOf,
  neededMeasures,
  perModelExperiment,
  rateSummary,
  seedByRate,
  trainExperimentField,
  type GatherParams,
  type RatedMeasure,
} from './dropout-models';
import { asPoints, defaultVerdictSettings, type VerdictSettings, verdictField } from '../../claims/evidence';
import { maskRandom, trainingModeOutput, withFreshModel } from './training-mode';
import {
  differenceVerdict,
  trendVerdict,
  VERDICT_FILE,
  writeVerdictCsv,
  type VerdictRow,
} from '../../claims/verdict';
import { trainJob } from '../train';

export const CAPACITY_CLAIM = 'P1(1) dropout reduces the capacity of the network during training';

/** Minimum effects that matter: the gap's growth per sweep step, and active below off at the highest rate. */
export const CAPACITY_MARGINS = {
  gapTrend: { default: 1, unit: 'accuracy points per sweep step' },
  activeBelowOff: { default: 0.5, unit: 'accuracy points' },
};

const capacityConfigSchema = z
  .object({
    model: trainExperimentField,
    images: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('How many training images (the first ones) each model is measured on.'),
    verdict: verdictField(CAPACITY_MARGINS),
    ...probeDataFields,
  })
  .strict();

export interface CapacityParams extends ProbeSetting {
  images: number;
}

const FILES = ['tables/capacity.csv', 'tables/capacity_by_rate.csv', VERDICT_FILE];

export interface CapacityMeasure extends RatedMeasure {
  images: number;
  /** Accuracy on the training images with dropout masks drawn, as in a training step. */
  activeAccuracy: number;
  /** Accuracy on the same images without dropout, as the model is evaluated. */
  inferenceAccuracy: number;
  [key: string]: string | number;
}

/** Accuracy on images `indices` of the split with dropout active (batches of 1,000). */
export function activeAccuracy(
  model: tf.LayersModel,
  split: Split,
  rows: number,
  cols: number,
  indices: number[],
  random: () => number,
): number {
  const tfjs = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  const { gatherPixels } = require('../../data/pixels') as typeof import('../../data/pixels');
  const { imagesTensor } = require('../../data/batches') as typeof import('../../data/batches');
  let correct = 0;
  for (let start = 0; start < indices.length; start += 1000) {
    const batch = indices.slice(start, start + 1000);
    const pixels = gatherPixels(split, rows * cols, batch);
    const labels = Int32Array.from(batch, (i) => split.labels[i]);
    const hits = tfjs.tidy(() => {
      const probs = trainingModeOutput(model, imagesTensor(pixels, batch.length, rows, cols), random);
      return tfjs.sum(
        tfjs.cast(tfjs.equal(tfjs.argMax(probs, -1), tfjs.tensor1d(labels, 'int32')), 'float32'),
      );
    });
    correct += (hits.dataSync() as Float32Array)[0];
    hits.dispose();
  }
  return correct / indices.length;
}

export const capacityMeasureJob = defineJob<CapacityParams, CapacityMeasure>({
  kind: 'dropout-capacity-model',
  async run(params, ctx): Promise<CapacityMeasure> {
    const { evaluate } = require('../../models/train-loop') as typeof import('../../models/train-loop');
    const need = neededTrainJob(ctx);
    const { seed, testAccuracy } = trainJob.resultOf(need);
    const data = cachedDataset(ctx, params.data);
    const indices = Array.from({ length: Math.min(params.images, data.train.count) }, (_, i) => i);
    return withFreshModel(need, params.backend, (model) => ({
      model: need.key ?? need.id,
      rate: dropoutRateOf(path.join(need.dir, 'model')),
      seed,
      testAccuracy,
      images: indices.length,
      activeAccuracy: activeAccuracy(
        model,
        data.train,
        data.rows,
        data.cols,
        indices,
        maskRandom(seed, 'capacity'),
      ),
      inferenceAccuracy: evaluate(model, data.train, data.rows, data.cols, indices).accuracy,
    }));
  },
});

/** The verdicts: the gap (off − active) grows with the rate; at the highest rate, active < off. */
export function capacityVerdicts(
  measures: CapacityMeasure[],
  settings: VerdictSettings<keyof typeof CAPACITY_MARGINS> = defaultVerdictSettings(CAPACITY_MARGINS),
): VerdictRow[] {
  const judged = {
    claim: CAPACITY_CLAIM,
    accuracies: measures.map((m) => m.testAccuracy),
    images: measures[0]?.images,
    evidence: settings,
  };
  const gap = seedByRate(measures, (m) => m.inferenceAccuracy - m.activeAccuracy);
  const active = seedByRate(measures, (m) => m.activeAccuracy);
  const off = seedByRate(measures, (m) => m.inferenceAccuracy);
  const highest = gap.rates.at(-1)!;
  return [
    trendVerdict({
      ...judged,
      measure: 'slope of (training accuracy, dropout off − active) along dropout rates',
      unit: CAPACITY_MARGINS.gapTrend.unit,
      margin: settings.margins.gapTrend,
      points: gap.rates,
      values: gap.values.map(asPoints),
      direction: 'increasing',
    }),
    differenceVerdict({
      ...judged,
      measure: `training accuracy at dropout ${highest}, active − off`,
      unit: CAPACITY_MARGINS.activeBelowOff.unit,
      margin: settings.margins.activeBelowOff,
      a: asPoints(atRate(active, highest)),
      b: asPoints(atRate(off, highest)),
      direction: 'less',
    }),
  ];
}

export const dropoutCapacityJob = defineJob<GatherParams>({
  kind: 'dropout-capacity',
  async run(params, ctx) {
    const measures = neededMeasures(capacityMeasureJob, ctx.needs);
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/capacity.csv'),
      measures.map((m) => ({
        model: m.model,
        dropout: m.rate,
        seed: m.seed,
        images: m.images,
        accuracy_dropout_active: m.activeAccuracy.toFixed(4),
        accuracy_dropout_off: m.inferenceAccuracy.toFixed(4),
        gap: (m.inferenceAccuracy - m.activeAccuracy).toFixed(4),
      })),
    );
    const summaries = (['activeAccuracy', 'inferenceAccuracy'] as const).map((field) =>
      rateSummary(seedByRate(measures, (m) => m[field])),
    );
    const gap = rateSummary(seedByRate(measures, (m) => m.inferenceAccuracy - m.activeAccuracy));
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/capacity_by_rate.csv'),
      gap.map((g, i) => ({
        dropout: g.rate,
        seeds: g.seeds,
        accuracy_dropout_active_mean: summaries[0][i].mean.toFixed(4),
        accuracy_dropout_active_sd: summaries[0][i].sd.toFixed(4),
        accuracy_dropout_off_mean: summaries[1][i].mean.toFixed(4),
        accuracy_dropout_off_sd: summaries[1][i].sd.toFixed(4),
        gap_mean: g.mean.toFixed(4),
        gap_sd: g.sd.toFixed(4),
      })),
    );
    const verdicts = capacityVerdicts(
      measures,
      params.verdict as VerdictSettings<keyof typeof CAPACITY_MARGINS>,
    );
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), verdicts);
    return { models: measures.length, verdicts: verdicts.map((v) => v.verdict) };
  },
});

export const dropoutCapacityExperiment = perModelExperiment({
  kind: 'dropout-capacity',
  description: 'Claim P1(1): dropout reduces capacity in training (accuracy with dropout active and off).',
  schema: capacityConfigSchema,
  measure: capacityMeasureJob,
  params: (config, ctx) => ({ ...probeSetting(config, ctx), images: config.images }),
  cost: (config) => 0.5 + config.images / 5000,
  gather: dropoutCapacityJob,
  publish: FILES,
});
