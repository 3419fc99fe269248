// `train`: a sequential CNN (`layers`, by default the Figure 1 network) trained on a data set,
// once per seed (and per sweep point).
// Each job saves its model, its per-epoch curves and its final accuracies; one summary job per
// sweep point tabulates accuracy per seed with mean and standard deviation.
import path from 'node:path';
import { z } from 'zod';
import { dataSpecSchema, trainImages } from '../data/spec';
import {
  backendSchema,
  trainingOverridesSchema,
  trainingSpecSchema,
  type BackendName,
  type TrainingSpec,
} from '../models/training-spec';
import type { DataSpec } from '../data/spec';
import { formatDuration } from '../duration';
import { writeJsonAtomic } from '../files';
import type { EpochMetrics } from '../models/train-loop';
import { writeRecordsCsv } from '../render/csv';
import {
  defineJob,
  type ExpandContext,
  type JobContext,
  type ModelRef,
  type PlannedJob,
  defineExperiment,
} from '../jobs/kind';
import { cachedDataset } from '../jobs/shared';
import { mean, sd } from '../statistics';
import { FieldError } from '../config-errors';
import { figure1Layers, layersSchema, type LayerSpec } from '../models/layers';
import { planLayers, type PlannedLayer } from '../models/shapes';
import { testLabels } from '../occlusion/test-labels';
import { modelNeeds } from '../jobs/per-model';

const trainConfigSchema = trainingOverridesSchema
  .extend({
    /** Seeds to train with; the config's default seeds when absent. */
    seeds: z.array(z.number().int().nonnegative()).min(1).optional(),
    data: dataSpecSchema.optional(),
    backend: backendSchema.optional(),
    layers: layersSchema.optional(),
  })
  .strict();
type TrainConfig = z.infer<typeof trainConfigSchema>;

export interface TrainParams {
  seed: number;
  data: DataSpec;
  backend: BackendName;
  training: TrainingSpec;
  /** The network; absent for the Figure 1 CNN (so that its job ids stay what they were). */
  layers?: LayerSpec[];
}

function trainParams(config: TrainConfig, ctx: ExpandContext, seed: number): TrainParams {
  const { defaults } = ctx;
  const { seeds: _seeds, data, backend, layers, ...own } = config;
  return {
    seed,
    data: data ?? defaults.data,
    backend: backend ?? defaults.backend,
    training: trainingSpecSchema.parse({ ...defaults.training, ...own }),
    ...(layers ? { layers } : {}),
  };
}

/** The layers of the network the params describe, checked against the data's image size and classes. */
export function plannedLayers(params: TrainParams): PlannedLayer[] {
  const { rows, cols, channels, classes } = testLabels(params.data);
  if (params.layers) return planLayers(params.layers, [rows, cols, channels], classes);
  if (classes > 10)
    throw new FieldError(
      ['data'],
      `the test labels go up to ${classes - 1}, but the Figure 1 CNN has 10 outputs; give "layers" for ${classes} classes`,
    );
  try {
    return planLayers(figure1Layers(params.training.dropout), [rows, cols, channels], 10);
  } catch (error) {
    throw new FieldError(
      ['data'],
      `the Figure 1 CNN does not fit ${rows}×${cols}×${channels} images (${(error as Error).message}); give "layers" for this image size`,
    );
  }
}

function seedsOf(config: TrainConfig, ctx: ExpandContext): number[] {
  return config.seeds ?? ctx.defaults.seeds;
}

// The trained model is published as models/<experiment>/<sweep point>/ (model.json and weights.bin
// in the tfjs format, weights.json as plain numbers: the files models/persist.ts writes).
const TRAIN_FILES = [
  'tables/history.csv',
  'tables/model_summary.csv',
  'tables/metrics.json',
  'model/model.json',
  'model/weights.bin',
  'model/weights.json',
];

export const trainExperiment = defineExperiment<TrainConfig>({
  kind: 'train',
  description: 'Trains a CNN (Figure 1 by default, or any list of layers) once per seed and sweep point.',
  schema: trainConfigSchema,
  models(config, ctx): ModelRef[] {
    return seedsOf(config, ctx).map((seed) => ({
      key: `${ctx.prefix}/seed=${seed}`,
      seed,
      // With a sweep, the point's label comes first: `lr=0.001,seed=1`.
      label: [...ctx.prefix.split('/').slice(1), `seed=${seed}`].join(','),
      layers: plannedLayers(trainParams(config, ctx, seed)),
    }));
  },
  expand(config, ctx): PlannedJob[] {
    const models = trainExperiment.models!(config, ctx);
    const jobs: PlannedJob[] = models.map(({ key, seed }) => {
      const params = trainParams(config, ctx, seed);
      plannedLayers(params);
      const images = trainImages(params.data);
      return trainJob.plan({
        key,
        params,
        cost: (params.training.epochs * images) / 1000,
        publish: TRAIN_FILES,
      });
    });
    jobs.push(
      trainSummaryJob.plan({
        key: `${ctx.prefix}/summary`,
        params: {},
        needs: modelNeeds(models, ({ seed }) => `seed=${seed}`),
        cost: 0.01,
        publish: ['tables/accuracy.csv'],
      }),
    );
    return jobs;
  },
});

