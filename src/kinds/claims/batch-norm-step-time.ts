// `batch-norm-step-time` — P1(3) "batch normalization increases training time per iteration".
// One benchmark job per seed: in one worker thread, the plain network and the batch-norm one
// train in turn, each on the fastest path that trains it (the fused wasm step, which trains
// both; tfjs' tape for layers it does not support), at each batch size — rounds alternating which goes first, each round a few
// warm-up steps and then timed steps — and the job keeps the median step time of each round
// and the median over rounds. The time of a step is the interval between the ends of two
// consecutive steps of the train loop: picking the batch, forward, backward, update, and
// reading the loss back. One job tabulates every seed's medians, draws them and judges, at
// each batch size, the batch norm ÷ plain ratio over the seeds, with PyTorch's ratio beside it
// when /usr/bin/python3 has torch (torch-reference.ts).
import path from 'node:path';
import { z } from 'zod';
import { dataSpecSchema, type DataSpec } from '../../data/spec';
import type { LayerSpec } from '../../models/layers';
import { planLayers } from '../../models/shapes';
import {
  backendSchema,
  trainingOverridesSchema,
  trainingSpecSchema,
  type BackendName,
  type TrainingSpec,
} from '../../models/training-spec';
import { testLabels } from '../../occlusion/test-labels';
import { writeRecordsCsv } from '../../render/csv';
import { defineJob, type PlannedJob, defineExperiment } from '../../jobs/kind';
import { cachedDataset } from '../../jobs/shared';
import { seriesChart, type SeriesPoint } from '../../claims/batch-norm-chart';
import {
  batchSizesField,
  NETWORKS,
  networkLayers,
  plainLayersField,
  stepMilliseconds,
  type Network,
} from '../../claims/batch-norm-network';
import { mean, median, sd as sampleSd } from '../../statistics';
import { defaultVerdictSettings, type VerdictSettings, verdictField } from '../../claims/evidence';
import { type TorchReference, torchReference } from '../../claims/torch-reference';
import {
  figure,
  thresholdVerdict,
  VERDICT_FILE,
  writeVerdictCsv,
  type VerdictRow,
} from '../../claims/verdict';

export const STEP_TIME_CLAIM = 'P1(3) batch normalization increases training time per iteration';

/** Minimum effect that matters: batch norm at least 1.2× plain's time per step. */
export const STEP_TIME_MARGINS = {
  ratio: { default: 0.2, unit: '× (batch norm ÷ plain ms per step), beyond 1' },
};
type Settings = VerdictSettings<keyof typeof STEP_TIME_MARGINS>;

/** The two ways a network trains: the fused wasm step, or tfjs' tape (layers the fused step lacks). */
export type StepPath = 'fused step' | "tfjs' tape";

const steps = (what: string, min: number, fallback: number) =>
  z
    .number()
    .int(`expected a whole number of ${what}`)
    .min(min, `expected at least ${min} ${what}`)
    .default(fallback);

const configSchema = trainingOverridesSchema
  .omit({ batchSize: true, epochs: true, validationSplit: true })
  .extend({
    batchSizes: batchSizesField([2, 4, 8, 16, 32, 128], 'Batch sizes to time a training step at.'),
    layers: plainLayersField,
    verdict: verdictField(STEP_TIME_MARGINS),
    warmupSteps: steps('warm-up steps', 1, 5).describe(
      'Steps run before the timed ones in every round (not timed).',
    ),
    timedSteps: steps('timed steps', 1, 30).describe(
      'Steps timed in every round; a round keeps their median.',
    ),
    rounds: steps('rounds', 1, 3).describe(
      'Rounds per batch size, alternating which network goes first; the median over rounds is kept.',
    ),
    seeds: z.array(z.number().int().nonnegative()).min(1).optional().describe("Default: the config's seeds."),
    data: dataSpecSchema
      .optional()
      .describe("Training images come from here (default: the config's defaults.data)."),
    backend: backendSchema.optional().describe("Default: the config's defaults.backend."),
  })
  .strict();
type StepTimeConfig = z.infer<typeof configSchema>;

export interface StepBenchParams {
  seed: number;
  data: DataSpec;
  backend: BackendName;
  training: TrainingSpec;
  layers: Record<Network, LayerSpec[]>;
  batchSizes: number[];
  warmupSteps: number;
  timedSteps: number;
  rounds: number;
}

