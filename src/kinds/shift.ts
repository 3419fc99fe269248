// `shift`: is the CNN still right when the digit moves? (Figure 6.) For every model of a train
// experiment: a chosen test digit (default the first test 7) shifted 1..maxShift pixels left,
// right, up and down with zero fill, each with its predicted label and probability, as a strip
// picture and a table. Beyond the homework: accuracy over the whole test set for every shift in
// −accuracyRange..accuracyRange, horizontal and vertical, one pool job per shift, gathered into a
// table and a chart.
import path from 'node:path';
import { z } from 'zod';
import type { DataSpec } from '../data/spec';
import type { BackendName } from '../models/training-spec';
import { DIRECTIONS, offsetOf, shiftedPixels, shiftImage } from '../probes/shift';
import type { ChartSpec } from '../render/chart';
import { LINE_LEGEND } from '../render/line-legend';
import { writeRecordsCsv } from '../render/csv';
import { writePicture } from '../render/picture';
import { shiftStripGrid, type ShiftedDigit } from '../render/shift-strip';
import { defineJob, type PlannedJob, defineExperiment } from '../jobs/kind';
import { argMax } from '../occlusion/maps';
import type { Classifier } from '../models/classifier';
import type { Dataset } from '../data/datasets';
import { testLabels } from '../occlusion/test-labels';
import {
  chooseImages,
  digitField,
  probeDataFields,
  probeSetting,
  testIndexField,
  type ChosenImage,
} from '../jobs/probe-setting';
import { FieldError } from '../config-errors';
import {
  modelReferences,
  modelSourceField,
  probedModels,
  withModel,
  type ModelFileParam,
} from '../jobs/model-source';
import { modelTitle, testPixels, probeClassifier } from '../jobs/shared';

const pixelsField = (what: string, min: number) =>
  z
    .number({ error: `expected ${what}` })
    .int(`expected a whole number of pixels`)
    .min(min, `expected at least ${min}`);

const shiftConfigSchema = z
  .object({
    model: modelSourceField,
    digit: digitField
      .default(7)
      .describe('The first test image of this digit is shifted (ignored when image is given).'),
    image: testIndexField.optional().describe('Test image index to shift instead of digit.'),
    maxShift: pixelsField('the largest shift of the strip in pixels', 1)
      .default(4)
      .describe('The strip shows the digit shifted 0..maxShift pixels left, right, up and down (zero fill).'),
    accuracyRange: pixelsField('the largest shift of the accuracy curve in pixels', 0)
      .default(8)
      .describe(
        'Accuracy over the whole test set for every shift in −accuracyRange..accuracyRange pixels, horizontal and vertical, one pool job per shift; 0 leaves it out.',
      ),
    scale: z.number().int().min(1).max(10).default(3).describe('Pixels per image pixel in the strip.'),
    ...probeDataFields,
  })
  .strict();
type ShiftConfig = z.infer<typeof shiftConfigSchema>;

export interface ShiftStripParams {
  data: DataSpec;
  backend: BackendName;
  image: ChosenImage;
  maxShift: number;
  scale: number;
  modelFile?: ModelFileParam;
}

export interface ShiftAccuracyChunkParams {
  data: DataSpec;
  backend: BackendName;
  shift: number;
  modelFile?: ModelFileParam;
}

export interface ShiftAccuracyChunkResult {
  shift: number;
  images: number;
  /** Correct predictions with the images moved by `shift` pixels sideways (+ = right) and vertically (+ = down). */
  horizontalCorrect: number;
  verticalCorrect: number;
  [key: string]: number;
}

export interface ShiftAccuracyParams {
  range: number;
  [key: string]: number;
}

export const STRIP_FILES = ['figures/shift_strip.png', 'tables/shifted_predictions.csv'];
export const ACCURACY_FILES = [
  'tables/accuracy_vs_shift.csv',
  'figures/accuracy_vs_shift.svg',
  'figures/accuracy_vs_shift.png',
];

