// `claim-receptive-fields` (Problem 2(4), "deeper layers have wider receptive fields"): for every
// model of a train experiment, each spatial layer's theoretical receptive field and the measured
// one (./receptive-fields.ts), then one verdict job: the fields by layer and seed as a table and a
// chart, and verdict.csv — does the measured field grow with depth over the conv and pooling
// layers, and do the deepest layer's units see most of the input?
import path from 'node:path';
import { z } from 'zod';
import type { DataSpec } from '../../data/spec';
import { defineJob, type PlannedJob, defineExperiment } from '../../jobs/kind';
import {
  modelReferences,
  modelSourceField,
  probedModels,
  type ModelFileParam,
} from '../../jobs/model-source';
import { probeDataFields, probeSetting } from '../../jobs/probe-setting';
import { testPixels, probeInputs } from '../../jobs/shared';
import type { BackendName } from '../../models/training-spec';
import { mulberry32 } from '../../random';
import type { ChartSpec } from '../../render/chart';
import { writeRecordsCsv } from '../../render/csv';
import { LINE_LEGEND } from '../../render/line-legend';
import type { LayerField } from '../../claims/receptive-fields';
import { asPoints, type VerdictSettings, verdictField } from '../../claims/evidence';
import { thresholdVerdict, trendVerdict, VERDICT_FILE, writeVerdictCsv } from '../../claims/verdict';
import { claimOverModels } from '../../jobs/per-model';

export const RECEPTIVE_FIELDS_CLAIM = 'P2(4) deeper layers have wider receptive fields';
export const DEEPEST_SEES_MOST_CLAIM = 'P2(4) units of the deepest layer see most of the input image';

/** Minimum effects that matter: the field's growth per layer, and the deepest field beyond `mostOfInput`. */
export const RECEPTIVE_FIELDS_MARGINS = {
  growth: { default: 1, unit: 'pixels (rows) per layer' },
  deepestShare: { default: 0, unit: 'percentage points of the input, beyond mostOfInput' },
};

const configSchema = z
  .object({
    model: modelSourceField,
    images: z
      .number()
      .int('expected a whole number of images')
      .min(1, 'expected at least 1 image')
      .max(1000, 'expected at most 1000 images')
      .default(64)
      .describe(
        'Test images whose gradients are united (as many uniform-noise images are added): a pixel belongs to the measured field when its gradient is non-zero for any of them.',
      ),
    mostOfInput: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.5)
      .describe('Share of the input area that counts as "most of the input" for the deepest layer.'),
    verdict: verdictField(RECEPTIVE_FIELDS_MARGINS),
    ...probeDataFields,
  })
  .strict();
type ReceptiveFieldsConfig = z.infer<typeof configSchema>;

export interface ReceptiveFieldsParams {
  data: DataSpec;
  backend: BackendName;
  images: number;
  modelFile?: ModelFileParam;
}

export interface ReceptiveFieldsResult {
  rows: number;
  cols: number;
  layers: LayerField[];
}

const SEED_TABLE = 'tables/receptive_fields.csv';
const VERDICT_FILES = [
  'tables/receptive_fields_by_seed.csv',
  'figures/receptive_fields.svg',
  'figures/receptive_fields.png',
  VERDICT_FILE,
];

export const receptiveFieldsClaimExperiment = defineExperiment<ReceptiveFieldsConfig>({
  kind: 'claim-receptive-fields',
  description: 'Claim P2(4): deeper layers have wider receptive fields, measured and in theory.',
  schema: configSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx): PlannedJob[] {
    const setting = probeSetting(config, ctx);
    const models = probedModels(config.model, ctx, setting.data);
    if (models.length === 0) return [];
    return claimOverModels(
      ctx.prefix,
      models,
      (_model, key) =>
        receptiveFieldsJob.plan({
          key,
          params: { ...setting, images: config.images },
          cost: 1 + (2 * config.images) / 100,
          publish: [SEED_TABLE],
        }),
      (needs, key, labels) =>
        receptiveFieldsVerdictJob.plan({
          key,
          params: { mostOfInput: config.mostOfInput, verdict: config.verdict, models: labels },
          needs,
          cost: 1,
          publish: VERDICT_FILES,
        }),
    );
  },
});

export const receptiveFieldsJob = defineJob<ReceptiveFieldsParams, ReceptiveFieldsResult>({
  kind: 'receptive-fields',
  async run(params, ctx): Promise<ReceptiveFieldsResult> {
    const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    const { receptiveFields } =
      require('../../claims/receptive-fields') as typeof import('../../claims/receptive-fields');
    const { model, data, rows, cols } = await probeInputs(ctx, params);
    const n = Math.min(params.images, data.test.count);
    const digits = testPixels(
      data,
      Array.from({ length: n }, (_, i) => i),
      'receptive-fields',
    );
    const random = mulberry32(1);
    const pixels = new Float32Array(2 * n * rows * cols);
    pixels.set(digits);
    for (let i = digits.length; i < pixels.length; i++) pixels[i] = random();
    const images = tf.tensor4d(pixels, [2 * n, rows, cols, 1]);
    try {
      const layers = receptiveFields(tf, model, images);
      writeRecordsCsv(
        path.join(ctx.dir, SEED_TABLE),
        layers.map((l) => ({
          layer: l.name,
          type: l.className,
          output: l.outputSize.join('×'),
          theoretical_rows: l.theoretical[0],
          theoretical_cols: l.theoretical[1],
          measured_rows: l.measured[0],
          measured_cols: l.measured[1],
          measured_pixels: l.measuredPixels,
        })),
      );
      return { rows, cols, layers };
    } finally {
      images.dispose();
    }
  },
});

