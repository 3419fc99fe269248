// `curves`: the training curves of every model of a train experiment (Figure 2): loss and
// accuracy on the training and validation data per epoch, one chart per model and one with
// all models overlaid, and the histories gathered into one table. One job that needs every
// model; it reads each train job's tables/history.csv.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { ChartSpec } from '../render/chart';
import { DASH_LEGEND, LINE_LEGEND } from '../render/line-legend';
import { panelsSideBySide } from '../render/panels';
import { writeRecordsCsv } from '../render/csv';
import { defineJob, type PlannedJob, defineExperiment } from '../jobs/kind';
import { FieldError } from '../config-errors';
import { modelReferences, modelSourceField } from '../jobs/model-source';
import { labelSegment } from '../jobs/probe-setting';
import { modelNeeds } from '../jobs/per-model';

const curvesConfigSchema = z
  .object({
    model: modelSourceField.describe(
      'Name of the train experiment whose training curves are drawn (every seed and sweep point); a model file has no curves.',
    ),
  })
  .strict();
type CurvesConfig = z.infer<typeof curvesConfigSchema>;

export interface CurvesParams {
  /** Model labels in order (the needs are named by them). */
  models: string[];
  [key: string]: string[];
}

export const curvesFiles = (labels: string[]) => [
  'tables/history.csv',
  ...['all', ...labels.map(labelSegment)].flatMap((name) => [
    `figures/curves_${name}.svg`,
    `figures/curves_${name}.png`,
  ]),
];

export const curvesExperiment = defineExperiment<CurvesConfig>({
  kind: 'curves',
  description: 'Loss and accuracy per epoch of trained models, train and validation (Figure 2).',
  schema: curvesConfigSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx): PlannedJob[] {
    if (typeof config.model !== 'string')
      throw new FieldError(
        ['model'],
        'curves draws what training recorded, and a model file has none: name a train experiment',
      );
    const models = ctx.modelsOf(config.model);
    if (models.length === 0) return [];
    const labels = models.map((m) => m.label);
    return [
      curvesJob.plan({
        key: ctx.prefix,
        params: { models: labels },
        needs: modelNeeds(models, (m) => m.label),
        cost: 1 + 0.2 * models.length,
        publish: curvesFiles(labels),
      }),
    ];
  },
});

export interface EpochRow {
  model: string;
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
}

const COLUMNS = ['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy'] as const;

/** A train job's history.csv: one row per epoch; empty cells (no validation data) become null. */
export function readHistory(file: string, model: string): EpochRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
      string,
      string
    >[];
  } catch (err) {
    throw new Error(`${file}: cannot read the training history (${(err as Error).message})`);
  }
  const missing = COLUMNS.filter((c) => records.length > 0 && !(c in records[0]));
  if (missing.length) throw new Error(`${file}: missing column(s) ${missing.join(', ')}`);
  const value = (cell: string) => (cell === '' || cell === undefined ? null : Number(cell));
  return records.map((r) => ({
    model,
    epoch: Number(r.epoch),
    loss: value(r.loss),
    accuracy: value(r.accuracy),
    valLoss: value(r.valLoss),
    valAccuracy: value(r.valAccuracy),
  }));
}

/** Long format for the charts: one point per (model, epoch, metric, data), missing values left out. */
export function curvePoints(
  rows: EpochRow[],
): { model: string; epoch: number; metric: string; data: string; value: number }[] {
  const series = [
    ['loss', 'train', 'loss'],
    ['loss', 'validation', 'valLoss'],
    ['accuracy', 'train', 'accuracy'],
    ['accuracy', 'validation', 'valAccuracy'],
  ] as const;
  return rows.flatMap((r) =>
    series.flatMap(([metric, data, field]) =>
      r[field] === null || !Number.isFinite(r[field])
        ? []
        : [{ model: r.model, epoch: r.epoch, metric, data, value: r[field]! }],
    ),
  );
}

/** Loss and accuracy side by side; colour = data (one model) or model (overlay, dashes = data). */
export function curvesChart(rows: EpochRow[], title: string, overlay: boolean): ChartSpec {
  // Whole epochs on the axis (vega's own ticks would put 1.5 between 1 and 2).
  const epochs = [...new Set(rows.map((r) => r.epoch))].sort((a, b) => a - b);
  const ticks = epochs.length <= 20 ? { values: epochs } : { tickMinStep: 1 };
  const legend = LINE_LEGEND;
  const colour = overlay
    ? { field: 'model', type: 'nominal', title: 'model', legend }
    : { field: 'data', type: 'nominal', title: 'data', legend };
  // Overlaid, the dashes have a legend of their own, which has no colour to take: dark gray.
  const dashes = {
    field: 'data',
    type: 'nominal',
    title: 'data',
    legend: overlay ? DASH_LEGEND : legend,
  };
  return {
    title,
    data: { values: curvePoints(rows) },
    ...panelsSideBySide('metric', ['loss', 'accuracy'], (metric) => ({
      width: 280,
      height: 200,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { ...ticks, format: 'd' } },
        y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
        color: colour,
        // Train solid, validation dashed, in every curves chart.
        strokeDash: dashes,
        ...(overlay ? { detail: { field: 'data' } } : {}),
      },
    })),
  } as ChartSpec;
}

export const curvesJob = defineJob<CurvesParams>({
  kind: 'curves',
  async run(params, ctx) {
    const { writeChart } = require('../render/chart') as typeof import('../render/chart');
    const histories = params.models.map((label) => {
      const need = ctx.needs[label];
      if (!need) throw new Error(`curves: model "${label}" is not among the needed jobs`);
      return readHistory(path.join(need.dir, 'tables/history.csv'), label);
    });
    const all = histories.flat();
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/history.csv'),
      all.map((r) => ({
        model: r.model,
        epoch: r.epoch,
        loss: r.loss,
        accuracy: r.accuracy,
        val_loss: r.valLoss,
        val_accuracy: r.valAccuracy,
      })),
    );
    for (const [i, label] of params.models.entries()) {
      await writeChart(
        path.join(ctx.dir, `figures/curves_${labelSegment(label)}`),
        curvesChart(histories[i], `Loss and accuracy per epoch, ${label}`, false),
      );
    }
    await writeChart(
      path.join(ctx.dir, 'figures/curves_all'),
      curvesChart(
        all,
        params.models.length === 1
          ? `Loss and accuracy per epoch, ${params.models[0]}`
          : `Loss and accuracy per epoch, ${params.models.length} models overlaid`,
        true,
      ),
    );
    const last = histories.map((h) => h[h.length - 1]);
    return {
      models: params.models.length,
      epochs: Math.max(0, ...histories.map((h) => h.length)),
      finalAccuracy: last.map((r) => r?.accuracy ?? null),
      finalValAccuracy: last.map((r) => r?.valAccuracy ?? null),
    };
  },
});
