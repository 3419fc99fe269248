// Claim P1(1).3, "dropout learns a sparse representation": the share of zero (and of near-zero)
// outputs of every ReLU layer of each trained model on test images, in inference mode, per
// dropout rate. Judged by the trend of the mean zero share over the ReLU layers along the rates,
// seed by seed.
import path from 'node:path';
import { z } from 'zod';
import type * as tf from '@tensorflow/tfjs';
import { defineJob } from '../../jobs/kind';
import { probeDataFields, probeSetting, type ProbeSetting } from '../../jobs/probe-setting';
import { cachedDataset, cachedModel, neededTrainJob, testPixels } from '../../jobs/shared';
import type { ChartSpec } from '../../render/chart';
import { writeRecordsCsv } from '../../render/csv';
import { LINE_LEGEND } from '../../render/line-legend';
import {
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
import { mean, trendVerdict, VERDICT_FILE, writeVerdictCsv, type VerdictRow } from '../../claims/verdict';
import { trainJob } from '../train';

export const SPARSITY_CLAIM = 'P1(1) dropout learns a sparse representation';

/** Minimum effect that matters: the zero share's growth per sweep step. */
export const SPARSITY_MARGINS = { zeroShareTrend: { default: 1, unit: 'percentage points per sweep step' } };

const sparsityConfigSchema = z
  .object({
    model: trainExperimentField,
    images: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe('How many test images (the first ones) the activations are taken on.'),
    nearZero: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.01)
      .describe("Near zero: an output below this share of the layer's mean non-zero output."),
    verdict: verdictField(SPARSITY_MARGINS),
    ...probeDataFields,
  })
  .strict();

export interface SparsityParams extends ProbeSetting {
  images: number;
  nearZero: number;
}

const FILES = [
  'tables/sparsity.csv',
  'tables/sparsity_by_rate.csv',
  'figures/zero_share.svg',
  'figures/zero_share.png',
  VERDICT_FILE,
];

export interface LayerSparsity {
  layer: string;
  /** Outputs per image. */
  units: number;
  zeroShare: number;
  nearZeroShare: number;
  [key: string]: string | number;
}

export interface SparsityMeasure extends RatedMeasure {
  images: number;
  layers: LayerSparsity[];
  /** The mean zero share over the ReLU layers. */
  meanZeroShare: number;
}

/** A layer whose output goes through a ReLU: conv or dense with activation relu, or a ReLU activation layer. */
export function isReluLayer(layer: tf.layers.Layer): boolean {
  const { activation } = layer.getConfig() as { activation?: unknown };
  return activation === 'relu' && ['Conv2D', 'Dense', 'Activation'].includes(layer.getClassName());
}

/** Share of exact zeros, and of values below `nearZero` × the mean non-zero value. */
export function zeroShares(
  values: Float32Array,
  nearZero: number,
): { zeroShare: number; nearZeroShare: number } {
  let zeros = 0;
  let nonZeroSum = 0;
  for (const v of values) {
    if (v === 0) zeros++;
    else nonZeroSum += Math.abs(v);
  }
  const cut = zeros < values.length ? (nearZero * nonZeroSum) / (values.length - zeros) : 0;
  let near = 0;
  for (const v of values) if (Math.abs(v) <= cut) near++;
  return { zeroShare: zeros / values.length, nearZeroShare: near / values.length };
}

export const sparsityMeasureJob = defineJob<SparsityParams, SparsityMeasure>({
  kind: 'dropout-sparsity-model',
  async run(params, ctx): Promise<SparsityMeasure> {
    const { layerActivations } =
      require('../../probes/activations') as typeof import('../../probes/activations');
    const need = neededTrainJob(ctx);
    const data = cachedDataset(ctx, params.data);
    const model = await cachedModel(ctx, need, params.backend);
    const count = Math.min(params.images, data.test.count);
    const indices = Array.from({ length: count }, (_, i) => i);
    const pixels = testPixels(data, indices, 'dropout-sparsity');
    const activations = layerActivations(model, pixels, count, data.rows, data.cols, isReluLayer);
    if (activations.length === 0)
      throw new Error(`${need.key ?? need.id}: the model has no ReLU layer whose sparsity could be measured`);
    const layers = activations.map((a) => ({
      layer: a.layer,
      units: a.height * a.width * a.channels,
      ...zeroShares(a.values, params.nearZero),
    }));
    return {
      model: need.key ?? need.id,
      rate: dropoutRateOf(path.join(need.dir, 'model')),
      seed: trainJob.resultOf(need).seed,
      testAccuracy: trainJob.resultOf(need).testAccuracy,
      images: count,
      layers,
      meanZeroShare: mean(layers.map((l) => l.zeroShare)),
    };
  },
});

