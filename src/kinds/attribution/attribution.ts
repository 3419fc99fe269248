// `attribution`: pixel maps of which input made a prediction, by several methods (saliency,
// gradient × input, integrated gradients, SmoothGrad, Grad-CAM, occlusion; src/attribution),
// for chosen test images of each probed model. Each (method, chunk of images) is one pool job
// (`attribution-chunk`); per method an `attribution-method` job writes a CSV and a heat map per
// image and the method's images.csv; per model an `attribution-sheet` job draws the contact
// sheet methods × images and writes methods.csv (ms per image, completeness of IG).
import { z } from 'zod';
import {
  DEFAULT_METHODS,
  FORWARD_ONLY_METHODS,
  METHOD_NAMES,
  methodLabel,
  methodSchema,
  type MethodSettings,
} from '../../attribution/settings';
import { FieldError } from '../../config-errors';
import { occlusionGrid, OcclusionSettingsError } from '../../occlusion/grid';
import { selectImages } from '../../occlusion/images';
import { testLabels } from '../../occlusion/test-labels';
import { attributionChunkJob, attributionMethodJob, attributionSheetJob } from './attribution-jobs';
import { type PlannedJob, defineExperiment } from '../../jobs/kind';
import { modelReferences, modelSourceField, withModel, type ProbedModel } from '../../jobs/model-source';
import { chunkRanges, imagesSchema, MAX_MAP_IMAGES, modelsToProbe } from '../occlusion/occlusion';
import { probeDataFields, probeSetting } from '../../jobs/probe-setting';
import type { AttributionChunkParams, AttributionMethodParams, AttributionSheetParams } from './params';

const positive = z.number().int('expected a positive integer').positive('expected a positive integer');

export const attributionConfigSchema = z
  .object({
    model: modelSourceField,
    seeds: z
      .array(z.number().int().nonnegative())
      .min(1)
      .optional()
      .describe(
        'Probe only the models trained with these seeds (default: every model of the train experiment).',
      ),
    methods: z
      .array(methodSchema)
      .min(1, 'expected at least one method')
      .prefault([...DEFAULT_METHODS])
      .describe(
        `Methods, each a name (${METHOD_NAMES.join(', ')}) or an object { "method": name, settings } (default: ${DEFAULT_METHODS.join(', ')}, with their default settings).`,
      ),
    images: imagesSchema.default({ first: 10 }),
    target: z
      .enum(['label', 'predicted'])
      .default('label')
      .describe('The class attributed: the true label, or the class the model predicts.'),
    imagesPerJob: positive
      .default(25)
      .describe('Images per pool job (one job per method and chunk of images).'),
    batchSize: positive
      .default(256)
      .describe("Most inputs per gradient call (SmoothGrad's samples and IG's steps count one each)."),
    sheetImages: positive.default(10).describe('Images in the contact sheet (the first n).'),
    ...probeDataFields,
  })
  .strict();
export type AttributionConfig = z.infer<typeof attributionConfigSchema>;

/**
 * Gradient evaluations per image, the cost of a method: a prediction counts a third of one (the
 * forward pass of forward and backward), an incremental occlusion copy an eighth.
 */
export function evaluations(method: MethodSettings, rows: number, cols: number): number {
  const patches = (side: number) => Math.ceil(rows / side) * Math.ceil(cols / side);
  switch (method.method) {
    case 'integrated-gradients':
      return method.steps;
    case 'smoothgrad':
      return method.samples;
    case 'occlusion':
      return occlusionGrid(rows, cols, method.patch, method.stride).count / 8;
    case 'feature-ablation':
      return (patches(method.patch) + 1) / 3;
    case 'shapley-sampling':
      return (2 + method.samples * (patches(method.patch) - 1)) / 3;
    case 'kernel-shap':
      return (2 + method.samples) / 3;
    case 'rise':
      return method.masks / 3;
    default:
      return 1;
  }
}