export const shiftExperiment = defineExperiment<ShiftConfig>({
  kind: 'shift',
  description: 'A test digit moved pixel by pixel, and test accuracy against the shift (Figure 6).',
  schema: shiftConfigSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx): PlannedJob[] {
    const setting = probeSetting(config, ctx);
    const { labels, rows, cols } = testLabels(setting.data);
    const largest = Math.min(rows, cols) - 1;
    for (const field of ['maxShift', 'accuracyRange'] as const)
      if (config[field] > largest)
        throw new FieldError(
          [field],
          `expected at most ${largest} pixels (the images are ${rows}×${cols}), got ${config[field]}`,
        );
    const [image] = chooseImages(
      labels,
      config.image === undefined ? undefined : [config.image],
      [config.digit],
      `shift experiment "${ctx.name}"`,
      { index: 'image', digit: 'digit' },
    );
    const jobs: PlannedJob[] = [];
    for (const model of probedModels(config.model, ctx, setting.data, { forwardOnly: true })) {
      const base = `${ctx.prefix}/${model.label}`;
      const strip: ShiftStripParams = { ...setting, image, maxShift: config.maxShift, scale: config.scale };
      jobs.push(
        withModel(
          model,
          shiftStripJob.plan({
            key: `${base}/strip`,
            params: strip,
            cost: 0.3,
            publish: STRIP_FILES,
          }),
        ),
      );
      if (config.accuracyRange === 0) continue;
      const needs: Record<string, string> = {};
      for (let shift = -config.accuracyRange; shift <= config.accuracyRange; shift++) {
        const key = `${base}/accuracy/shift=${shift}`;
        needs[`shift=${shift}`] = key;
        const params: ShiftAccuracyChunkParams = { ...setting, shift };
        jobs.push(
          withModel(
            model,
            shiftAccuracyChunkJob.plan({
              key,
              params,
              cost: (labels.length * 2) / 20_000,
            }),
          ),
        );
      }
      jobs.push(
        shiftAccuracyJob.plan({
          key: `${base}/accuracy`,
          params: { range: config.accuracyRange },
          needs,
          cost: 0.5,
          publish: ACCURACY_FILES,
        }),
      );
    }
    return jobs;
  },
});

export const shiftStripJob = defineJob<ShiftStripParams>({
  kind: 'shift-strip',
  async run(params, ctx) {
    const { classifier, data } = await probeClassifier(ctx, params);
    const { rows, cols, channels } = data;
    const pixels = rows * cols * channels;
    const { index, label } = params.image;
    const original = testPixels(data, [index], 'shift-strip');

    const variants: { direction: string; pixels: number; dx: number; dy: number; image: Float32Array }[] = [];
    for (const direction of DIRECTIONS) {
      for (let amount = 0; amount <= params.maxShift; amount++) {
        const { dx, dy } = offsetOf(direction, amount);
        variants.push({
          direction,
          pixels: amount,
          dx,
          dy,
          image: shiftImage(original, rows, cols, dx, dy, channels),
        });
      }
    }
    const batch = new Float32Array(variants.length * pixels);
    variants.forEach((v, i) => batch.set(v.image, i * pixels));
    const probs = await classifier.probabilities(batch, variants.length);
    const classes = probs.length / variants.length;
    const shifted: (ShiftedDigit & { dx: number; dy: number; trueProbability: number })[] = variants.map(
      (v, i) => {
        const predicted = argMax(probs, i * classes, classes);
        return {
          ...v,
          predicted,
          probability: probs[i * classes + predicted],
          trueProbability: probs[i * classes + label],
        };
      },
    );

    writePicture(
      path.join(ctx.dir, 'figures/shift_strip.png'),
      shiftStripGrid(shifted, {
        rows,
        cols,
        channels,
        label,
        index,
        scale: params.scale,
        model: modelTitle(ctx, params.modelFile),
      }).picture,
    );
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/shifted_predictions.csv'),
      shifted.map((s) => ({
        direction: s.direction,
        pixels: s.pixels,
        dx: s.dx,
        dy: s.dy,
        predicted: s.predicted,
        probability: s.probability.toFixed(4),
        [`prob_of_${label}`]: s.trueProbability.toFixed(4),
        correct: s.predicted === label ? 'yes' : 'no',
      })),
    );
    const wrong = shifted.filter((s) => s.predicted !== label);
    return {
      index,
      label,
      shifts: shifted.length,
      wrong: wrong.length,
      firstWrong: wrong.length ? `${wrong[0].direction} ${wrong[0].pixels}px` : null,
    };
  },
});

/** Images per predict call: large batches are fast on wasm, and 1000 images stay a few MB. */
const PREDICT_BATCH = 1000;