export interface TrainResult {
  seed: number;
  backend: string;
  epochs: number;
  trainAccuracy: number;
  testAccuracy: number;
  trainLoss: number;
  testLoss: number;
  trainImages: number;
  testImages: number;
  seconds: number;
  [key: string]: string | number;
}

/** One progress line per epoch: its loss and accuracy, and when training should end at this pace. */
export function epochReporter(epochs: number, ctx: JobContext): (metrics: EpochMetrics) => void {
  let seconds = 0;
  return ({ epoch, loss, accuracy, valLoss, valAccuracy, seconds: epochSeconds }) => {
    seconds += epochSeconds;
    const etaSeconds = (seconds / epoch) * (epochs - epoch);
    ctx.progress({
      text: `epoch ${epoch}/${epochs}: loss ${loss.toFixed(4)}, accuracy ${accuracy.toFixed(4)}, ETA ${formatDuration(etaSeconds)}`,
      fields: { epoch, epochs, loss, accuracy, valLoss, valAccuracy, epochSeconds, etaSeconds },
    });
  };
}

export const trainJob = defineJob<TrainParams, TrainResult>({
  kind: 'train',
  async run(params, ctx: JobContext) {
    // Loaded here, not at the top, so that worker threads running other kinds never load tfjs.
    const { useBackend, activeBackend } = require('../tf/backend') as typeof import('../tf/backend');
    const { buildCnn, buildFigure1Cnn, summarise } =
      require('../models/cnn') as typeof import('../models/cnn');
    const { train, evaluate } = require('../models/train-loop') as typeof import('../models/train-loop');
    const { saveModel } = require('../models/persist') as typeof import('../models/persist');
    await useBackend(params.backend);
    const data = cachedDataset(ctx, params.data);
    const started = performance.now();
    const { rows, cols, channels } = data;
    const model = params.layers
      ? buildCnn(params.layers, {
          rows,
          cols,
          channels,
          classes: testLabels(params.data).classes,
          seed: params.seed,
        })
      : buildFigure1Cnn({ rows, cols, channels, dropout: params.training.dropout, seed: params.seed });
    try {
      const history = train(model, data, params.training, {
        seed: params.seed,
        signal: ctx.signal,
        onEpoch: epochReporter(params.training.epochs, ctx),
      });
      const trainEval = evaluate(model, data.train, data.rows, data.cols);
      const testEval = evaluate(model, data.test, data.rows, data.cols);
      await saveModel(model, path.join(ctx.dir, 'model'));
      writeRecordsCsv(path.join(ctx.dir, 'tables/history.csv'), history);
      writeRecordsCsv(path.join(ctx.dir, 'tables/model_summary.csv'), summarise(model));
      const result: TrainResult = {
        seed: params.seed,
        backend: activeBackend(),
        epochs: history.length,
        trainAccuracy: trainEval.accuracy,
        testAccuracy: testEval.accuracy,
        trainLoss: trainEval.loss,
        testLoss: testEval.loss,
        trainImages: data.train.count,
        testImages: data.test.count,
        seconds: (performance.now() - started) / 1000,
      };
      writeJsonAtomic(path.join(ctx.dir, 'tables/metrics.json'), result);
      return result;
    } finally {
      model.optimizer?.dispose();
      model.dispose();
    }
  },
});

export const trainSummaryJob = defineJob<Record<string, never>>({
  kind: 'train-summary',
  async run(_params, ctx) {
    const results = trainJob.resultsOf(ctx.needs).sort((a, b) => a.seed - b.seed);
    const rows: Record<string, string | number>[] = results.map((r) => ({
      seed: r.seed,
      epochs: r.epochs,
      train_accuracy: r.trainAccuracy.toFixed(4),
      test_accuracy: r.testAccuracy.toFixed(4),
      train_loss: r.trainLoss.toFixed(4),
      test_loss: r.testLoss.toFixed(4),
    }));
    const train = results.map((r) => r.trainAccuracy);
    const test = results.map((r) => r.testAccuracy);
    for (const [seed, statistic] of [
      ['mean', mean],
      ['sd', sd],
    ] as const) {
      rows.push({
        seed,
        epochs: '',
        train_accuracy: statistic(train).toFixed(4),
        test_accuracy: statistic(test).toFixed(4),
        train_loss: '',
        test_loss: '',
      });
    }
    writeRecordsCsv(path.join(ctx.dir, 'tables/accuracy.csv'), rows);
    return {
      seeds: results.length,
      meanTrainAccuracy: mean(train),
      meanTestAccuracy: mean(test),
      sdTestAccuracy: sd(test),
    };
  },
});
