// `feature-maps`: what each convolution, pooling and batch-normalization layer makes of chosen
// test digits (Figures 4–5; default the first test 0 and the first test 8), for every probed
// model. Per layer one grid with the digits side by side on one scale (layer 1 shows what
// separates a 0 from an 8); per digit one grid of all layers; a table of per-channel statistics.
import path from 'node:path';
import { z } from 'zod';
import type { DataSpec } from '../data/spec';
import type { BackendName } from '../models/training-spec';
import type { PlannedLayer } from '../models/shapes';
import { FEATURE_MAP_CLASSES, layerFileName, layersOfClasses } from '../probes/probed-layers';
import { writeRecordsCsv } from '../render/csv';
import type { ProbedImage } from '../render/feature-map-grid';
import { writePicture } from '../render/picture';
import { defineJob, type PlannedJob, defineExperiment } from '../jobs/kind';
import { testLabels } from '../occlusion/test-labels';
import {
  chooseImages,
  digitField,
  probeDataFields,
  probeSetting,
  testIndexField,
  type ChosenImage,
} from '../jobs/probe-setting';
import { modelTitle, testPixels, probeInputs } from '../jobs/shared';
import {
  layersOf,
  modelReferences,
  modelSourceField,
  probedModels,
  withModel,
  type ModelFileParam,
} from '../jobs/model-source';

const featureMapsConfigSchema = z
  .object({
    model: modelSourceField,
    digits: z
      .array(digitField)
      .min(1, 'expected at least one digit')
      .max(10)
      .default([0, 8])
      .describe('The first test image of each of these digits is probed (ignored when images is given).'),
    images: z
      .array(testIndexField)
      .min(1, 'expected at least one test image index')
      .max(10, 'expected at most 10 images (each adds a row to every figure)')
      .optional()
      .describe('Test image indices to probe instead of digits.'),
    ...probeDataFields,
  })
  .strict();
type FeatureMapsConfig = z.infer<typeof featureMapsConfigSchema>;

export interface FeatureMapsParams {
  data: DataSpec;
  backend: BackendName;
  images: ChosenImage[];
  modelFile?: ModelFileParam;
}

export const imageFileName = (image: ChosenImage) => `digit${image.label}_test${image.index}`;

export function featureMapFiles(layers: readonly PlannedLayer[], images: ChosenImage[]): string[] {
  return [
    ...layersOfClasses(layers, FEATURE_MAP_CLASSES).map(
      (layer, i) => `figures/${layerFileName(layer, i)}.png`,
    ),
    ...images.map((image) => `figures/${imageFileName(image)}.png`),
    'tables/activations.csv',
  ];
}

export const featureMapsExperiment = defineExperiment<FeatureMapsConfig>({
  kind: 'feature-maps',
  description: "Every convolution and pooling layer's output for chosen test digits (Figures 4-5).",
  schema: featureMapsConfigSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx): PlannedJob[] {
    const setting = probeSetting(config, ctx);
    const images = chooseImages(
      testLabels(setting.data).labels,
      config.images,
      config.digits,
      `feature-maps experiment "${ctx.name}"`,
      { index: 'images[]', digit: 'digits[]' },
    );
    return probedModels(config.model, ctx, setting.data, { needs: 'the outputs of its layers' }).map(
      (model) =>
        withModel(
          model,
          featureMapsJob.plan({
            key: `${ctx.prefix}/${model.label}`,
            params: { ...setting, images },
            cost: 0.5 + 0.3 * images.length,
            publish: featureMapFiles(layersOf(model, `feature-maps experiment "${ctx.name}"`), images),
          }),
        ),
    );
  },
});

export const featureMapsJob = defineJob<FeatureMapsParams>({
  kind: 'feature-maps',
  async run(params, ctx) {
    const { layerActivations } = require('../probes/activations') as typeof import('../probes/activations');
    const { compareImagesGrid, imageLayersGrid } =
      require('../render/feature-map-grid') as typeof import('../render/feature-map-grid');
    const { model, data, rows, cols } = await probeInputs(ctx, params);
    const title = modelTitle(ctx, params.modelFile);
    const { channels } = data;
    const pixels = rows * cols * channels;
    const batch = testPixels(
      data,
      params.images.map((image) => image.index),
      'feature-maps',
    );
    const probed: ProbedImage[] = params.images.map(({ index, label }, i) => ({
      index,
      label,
      pixels: batch.subarray(i * pixels, (i + 1) * pixels),
      rows,
      cols,
      channels,
    }));
    const activations = layerActivations(model, batch, probed.length, rows, cols);

    activations.forEach((activation, i) =>
      writePicture(
        path.join(ctx.dir, `figures/${layerFileName(activation.layer, i)}.png`),
        compareImagesGrid(activation, probed, i + 1, title).picture,
      ),
    );
    probed.forEach((image, position) =>
      writePicture(
        path.join(ctx.dir, `figures/${imageFileName(image)}.png`),
        imageLayersGrid(activations, image, position, title).picture,
      ),
    );

    const stats: Record<string, string | number>[] = [];
    for (const a of activations) {
      const size = a.height * a.width * a.channels;
      probed.forEach((image, position) => {
        for (let c = 0; c < a.channels; c++) {
          let sum = 0;
          let max = 0;
          let active = 0;
          for (let p = 0; p < a.height * a.width; p++) {
            const v = a.values[position * size + p * a.channels + c];
            sum += v;
            max = Math.max(max, v);
            if (v > 0) active++;
          }
          stats.push({
            test_index: image.index,
            label: image.label,
            layer: a.layer,
            shape: `${a.height}x${a.width}`,
            channel: c + 1,
            mean: (sum / (a.height * a.width)).toFixed(4),
            max: max.toFixed(4),
            active_share: (active / (a.height * a.width)).toFixed(3),
          });
        }
      });
    }
    writeRecordsCsv(path.join(ctx.dir, 'tables/activations.csv'), stats);
    return {
      images: params.images,
      layers: activations.map((a) => ({
        layer: a.layer,
        type: a.type,
        shape: [a.height, a.width, a.channels],
      })),
    };
  },
});
