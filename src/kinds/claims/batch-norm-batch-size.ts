// `batch-norm-batch-size` — P1(3) "batch normalization is unstable if the batch size is small".
// The plain network (Figure 1 by default) and the same with batch normalization after each
// convolution, trained at every batch size of the sweep (2 … 128) with every seed. Each training
// job records its final accuracies and the spread (sd) of the per-step training loss over its
// last epoch; one job tabulates them, draws them and judges the claim on two measures, each the
// batch-norm network against the plain one at the same batch size (so that what batch size does
// to every network cancels out):
// - test accuracy, batch norm − plain, at the smallest batch size versus at the largest;
// - last-epoch loss sd, batch norm ÷ plain, at the smallest batch size versus at the largest.
import path from 'node:path';
import { z } from 'zod';
import { dataSpecSchema, type DataSpec } from '../../data/spec';
import type { LayerSpec } from '../../models/layers';
import {
  backendSchema,
  trainingOverridesSchema,
  trainingSpecSchema,
  type BackendName,
  type TrainingSpec,
} from '../../models/training-spec';
import { writeRecordsCsv } from '../../render/csv';
import { defineJob, type JobContext, type PlannedJob, defineExperiment } from '../../jobs/kind';
import { cachedDataset } from '../../jobs/shared';
import { epochReporter } from '../train';
import { planLayers } from '../../models/shapes';
import { testLabels } from '../../occlusion/test-labels';
import { seriesChart, type SeriesPoint } from '../../claims/batch-norm-chart';
import {
  batchSizesField,
  NETWORKS,
  networkLayers,
  plainLayersField,
  stepMilliseconds,
  type Network,
} from '../../claims/batch-norm-network';
import { trainImages } from '../../data/spec';
import { mean, sd as sampleSd } from '../../statistics';
import { asPoints, defaultVerdictSettings, type VerdictSettings, verdictField } from '../../claims/evidence';
import { differenceVerdict, VERDICT_FILE, writeVerdictCsv, type VerdictRow } from '../../claims/verdict';

export const BATCH_SIZE_CLAIM = 'P1(3) batch normalization is unstable with small batches';

/** Minimum effects that matter, smallest batch − largest: batch norm's accuracy gain, and its loss-sd ratio. */
export const BATCH_SIZE_MARGINS = {
  accuracyGain: { default: 0.5, unit: 'accuracy points' },
  lossSpreadRatio: { default: 0.1, unit: 'ratio (batch norm ÷ plain loss sd)' },
};
type Settings = VerdictSettings<keyof typeof BATCH_SIZE_MARGINS>;

const configSchema = trainingOverridesSchema
  .omit({ batchSize: true })
  .extend({
    batchSizes: batchSizesField(
      [2, 4, 8, 16, 32, 128],
      'Training batch sizes; the claim compares the smallest with the largest.',
    ),
    layers: plainLayersField,
    verdict: verdictField(BATCH_SIZE_MARGINS),
    seeds: z.array(z.number().int().nonnegative()).min(1).optional().describe("Default: the config's seeds."),
    data: dataSpecSchema.optional().describe("Default: the config's defaults.data."),
    backend: backendSchema.optional().describe("Default: the config's defaults.backend."),
  })
  .strict();
type BatchSizeConfig = z.infer<typeof configSchema>;

export interface BatchNormTrainParams {
  seed: number;
  data: DataSpec;
  backend: BackendName;
  training: TrainingSpec;
  network: Network;
  layers: LayerSpec[];
}

export interface BatchNormTrainResult {
  seed: number;
  network: Network;
  batchSize: number;
  epochs: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Mean and sample sd of the per-step training loss over the last epoch. */
  lastEpochLossMean: number;
  lastEpochLossSd: number;
  lastEpochSteps: number;
  seconds: number;
}

export interface BatchSizeParams {
  batchSizes: number[];
  seeds: number[];
  verdict: Settings;
}

const needName = (batchSize: number, network: Network, seed: number) =>
  `batch=${batchSize}/${network}/seed=${seed}`;

export const BATCH_SIZE_FILES = [
  'tables/runs.csv',
  'tables/summary.csv',
  'tables/batch_norm_effect.csv',
  VERDICT_FILE,
  'figures/batch_size.svg',
  'figures/batch_size.png',
];