/** The verdict: the mean zero share over the ReLU layers grows with the dropout rate. */
export function sparsityVerdict(
  measures: SparsityMeasure[],
  settings: VerdictSettings<keyof typeof SPARSITY_MARGINS> = defaultVerdictSettings(SPARSITY_MARGINS),
): VerdictRow {
  const table = seedByRate(measures, (m) => m.meanZeroShare);
  return trendVerdict({
    claim: SPARSITY_CLAIM,
    measure:
      'slope of the share of zero ReLU outputs on test images (mean over ReLU layers) along dropout rates',
    unit: SPARSITY_MARGINS.zeroShareTrend.unit,
    margin: settings.margins.zeroShareTrend,
    accuracies: measures.map((m) => m.testAccuracy),
    images: measures[0]?.images,
    evidence: settings,
    points: table.rates,
    values: table.values.map(asPoints),
    direction: 'increasing',
  });
}

/** Zero share per rate (mean over seeds), one line per ReLU layer and one for their mean. */
export function sparsityChart(rows: { layer: string; rate: number; zeroShare: number }[]): ChartSpec {
  return {
    title: 'Share of zero ReLU outputs on test images by dropout rate (mean over seeds)',
    width: 420,
    height: 260,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'rate', type: 'quantitative', title: 'dropout rate' },
      y: { field: 'zeroShare', type: 'quantitative', title: 'share of zero outputs', scale: { zero: false } },
      color: { field: 'layer', type: 'nominal', title: 'ReLU layer', legend: LINE_LEGEND },
    },
  } as ChartSpec;
}

/** A model's share for one ReLU layer, or their mean over its ReLU layers (`mean`). */
function layerShare(m: SparsityMeasure, layer: string, field: 'zeroShare' | 'nearZeroShare'): number {
  if (layer === 'mean') return mean(m.layers.map((l) => l[field]));
  const found = m.layers.find((l) => l.layer === layer);
  if (!found)
    throw new Error(`${m.model} has no ReLU layer ${layer}: compare models with the same ReLU layers`);
  return found[field];
}

export const dropoutSparsityJob = defineJob<GatherParams>({
  kind: 'dropout-sparsity',
  async run(params, ctx) {
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    const measures = neededMeasures(sparsityMeasureJob, ctx.needs);
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/sparsity.csv'),
      measures.flatMap((m) =>
        m.layers.map((l) => ({
          model: m.model,
          dropout: m.rate,
          seed: m.seed,
          layer: l.layer,
          units: l.units,
          images: m.images,
          zero_share: l.zeroShare.toFixed(4),
          near_zero_share: l.nearZeroShare.toFixed(4),
        })),
      ),
    );
    const layerNames = [...measures[0].layers.map((l) => l.layer), 'mean'];
    const byLayer = layerNames.map((name) => ({
      name,
      zero: rateSummary(seedByRate(measures, (m) => layerShare(m, name, 'zeroShare'))),
      near: rateSummary(seedByRate(measures, (m) => layerShare(m, name, 'nearZeroShare'))),
    }));
    const summary = byLayer.flatMap(({ name, zero, near }) =>
      zero.map((z, i) => ({
        layer: name,
        dropout: z.rate,
        seeds: z.seeds,
        zero_share_mean: z.mean.toFixed(4),
        zero_share_sd: z.sd.toFixed(4),
        near_zero_share_mean: near[i].mean.toFixed(4),
        near_zero_share_sd: near[i].sd.toFixed(4),
      })),
    );
    writeRecordsCsv(path.join(ctx.dir, 'tables/sparsity_by_rate.csv'), summary);
    await writeChart(
      path.join(ctx.dir, 'figures/zero_share'),
      sparsityChart(
        byLayer.flatMap(({ name, zero }) =>
          zero.map((z) => ({ layer: name, rate: z.rate, zeroShare: z.mean })),
        ),
      ),
    );
    const verdict = sparsityVerdict(
      measures,
      params.verdict as VerdictSettings<keyof typeof SPARSITY_MARGINS>,
    );
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), [verdict]);
    return { models: measures.length, verdict: verdict.verdict, effect: verdict.effect };
  },
});

export const dropoutSparsityExperiment = perModelExperiment({
  kind: 'dropout-sparsity',
  description: 'Claim P1(1): dropout learns a sparse representation (share of zero ReLU outputs per rate).',
  schema: sparsityConfigSchema,
  measure: sparsityMeasureJob,
  params: (config, ctx) => ({
    ...probeSetting(config, ctx),
    images: config.images,
    nearZero: config.nearZero,
  }),
  cost: (config) => 0.5 + config.images / 2000,
  gather: dropoutSparsityJob,
  publish: FILES,
});