/**
 * How many of the data's test images the classifier labels right when each is moved by (dx, dy),
 * predicted PREDICT_BATCH at a time; `beforeBatch` runs before each (it may throw to stop).
 */
export async function correctWhenShifted(
  classifier: Classifier,
  data: Dataset,
  dx: number,
  dy: number,
  beforeBatch: () => void = () => {},
): Promise<number> {
  const { rows, cols, channels } = data;
  const { images, labels, count } = data.test;
  let hits = 0;
  for (let start = 0; start < count; start += PREDICT_BATCH) {
    beforeBatch();
    const end = Math.min(count, start + PREDICT_BATCH);
    const probs = await classifier.probabilities(
      shiftedPixels(images, rows, cols, start, end, dx, dy, channels),
      end - start,
    );
    const classes = probs.length / (end - start);
    for (let i = start; i < end; i++) if (argMax(probs, (i - start) * classes, classes) === labels[i]) hits++;
  }
  return hits;
}

export const shiftAccuracyChunkJob = defineJob<ShiftAccuracyChunkParams, ShiftAccuracyChunkResult>({
  kind: 'shift-accuracy-chunk',
  async run(params, ctx): Promise<ShiftAccuracyChunkResult> {
    const { classifier, data } = await probeClassifier(ctx, params);
    const stopped = () => {
      if (ctx.signal.aborted) throw new Error('shift-accuracy-chunk: stopped');
    };
    const correct = (dx: number, dy: number) => correctWhenShifted(classifier, data, dx, dy, stopped);
    const horizontalCorrect = await correct(params.shift, 0);
    const verticalCorrect = params.shift === 0 ? horizontalCorrect : await correct(0, params.shift);
    return { shift: params.shift, images: data.test.count, horizontalCorrect, verticalCorrect };
  },
});

export function accuracyChart(
  rows: { shift: number; horizontal: number; vertical: number }[],
  title: string,
): ChartSpec {
  const values = rows.flatMap((r) => [
    { shift: r.shift, direction: 'horizontal (+ right)', accuracy: r.horizontal },
    { shift: r.shift, direction: 'vertical (+ down)', accuracy: r.vertical },
  ]);
  return {
    title,
    width: 420,
    height: 240,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      // Whole pixels on the axis (vega's own ticks would put halves between them).
      x: {
        field: 'shift',
        type: 'quantitative',
        title: 'shift in pixels',
        axis: {
          values: rows.map((r) => r.shift).filter((s) => rows.length <= 21 || s % 2 === 0),
          format: 'd',
        },
      },
      y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1] } },
      color: {
        field: 'direction',
        type: 'nominal',
        title: 'shift',
        legend: { ...LINE_LEGEND, labelLimit: 400 },
      },
    },
  } as ChartSpec;
}

export const shiftAccuracyJob = defineJob<ShiftAccuracyParams>({
  kind: 'shift-accuracy',
  async run(params, ctx) {
    const chunks = shiftAccuracyChunkJob.resultsOf(ctx.needs).sort((a, b) => a.shift - b.shift);
    if (chunks.length !== 2 * params.range + 1)
      throw new Error(
        `shift-accuracy: ${chunks.length} shift results, expected ${2 * params.range + 1} (−${params.range}..${params.range})`,
      );
    const rows = chunks.map((c) => ({
      shift: c.shift,
      horizontal: c.horizontalCorrect / c.images,
      vertical: c.verticalCorrect / c.images,
      images: c.images,
    }));
    writeRecordsCsv(
      path.join(ctx.dir, 'tables/accuracy_vs_shift.csv'),
      rows.map((r) => ({
        shift: r.shift,
        horizontal_accuracy: r.horizontal.toFixed(4),
        vertical_accuracy: r.vertical.toFixed(4),
        images: r.images,
      })),
    );
    // vega is loaded only by the jobs that draw charts (it takes half a second).
    const { writeChart } = require('../render/chart') as typeof import('../render/chart');
    await writeChart(
      path.join(ctx.dir, 'figures/accuracy_vs_shift'),
      accuracyChart(rows, `Test accuracy of shifted images (${rows[0].images} images)`),
    );
    const at = (s: number) => rows.find((r) => r.shift === s)!;
    return {
      images: rows[0].images,
      accuracyAt0: at(0).horizontal,
      worstHorizontal: Math.min(...rows.map((r) => r.horizontal)),
      worstVertical: Math.min(...rows.map((r) => r.vertical)),
    };
  },
});