export interface StepTiming {
  batchSize: number;
  /** Median over rounds of each round's median step time, in ms. */
  plainMs: number;
  batchNormMs: number;
  /** Each round's median, in ms. */
  plainRounds: number[];
  batchNormRounds: number[];
  /**
   * Median over rounds of each round's fastest step: on cores shared with other work a longer
   * step is interrupted more often, which inflates its median more than a short step's.
   */
  plainFastestMs: number;
  batchNormFastestMs: number;
}

export interface StepBenchResult {
  seed: number;
  /** How each network was trained (and timed). */
  paths: Record<Network, StepPath>;
  timings: StepTiming[];
}

export interface StepTimeParams {
  seeds: number[];
  batchSizes: number[];
  /** How the times were taken, for the table's caveat. */
  warmupSteps: number;
  timedSteps: number;
  rounds: number;
  verdict: Settings;
  /** The networks are Figure 1's (no `layers` given): the PyTorch reference times the same ones. */
  figure1: boolean;
}

export const STEP_TIME_FILES = [
  'tables/step_time.csv',
  'tables/step_time_summary.csv',
  VERDICT_FILE,
  'figures/step_time.svg',
  'figures/step_time.png',
];

export const batchNormStepTimeExperiment = defineExperiment<StepTimeConfig>({
  kind: 'batch-norm-step-time',
  description: 'Claim P1(3): batch normalization increases the time per training step.',
  schema: configSchema,
  expand(config, ctx): PlannedJob[] {
    const {
      batchSizes,
      layers,
      warmupSteps,
      timedSteps,
      rounds,
      seeds: ownSeeds,
      verdict,
      data: ownData,
      backend: ownBackend,
      ...own
    } = config;
    const seeds = ownSeeds ?? ctx.defaults.seeds;
    const data = ownData ?? ctx.defaults.data;
    const training = trainingSpecSchema.parse({ ...ctx.defaults.training, ...own });
    const { rows, cols, classes } = testLabels(data);
    if (layers) planLayers(layers, [rows, cols, 1], classes);
    const networks = Object.fromEntries(
      NETWORKS.map((network) => [network, networkLayers(layers, training.dropout, network)]),
    ) as Record<Network, LayerSpec[]>;
    const roundMs = batchSizes.reduce(
      (sum, b) => sum + NETWORKS.reduce((s, n) => s + stepMilliseconds(n, b), 0) * (warmupSteps + timedSteps),
      0,
    );
    const needs: Record<string, string> = {};
    const jobs: PlannedJob[] = seeds.map((seed) => {
      const key = `${ctx.prefix}/seed=${seed}`;
      needs[`seed=${seed}`] = key;
      const params: StepBenchParams = {
        seed,
        data,
        backend: ownBackend ?? ctx.defaults.backend,
        training,
        layers: networks,
        batchSizes,
        warmupSteps,
        timedSteps,
        rounds,
      };
      return stepBenchJob.plan({ key, params, cost: (roundMs * rounds) / 1000 + 1 });
    });
    jobs.push(
      batchNormStepTimeJob.plan({
        key: `${ctx.prefix}/verdict`,
        params: {
          seeds,
          batchSizes,
          warmupSteps,
          timedSteps,
          rounds,
          verdict,
          figure1: layers === undefined,
        },
        needs,
        cost: 1,
        publish: STEP_TIME_FILES,
      }),
    );
    return jobs;
  },
});