export const batchNormBatchSizeExperiment = defineExperiment<BatchSizeConfig>({
  kind: 'batch-norm-batch-size',
  description:
    'Claim P1(3): batch normalization is unstable with small batches (its effect at each batch size).',
  schema: configSchema,
  expand(config, ctx): PlannedJob[] {
    const {
      batchSizes,
      layers,
      verdict,
      seeds: ownSeeds,
      data: ownData,
      backend: ownBackend,
      ...own
    } = config;
    const seeds = ownSeeds ?? ctx.defaults.seeds;
    const data = ownData ?? ctx.defaults.data;
    const backend = ownBackend ?? ctx.defaults.backend;
    const { rows, cols, classes } = testLabels(data);
    const images = trainImages(data);
    // Shapes are checked when the run is planned, naming the layer and field (of the plain
    // list as written: batch normalization changes no shape).
    if (layers) planLayers(layers, [rows, cols, 1], classes);
    const jobs: PlannedJob[] = [];
    const needs: Record<string, string> = {};
    for (const batchSize of batchSizes)
      for (const network of NETWORKS)
        for (const seed of seeds) {
          const training = trainingSpecSchema.parse({ ...ctx.defaults.training, ...own, batchSize });
          const name = needName(batchSize, network, seed);
          const key = `${ctx.prefix}/${name}`;
          needs[name] = key;
          const params: BatchNormTrainParams = {
            seed,
            data,
            backend,
            training,
            network,
            layers: networkLayers(layers, training.dropout, network),
          };
          const steps = Math.ceil((images * (1 - training.validationSplit)) / batchSize) * training.epochs;
          jobs.push(
            batchNormTrainJob.plan({
              key,
              params,
              cost: (steps * stepMilliseconds(network, batchSize)) / 1000 + images / 10_000,
            }),
          );
        }
    jobs.push(
      batchNormBatchSizeJob.plan({
        key: `${ctx.prefix}/verdict`,
        params: { batchSizes, seeds, verdict },
        needs,
        cost: 1,
        publish: BATCH_SIZE_FILES,
      }),
    );
    return jobs;
  },
});

