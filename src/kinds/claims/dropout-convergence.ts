// Claim P1(1).1, "dropout lowers convergence speed": from the validation curves the train jobs
// recorded (no tfjs), the epochs each model needs to reach a fixed validation accuracy, its
// final validation accuracy, and one chart with the curves of every rate overlaid. Judged by the
// trend of epochs-to-target along the dropout rates, seed by seed.
import path from 'node:path';
import { z } from 'zod';
import { readHistory, type EpochRow } from '../curves';
import { defineJob, type PlannedJob, defineExperiment } from '../../jobs/kind';
import { trainJob, type TrainResult } from '../train';
import type { ChartSpec } from '../../render/chart';
import { writeRecordsCsv } from '../../render/csv';
import { LINE_LEGEND } from '../../render/line-legend';
import {
  comparedModels,
  dropoutRateOf,
  rateSummary,
  seedByRate,
  trainExperimentField,
  trainExperiments,
} from './dropout-models';
import { defaultVerdictSettings, type VerdictSettings, verdictField } from '../../claims/evidence';
import { mean, trendVerdict, VERDICT_FILE, writeVerdictCsv, type VerdictRow } from '../../claims/verdict';
import { modelNeeds } from '../../jobs/per-model';

export const CONVERGENCE_CLAIM = 'P1(1) dropout lowers convergence speed';

/** Minimum effect that matters: the epochs to the target grow by this much per sweep step. */
export const CONVERGENCE_MARGINS = { epochsTrend: { default: 0.1, unit: 'epochs per sweep step' } };
type Settings = VerdictSettings<keyof typeof CONVERGENCE_MARGINS>;

const convergenceConfigSchema = z
  .object({
    model: trainExperimentField,
    targetAccuracy: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.9)
      .describe('The fixed validation accuracy each model is timed to (0..1).'),
    verdict: verdictField(CONVERGENCE_MARGINS),
  })
  .strict();
type ConvergenceConfig = z.infer<typeof convergenceConfigSchema>;

export interface ConvergenceParams {
  targetAccuracy: number;
  verdict: Settings;
}

const FILES = [
  'tables/convergence.csv',
  'tables/convergence_by_rate.csv',
  'tables/validation_curves.csv',
  'figures/validation_accuracy.svg',
  'figures/validation_accuracy.png',
  VERDICT_FILE,
];

export const dropoutConvergenceExperiment = defineExperiment<ConvergenceConfig>({
  kind: 'dropout-convergence',
  description: 'Claim P1(1): dropout slows convergence (epochs to a validation accuracy per rate).',
  schema: convergenceConfigSchema,
  references: (config) => trainExperiments(config.model),
  expand(config, ctx): PlannedJob[] {
    const models = comparedModels(ctx, config.model);
    return [
      dropoutConvergenceJob.plan({
        key: ctx.prefix,
        params: { targetAccuracy: config.targetAccuracy, verdict: config.verdict },
        needs: modelNeeds(models, (m) => m.key),
        cost: 0.5 + 0.02 * models.length,
        publish: FILES,
      }),
    ];
  },
});

/**
 * Epochs until the validation accuracy first reaches `target`, interpolated linearly between the
 * epoch before and the epoch that reaches it (1 when the first epoch does); null when none does.
 */
export function epochsToTarget(valAccuracy: readonly (number | null)[], target: number): number | null {
  const reached = valAccuracy.findIndex((v) => v !== null && v >= target);
  if (reached < 0) return null;
  const before = reached > 0 ? valAccuracy[reached - 1] : null;
  const at = valAccuracy[reached]!;
  if (before === null) return reached + 1;
  return reached + (target - before) / (at - before);
}

export interface ModelConvergence {
  model: string;
  rate: number;
  seed: number;
  epochs: number;
  /** Interpolated epochs to the target, or null when the model never reached it. */
  epochsToTarget: number | null;
  finalValAccuracy: number;
  testAccuracy: number;
}

/** A model's convergence figures from its history (one row per epoch, with validation accuracy). */
export function modelConvergence(
  label: string,
  rate: number,
  result: Pick<TrainResult, 'seed' | 'testAccuracy'>,
  history: EpochRow[],
  target: number,
): ModelConvergence {
  const val = history.map((r) => r.valAccuracy);
  const finalValAccuracy = val.at(-1);
  if (finalValAccuracy === null || finalValAccuracy === undefined)
    throw new Error(
      `${label}: its training recorded no validation accuracy: train it with validationSplit > 0 to time its convergence`,
    );
  return {
    model: label,
    rate,
    seed: result.seed,
    epochs: history.length,
    epochsToTarget: epochsToTarget(val, target),
    finalValAccuracy,
    testAccuracy: result.testAccuracy,
  };
}

/**
 * The verdict: epochs to the target should grow with the rate. A model that never reached the
 * target counts as later than its last epoch (epochs + 1): the rule ranks, so only the order counts.
 */