export const stepBenchJob = defineJob<StepBenchParams, StepBenchResult>({
  kind: 'batch-norm-step-bench',
  async run(params, ctx): Promise<StepBenchResult> {
    const { useBackend } = require('../../tf/backend') as typeof import('../../tf/backend');
    const { buildCnn } = require('../../models/cnn') as typeof import('../../models/cnn');
    const { train } = require('../../models/train-loop') as typeof import('../../models/train-loop');
    const { takeSubset } = require('../../data/datasets') as typeof import('../../data/datasets');
    await useBackend(params.backend);
    const data = cachedDataset(ctx, params.data);
    const { rows, cols } = data;
    const classes = testLabels(params.data).classes;
    const { warmupSteps, timedSteps, rounds } = params;
    const timings: StepTiming[] = [];
    let paths: Record<Network, StepPath> | undefined;
    for (const batchSize of params.batchSizes) {
      // One pass over exactly warm-up + timed batches (the first images, again from the start if too few).
      const count = (warmupSteps + timedSteps) * batchSize;
      const images = Array.from({ length: count }, (_, i) => i % data.train.count);
      const subset = { ...data, train: takeSubset(data.train, rows * cols, images) };
      const spec: TrainingSpec = { ...params.training, batchSize, epochs: 1, validationSplit: 0 };
      const perRound: Record<Network, number[]> = { plain: [], 'batch-norm': [] };
      const fastest: Record<Network, number[]> = { plain: [], 'batch-norm': [] };
      const models = NETWORKS.map((network) =>
        buildCnn(params.layers[network], { rows, cols, classes, seed: params.seed }),
      );
      paths ??= { plain: stepPath(models[0], spec), 'batch-norm': stepPath(models[1], spec) };
      try {
        for (let round = 0; round < rounds; round++) {
          const order = round % 2 === 0 ? [0, 1] : [1, 0];
          for (const which of order) {
            const ends: number[] = [];
            train(models[which], subset, spec, {
              seed: params.seed + round,
              signal: ctx.signal,
              onBatch: () => ends.push(performance.now()),
            });
            // Interval i is step i + 1; steps 1..warmupSteps are the warm-up.
            const intervals = ends.slice(1).map((end, i) => end - ends[i]);
            const timed = intervals.slice(warmupSteps - 1);
            perRound[NETWORKS[which]].push(median(timed));
            fastest[NETWORKS[which]].push(Math.min(...timed));
          }
        }
      } finally {
        for (const model of models) {
          model.optimizer?.dispose();
          model.dispose();
        }
      }
      timings.push({
        batchSize,
        plainMs: median(perRound.plain),
        batchNormMs: median(perRound['batch-norm']),
        plainRounds: perRound.plain,
        batchNormRounds: perRound['batch-norm'],
        plainFastestMs: median(fastest.plain),
        batchNormFastestMs: median(fastest['batch-norm']),
      });
      ctx.progress({
        text: `batch ${batchSize}: ${median(perRound.plain).toFixed(2)} ms plain, ${median(perRound['batch-norm']).toFixed(2)} ms batch norm per step`,
        fields: { batchSize, plainMs: median(perRound.plain), batchNormMs: median(perRound['batch-norm']) },
      });
    }
    return { seed: params.seed, paths: paths!, timings };
  },
});

/** The path train() takes for this model: the fused step when it applies to its layers. */
function stepPath(model: import('@tensorflow/tfjs').LayersModel, spec: TrainingSpec): StepPath {
  const { makeOptimizer } = require('../../models/train-loop') as typeof import('../../models/train-loop');
  const { FusedTraining } = require('../../tf/fused-training') as typeof import('../../tf/fused-training');
  const optimizer = makeOptimizer(spec);
  const fused = FusedTraining.create(model, optimizer, { batchSize: spec.batchSize, clip: 1e-7 });
  fused?.dispose();
  optimizer.dispose();
  return fused ? 'fused step' : "tfjs' tape";
}

/** The timed paths in words, e.g. `both by the fused step`. */
export function timedPaths(results: readonly StepBenchResult[]): string {
  const [first] = results;
  const same = results.every(
    (r) => r.paths.plain === first.paths.plain && r.paths['batch-norm'] === first.paths['batch-norm'],
  );
  if (!same) return 'paths differ between seeds';
  return first.paths.plain === first.paths['batch-norm']
    ? `both by the ${first.paths.plain}`
    : `plain by the ${first.paths.plain}, batch norm by the ${first.paths['batch-norm']}`;
}

/** PyTorch's ratio at one batch size in words, or why there is none. */
function torchWords(reference: TorchReference, batchSize: number): string {
  if (!reference.available) return `no PyTorch reference (${reference.reason})`;
  const t = reference.timings.find((x) => x.batchSize === batchSize);
  return t
    ? `PyTorch ${reference.torch}: ${figure(t.batchNormMs / t.plainMs)}×`
    : 'no PyTorch timing at this batch size';
}

/** One verdict per batch size: batch norm ÷ plain ms per step over the seeds, against 1 + the margin. */
export function stepTimeVerdicts(
  results: readonly StepBenchResult[],
  batchSizes: readonly number[],
  settings: Settings = defaultVerdictSettings(STEP_TIME_MARGINS),
  reference: TorchReference = { available: false, reason: 'not run' },
): VerdictRow[] {
  return batchSizes.map((batchSize) => {
    const at = results.map((r) => {
      const timing = r.timings.find((t) => t.batchSize === batchSize);
      if (!timing) throw new Error(`${STEP_TIME_CLAIM}: seed ${r.seed} has no timing at batch ${batchSize}`);
      return timing;
    });
    const row = thresholdVerdict({
      claim: STEP_TIME_CLAIM,
      measure: `ms per training step at batch ${batchSize}, batch norm ÷ plain (timed ${timedPaths(results)})`,
      unit: STEP_TIME_MARGINS.ratio.unit,
      margin: settings.margins.ratio,
      evidence: settings,
      values: at.map((t) => t.batchNormMs / t.plainMs),
      threshold: 1,
      direction: 'above',
    });
    return { ...row, reason: `${row.reason}; ${torchWords(reference, batchSize)}` };
  });
}