/** Settings that can only be checked against the model and the data: refused while planning. */
export function checkMethod(
  method: MethodSettings,
  at: number,
  model: ProbedModel,
  rows: number,
  cols: number,
): void {
  if (model.forwardOnly && !(FORWARD_ONLY_METHODS as readonly string[]).includes(method.method))
    throw new FieldError(
      ['methods', at],
      `${method.method} needs gradients, which an ONNX model does not give; methods that run on it: ${FORWARD_ONLY_METHODS.join(', ')}`,
    );
  if (method.method === 'occlusion') {
    try {
      occlusionGrid(rows, cols, method.patch, method.stride);
    } catch (error) {
      if (error instanceof OcclusionSettingsError)
        throw new FieldError(['methods', at, error.field], error.message.slice(error.field.length + 2));
      throw error;
    }
  }
  if (method.method === 'grad-cam' && model.layers) {
    const names = model.layers.map((l) => l.name);
    if (method.layer === undefined && !model.layers.some((l) => l.className === 'Conv2D'))
      throw new FieldError(
        ['methods', at],
        `grad-cam: the model has no Conv2D layer (its layers: ${names.join(', ')})`,
      );
    const layer = method.layer === undefined ? undefined : model.layers.find((l) => l.name === method.layer);
    if (method.layer !== undefined && !layer)
      throw new FieldError(
        ['methods', at, 'layer'],
        `the model has no layer "${method.layer}" (its layers: ${names.join(', ')})`,
      );
    if (layer && layer.outputShape.length !== 3)
      throw new FieldError(
        ['methods', at, 'layer'],
        `layer "${layer.name}" gives outputs of ${layer.outputShape.join('×')}; grad-cam needs a layer with height × width × channels outputs`,
      );
  }
}

/** The methods' labels (`integrated-gradients(steps=128)`); the same method and settings twice is refused. */
export function methodLabels(methods: readonly MethodSettings[]): string[] {
  const labels = methods.map(methodLabel);
  labels.forEach((label, i) => {
    const first = labels.indexOf(label);
    if (first !== i)
      throw new FieldError(['methods', i], `the same method and settings as methods[${first}] (${label})`);
  });
  return labels;
}

/** Files an `attribution-method` job publishes. */
export function methodFiles(indices: number[]): string[] {
  return [
    'tables/images.csv',
    ...indices.flatMap((i) => [`tables/image=${i}.csv`, `figures/image=${i}.png`]),
  ];
}

export const attributionExperiment = defineExperiment<AttributionConfig>({
  kind: 'attribution',
  description:
    'Pixel attribution maps: saliency, gradient x input, integrated gradients, SmoothGrad, Grad-CAM, occlusion.',
  schema: attributionConfigSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx): PlannedJob[] {
    const setting = probeSetting(config, ctx);
    const data = testLabels(setting.data);
    const indices = selectImages(config.images, data.labels);
    if (indices.length > MAX_MAP_IMAGES)
      throw new FieldError(
        ['images'],
        `${indices.length} images would write a CSV and a picture each per method (at most ${MAX_MAP_IMAGES})`,
      );
    const labels = methodLabels(config.methods);
    const jobs: PlannedJob[] = [];
    for (const model of modelsToProbe(config, ctx, setting.data)) {
      const base = `${ctx.prefix}/${model.label}`;
      config.methods.forEach((method, m) => {
        checkMethod(method, m, model, data.rows, data.cols);
        const needs: Record<string, string> = {};
        const ranges = chunkRanges(indices.length, config.imagesPerJob);
        ranges.forEach(([start, end], c) => {
          const key = `${base}/${labels[m]}/chunk=${c}`;
          needs[`chunk=${c}`] = key;
          const params: AttributionChunkParams = {
            ...setting,
            method,
            indices: indices.slice(start, end),
            target: config.target,
            batchSize: config.batchSize,
          };
          const cost = 0.05 + (end - start) * evaluations(method, data.rows, data.cols) * 4e-4;
          jobs.push(withModel(model, attributionChunkJob.plan({ key, params, cost })));
        });
        const params: AttributionMethodParams = {
          data: setting.data,
          method,
          label: labels[m],
          chunks: ranges.length,
        };
        jobs.push(
          attributionMethodJob.plan({
            key: `${base}/${labels[m]}`,
            params,
            needs,
            cost: 0.1 + indices.length * 0.02,
            publish: methodFiles(indices),
          }),
        );
      });
      const params: AttributionSheetParams = {
        data: setting.data,
        methods: labels,
        sheetImages: config.sheetImages,
      };
      jobs.push(
        attributionSheetJob.plan({
          key: `${base}/sheet`,
          params,
          needs: Object.fromEntries(labels.map((label, m) => [`method=${m}`, `${base}/${label}`])),
          cost: 0.5,
          publish: ['tables/methods.csv', 'figures/contact_sheet.png'],
        }),
      );
    }
    return jobs;
  },
});