export function convergenceVerdict(
  models: ModelConvergence[],
  target: number,
  settings: Settings = defaultVerdictSettings(CONVERGENCE_MARGINS),
): VerdictRow {
  const table = seedByRate(models, (m) => m.epochsToTarget ?? m.epochs + 1);
  const unreached = models.filter((m) => m.epochsToTarget === null).length;
  const row = trendVerdict({
    claim: CONVERGENCE_CLAIM,
    measure: `slope of the epochs to ${target} validation accuracy (interpolated) along dropout rates`,
    unit: CONVERGENCE_MARGINS.epochsTrend.unit,
    margin: settings.margins.epochsTrend,
    accuracies: models.map((m) => m.testAccuracy),
    evidence: settings,
    points: table.rates,
    values: table.values,
    direction: 'increasing',
  });
  return unreached === 0
    ? row
    : {
        ...row,
        reason: `${row.reason}; ${unreached} model(s) never reached ${target}: counted as one epoch after their last`,
      };
}

/** Mean validation accuracy per rate and epoch, one line per rate, with the target as a rule. */
export function convergenceChart(
  models: ModelConvergence[],
  histories: EpochRow[][],
  target: number,
): ChartSpec {
  const points = new Map<string, { rate: number; epoch: number; values: number[] }>();
  models.forEach((m, i) => {
    for (const r of histories[i]) {
      if (r.valAccuracy === null) continue;
      const key = `${m.rate}/${r.epoch}`;
      const point = points.get(key) ?? { rate: m.rate, epoch: r.epoch, values: [] };
      point.values.push(r.valAccuracy);
      points.set(key, point);
    }
  });
  const seeds = new Set(models.map((m) => m.seed)).size;
  const values = [...points.values()].map((p) => ({
    dropout: String(p.rate),
    epoch: p.epoch,
    accuracy: mean(p.values),
  }));
  const rates = [...new Set(models.map((m) => m.rate))].sort((a, b) => a - b).map(String);
  return {
    title: `Validation accuracy per epoch by dropout rate (mean of ${seeds} seed${seeds === 1 ? '' : 's'})`,
    width: 420,
    height: 260,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'validation accuracy',
            scale: { zero: false },
          },
          color: { field: 'dropout', type: 'nominal', title: 'dropout', sort: rates, legend: LINE_LEGEND },
        },
      },
      {
        data: { values: [{ target }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#666' },
        encoding: { y: { field: 'target', type: 'quantitative' } },
      },
    ],
  } as ChartSpec;
}

export const dropoutConvergenceJob = defineJob<ConvergenceParams>({
  kind: 'dropout-convergence',
  async run(params, ctx) {
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    const target = params.targetAccuracy;
    const needed = Object.entries(ctx.needs);
    const histories = needed.map(([label, need]) =>
      readHistory(path.join(need.dir, 'tables/history.csv'), label),
    );
    const models = needed.map(([label, need], i) =>
      modelConvergence(
        need.key ?? label,
        dropoutRateOf(path.join(need.dir, 'model')),
        trainJob.resultOf(need),
        histories[i],
        target,
      ),
    );
    const order = models
      .map((_, i) => i)
      .sort((a, b) => models[a].rate - models[b].rate || models[a].seed - models[b].seed);
    const sorted = order.map((i) => models[i]);
    const sortedHistories = order.map((i) => histories[i]);
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/convergence.csv'),
      sorted.map((m) => ({
        model: m.model,
        dropout: m.rate,
        seed: m.seed,
        epochs: m.epochs,
        target_accuracy: target,
        epochs_to_target: m.epochsToTarget === null ? 'not reached' : m.epochsToTarget.toFixed(3),
        final_val_accuracy: m.finalValAccuracy.toFixed(4),
        test_accuracy: m.testAccuracy.toFixed(4),
      })),
    );
    const reachedByAll = sorted.every((m) => m.epochsToTarget !== null);
    const toTarget = reachedByAll ? rateSummary(seedByRate(sorted, (m) => m.epochsToTarget!)) : null;
    const finalVal = rateSummary(seedByRate(sorted, (m) => m.finalValAccuracy));
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/convergence_by_rate.csv'),
      finalVal.map((f, i) => ({
        dropout: f.rate,
        seeds: f.seeds,
        epochs_to_target_mean: toTarget ? toTarget[i].mean.toFixed(3) : 'not reached by every seed',
        epochs_to_target_sd: toTarget ? toTarget[i].sd.toFixed(3) : '',
        final_val_accuracy_mean: f.mean.toFixed(4),
        final_val_accuracy_sd: f.sd.toFixed(4),
      })),
    );
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/validation_curves.csv'),
      sorted.flatMap((m, i) =>
        sortedHistories[i].map((r) => ({
          dropout: m.rate,
          seed: m.seed,
          epoch: r.epoch,
          val_accuracy: r.valAccuracy,
          val_loss: r.valLoss,
        })),
      ),
    );
    await writeChart(
      path.join(ctx.dir, 'figures/validation_accuracy'),
      convergenceChart(sorted, sortedHistories, target),
    );
    const verdict = convergenceVerdict(sorted, target, params.verdict);
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), [verdict]);
    return { models: sorted.length, verdict: verdict.verdict, effect: verdict.effect };
  },
});