export const batchNormStepTimeJob = defineJob<StepTimeParams>({
  kind: 'batch-norm-step-time',
  async run(params, ctx) {
    const results = params.seeds.map((seed) => {
      return stepBenchJob.resultOf(ctx.needs[`seed=${seed}`]);
    });
    const reference: TorchReference = params.figure1
      ? torchReference(params.batchSizes, params)
      : {
          available: false,
          reason: "the config's layers are not Figure 1's, which the PyTorch script builds",
        };
    const verdicts = stepTimeVerdicts(results, params.batchSizes, params.verdict, reference);
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/step_time.csv'),
      results.flatMap((r) =>
        r.timings.map((t) => ({
          seed: r.seed,
          batch_size: t.batchSize,
          plain_ms: t.plainMs.toFixed(3),
          batch_norm_ms: t.batchNormMs.toFixed(3),
          ratio: (t.batchNormMs / t.plainMs).toFixed(2),
          plain_fastest_ms: t.plainFastestMs.toFixed(3),
          batch_norm_fastest_ms: t.batchNormFastestMs.toFixed(3),
          fastest_ratio: (t.batchNormFastestMs / t.plainFastestMs).toFixed(2),
          plain_ms_per_round: t.plainRounds.map((ms) => ms.toFixed(3)).join(' '),
          batch_norm_ms_per_round: t.batchNormRounds.map((ms) => ms.toFixed(3)).join(' '),
        })),
      ),
    );
    const caveat =
      `median of ${params.timedSteps} steps after ${params.warmupSteps} warm-up steps, median of ${params.rounds} rounds ` +
      'alternating the networks in one thread; other work on the same cores slows long steps most, so the ms and even ' +
      'the ratio are noisy: the fastest step (fastest_ratio) is the least disturbed figure';
    const points: SeriesPoint[] = [];
    const summary = params.batchSizes.map((batchSize) => {
      const at = results.map((r) => r.timings.find((t) => t.batchSize === batchSize)!);
      const plain = at.map((t) => t.plainMs);
      const bn = at.map((t) => t.batchNormMs);
      const ratio = at.map((t) => t.batchNormMs / t.plainMs);
      const fastestRatio = at.map((t) => t.batchNormFastestMs / t.plainFastestMs);
      const panel = 'ms per training step';
      points.push(
        { panel, series: 'plain', batchSize, mean: mean(plain), sd: sampleSd(plain) },
        { panel, series: 'batch-norm', batchSize, mean: mean(bn), sd: sampleSd(bn) },
        { panel: 'batch norm ÷ plain', series: 'ratio', batchSize, mean: mean(ratio), sd: sampleSd(ratio) },
      );
      return {
        batch_size: batchSize,
        seeds: at.length,
        plain_ms_mean: mean(plain).toFixed(3),
        plain_ms_sd: sampleSd(plain).toFixed(3),
        batch_norm_ms_mean: mean(bn).toFixed(3),
        batch_norm_ms_sd: sampleSd(bn).toFixed(3),
        ratio_mean: mean(ratio).toFixed(2),
        ratio_sd: sampleSd(ratio).toFixed(2),
        fastest_ratio_mean: mean(fastestRatio).toFixed(2),
        timed: timedPaths(results),
        pytorch_ratio: torchRatio(reference, batchSize),
        timing: caveat,
      };
    });
    writeRecordsCsv(path.join(ctx.dir, 'tables/step_time_summary.csv'), summary);
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), verdicts);
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    await writeChart(
      path.join(ctx.dir, 'figures/step_time'),
      seriesChart(points, {
        title: `Training step time by batch size (mean ± sd over ${results.length} seeds; noisy on shared cores)`,
        xTitle: 'batch size',
        logY: true,
      }),
    );
    return { verdicts: verdicts.map((v) => v.verdict) };
  },
});

/** PyTorch's batch norm ÷ plain ratio at this batch size for the table, or why there is none. */
function torchRatio(reference: TorchReference, batchSize: number): string {
  if (!reference.available) return `none: ${reference.reason}`;
  const t = reference.timings.find((x) => x.batchSize === batchSize);
  return t ? (t.batchNormMs / t.plainMs).toFixed(2) : 'not timed';
}