const SPATIAL_WINDOWS = new Set(['Conv2D', 'MaxPooling2D', 'AveragePooling2D']);

// Measured fields often equal the theory exactly, so each series is drawn a little to the side of
// its layer (a dodge) and the theory as a wide pale band under them: equal lines stay visible.
const DODGE = 0.08;

export function fieldsChart(
  points: { layer: string; depth: number; field: string; pixels: number }[],
): ChartSpec {
  const fields = [...new Set(points.map((p) => p.field))];
  const layers = [...new Set(points.map((p) => p.layer))];
  const dodged = points.map((p) => ({
    ...p,
    x: p.depth + (fields.indexOf(p.field) - (fields.length - 1) / 2) * DODGE,
  }));
  const x = {
    field: 'x',
    type: 'quantitative',
    title: 'layer (input first)',
    scale: { domain: [-0.5, layers.length - 0.5], nice: false, zero: false },
    axis: {
      values: layers.map((_, i) => i),
      labelExpr: `${JSON.stringify(layers)}[datum.value]`,
      labelAngle: -45,
      labelOverlap: false,
      grid: false,
    },
  };
  const y = { field: 'pixels', type: 'quantitative', title: 'receptive field (rows, pixels)' };
  const color = {
    field: 'field',
    type: 'nominal',
    title: 'field',
    sort: fields,
    legend: { ...LINE_LEGEND, labelLimit: 400 },
  };
  return {
    title: 'Receptive field of a central unit, by layer',
    width: 420,
    height: 240,
    data: { values: dodged },
    layer: [
      {
        transform: [{ filter: "datum.field === 'theoretical'" }],
        // Drawn in the colour the legend gives 'theoretical' (the first of the scheme), without a colour
        // encoding of its own: a pale band in the legend would hide the lines' swatches.
        mark: { type: 'line', strokeWidth: 10, opacity: 0.25, color: '#4c78a8' },
        encoding: { x, y },
      },
      { mark: { type: 'line', point: true, strokeWidth: 1.5 }, encoding: { x, y, color } },
    ],
  } as ChartSpec;
}

export interface ReceptiveFieldsVerdictParams {
  mostOfInput: number;
  verdict: VerdictSettings<keyof typeof RECEPTIVE_FIELDS_MARGINS>;
  /** Model labels in order (the needs are named by them). */
  models: string[];
}

export const receptiveFieldsVerdictJob = defineJob<ReceptiveFieldsVerdictParams>({
  kind: 'claim-receptive-fields-verdict',
  async run(params, ctx) {
    const models = params.models.map((label) => ({
      label,
      ...receptiveFieldsJob.resultOf(ctx.needs[label]),
    }));
    const [first] = models;
    const names = first.layers.map((l) => l.name);
    for (const m of models)
      if (m.layers.map((l) => l.name).join() !== names.join())
        throw new Error(`claim-receptive-fields: ${m.label} has other layers than ${first.label}`);
    writeRecordsCsv(
      path.join(ctx.dir, VERDICT_FILES[0]),
      first.layers.map((l, i) => ({
        layer: l.name,
        type: l.className,
        theoretical: l.theoretical.join('×'),
        ...Object.fromEntries(models.map((m) => [`measured ${m.label}`, m.layers[i].measured.join('×')])),
      })),
    );
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    await writeChart(
      path.join(ctx.dir, 'figures/receptive_fields'),
      fieldsChart(
        first.layers.flatMap((l, i) => [
          { layer: l.name, depth: i, field: 'theoretical', pixels: l.theoretical[0] },
          ...models.map((m) => ({
            layer: l.name,
            depth: i,
            field: `measured ${m.label}`,
            pixels: m.layers[i].measured[0],
          })),
        ]),
      ),
    );
    const windows = first.layers.flatMap((l, i) => (SPATIAL_WINDOWS.has(l.className) ? [i] : []));
    const deepest = first.layers.length - 1;
    // No accuracy floor: a receptive field is a property of the architecture, not of how well it was trained.
    const { verdict } = params;
    const rows = [
      trendVerdict({
        claim: RECEPTIVE_FIELDS_CLAIM,
        measure:
          'slope of the measured receptive field (rows) of a central unit along the conv and pooling layers',
        unit: RECEPTIVE_FIELDS_MARGINS.growth.unit,
        margin: verdict.margins.growth,
        evidence: verdict,
        points: windows.map((i) => names[i]),
        values: models.map((m) => windows.map((i) => m.layers[i].measured[0])),
        direction: 'increasing',
      }),
      thresholdVerdict({
        claim: DEEPEST_SEES_MOST_CLAIM,
        measure: `% of the ${first.rows}×${first.cols} input inside the measured field of ${names[deepest]}`,
        unit: RECEPTIVE_FIELDS_MARGINS.deepestShare.unit,
        margin: verdict.margins.deepestShare,
        evidence: verdict,
        values: asPoints(
          models.map((m) => {
            const [r, c] = m.layers[deepest].measured;
            return (r * c) / (m.rows * m.cols);
          }),
        ),
        threshold: params.mostOfInput * 100,
        direction: 'above',
      }),
    ];
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), rows);
    return { verdicts: rows.map((r) => r.verdict) };
  },
});