export const batchNormTrainJob = defineJob<BatchNormTrainParams, BatchNormTrainResult>({
  kind: 'batch-norm-train',
  async run(params, ctx: JobContext): Promise<BatchNormTrainResult> {
    const { useBackend } = require('../../tf/backend') as typeof import('../../tf/backend');
    const { buildCnn } = require('../../models/cnn') as typeof import('../../models/cnn');
    const { train, evaluate } =
      require('../../models/train-loop') as typeof import('../../models/train-loop');
    await useBackend(params.backend);
    const data = cachedDataset(ctx, params.data);
    const { rows, cols } = data;
    const started = performance.now();
    const { epochs, batchSize } = params.training;
    const model = buildCnn(params.layers, {
      rows,
      cols,
      classes: testLabels(params.data).classes,
      seed: params.seed,
    });
    try {
      const lastEpoch: number[] = [];
      const history = train(model, data, params.training, {
        seed: params.seed,
        signal: ctx.signal,
        onEpoch: epochReporter(epochs, ctx),
        onBatch: (loss, epoch) => {
          if (epoch === epochs) lastEpoch.push(loss);
        },
      });
      writeRecordsCsv(path.join(ctx.dir, 'tables/history.csv'), history);
      return {
        seed: params.seed,
        network: params.network,
        batchSize,
        epochs,
        trainAccuracy: evaluate(model, data.train, rows, cols).accuracy,
        testAccuracy: evaluate(model, data.test, rows, cols).accuracy,
        lastEpochLossMean: mean(lastEpoch),
        lastEpochLossSd: sampleSd(lastEpoch),
        lastEpochSteps: lastEpoch.length,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      model.optimizer?.dispose();
      model.dispose();
    }
  },
});

/** Mean and sd over seeds, as table cells. */
const meanSd = (values: number[], digits: number) => [
  mean(values).toFixed(digits),
  sampleSd(values).toFixed(digits),
];

/** Each result by batch size, network and seed; a missing one is an error naming it. */
function lookup(results: readonly BatchNormTrainResult[]) {
  return (batchSize: number, network: Network, seed: number): BatchNormTrainResult => {
    const found = results.find((r) => r.batchSize === batchSize && r.network === network && r.seed === seed);
    if (!found) throw new Error(`${BATCH_SIZE_CLAIM}: no result for ${needName(batchSize, network, seed)}`);
    return found;
  };
}

/** Per seed at one batch size: test accuracy batch norm − plain, and last-epoch loss sd batch norm ÷ plain. */
export function batchNormEffect(
  results: readonly BatchNormTrainResult[],
  batchSize: number,
  seeds: readonly number[],
): { gain: number[]; spreadRatio: number[] } {
  const at = lookup(results);
  const pairs = seeds.map((seed) => [at(batchSize, 'batch-norm', seed), at(batchSize, 'plain', seed)]);
  return {
    gain: pairs.map(([bn, plain]) => bn.testAccuracy - plain.testAccuracy),
    spreadRatio: pairs.map(([bn, plain]) => bn.lastEpochLossSd / plain.lastEpochLossSd),
  };
}

/** The two verdicts, from each seed's results: a pure function of the measured numbers. */
export function batchSizeVerdicts(
  results: readonly BatchNormTrainResult[],
  batchSizes: readonly number[],
  seeds: readonly number[],
  settings: Settings = defaultVerdictSettings(BATCH_SIZE_MARGINS),
): VerdictRow[] {
  const small = batchSizes[0];
  const large = batchSizes[batchSizes.length - 1];
  const [atSmall, atLarge] = [small, large].map((b) => batchNormEffect(results, b, seeds));
  const judged = {
    claim: BATCH_SIZE_CLAIM,
    accuracies: results
      .filter((r) => r.batchSize === small || r.batchSize === large)
      .map((r) => r.testAccuracy),
    evidence: settings,
  };
  return [
    differenceVerdict({
      ...judged,
      measure: `test accuracy gain of batch norm over plain, at batch ${small} − at batch ${large}`,
      unit: BATCH_SIZE_MARGINS.accuracyGain.unit,
      margin: settings.margins.accuracyGain,
      a: asPoints(atSmall.gain),
      b: asPoints(atLarge.gain),
      direction: 'less',
    }),
    differenceVerdict({
      ...judged,
      measure: `last-epoch training loss sd, batch norm ÷ plain, at batch ${small} − at batch ${large}`,
      unit: BATCH_SIZE_MARGINS.lossSpreadRatio.unit,
      margin: settings.margins.lossSpreadRatio,
      a: atSmall.spreadRatio,
      b: atLarge.spreadRatio,
      direction: 'greater',
    }),
  ];
}

export const batchNormBatchSizeJob = defineJob<BatchSizeParams>({
  kind: 'batch-norm-batch-size',
  async run({ batchSizes, seeds, verdict }, ctx) {
    const results = batchNormTrainJob.resultsOf(ctx.needs);
    const at = lookup(results);
    const grid = batchSizes.flatMap((b) =>
      NETWORKS.map((network) => seeds.map((seed) => at(b, network, seed))),
    );
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/runs.csv'),
      grid.flat().map((r) => ({
        batch_size: r.batchSize,
        network: r.network,
        seed: r.seed,
        epochs: r.epochs,
        train_accuracy: r.trainAccuracy.toFixed(4),
        test_accuracy: r.testAccuracy.toFixed(4),
        last_epoch_loss_mean: r.lastEpochLossMean.toFixed(4),
        last_epoch_loss_sd: r.lastEpochLossSd.toFixed(4),
        last_epoch_steps: r.lastEpochSteps,
        seconds: r.seconds.toFixed(1),
      })),
    );
    const points: SeriesPoint[] = [];
    const summary = grid.map((group) => {
      const { batchSize, network } = group[0];
      const accuracy = group.map((r) => r.testAccuracy);
      const spread = group.map((r) => r.lastEpochLossSd);
      points.push(
        { panel: 'test accuracy', series: network, batchSize, mean: mean(accuracy), sd: sampleSd(accuracy) },
        {
          panel: 'sd of the loss over the last epoch',
          series: network,
          batchSize,
          mean: mean(spread),
          sd: sampleSd(spread),
        },
      );
      const [accuracyMean, accuracySd] = meanSd(accuracy, 4);
      const [spreadMean, spreadSd] = meanSd(spread, 4);
      return {
        batch_size: batchSize,
        network,
        seeds: group.length,
        test_accuracy_mean: accuracyMean,
        test_accuracy_sd: accuracySd,
        last_epoch_loss_sd_mean: spreadMean,
        last_epoch_loss_sd_sd: spreadSd,
      };
    });
    writeRecordsCsv(path.join(ctx.dir, 'tables/summary.csv'), summary);
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/batch_norm_effect.csv'),
      batchSizes.map((b) => {
        const { gain, spreadRatio } = batchNormEffect(results, b, seeds);
        const [gainMean, gainSd] = meanSd(gain, 4);
        const [ratioMean, ratioSd] = meanSd(spreadRatio, 3);
        return {
          batch_size: b,
          test_accuracy_gain_mean: gainMean,
          test_accuracy_gain_sd: gainSd,
          loss_sd_ratio_mean: ratioMean,
          loss_sd_ratio_sd: ratioSd,
        };
      }),
    );
    const verdicts = batchSizeVerdicts(results, batchSizes, seeds, verdict);
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), verdicts);
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    await writeChart(
      path.join(ctx.dir, 'figures/batch_size'),
      seriesChart(points, {
        title: `Plain versus batch norm by training batch size (mean ± sd over ${seeds.length} seeds)`,
        xTitle: 'training batch size',
      }),
    );
    return { verdicts: verdicts.map((v) => v.verdict) };
  },
});
