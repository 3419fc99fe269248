// `filters`: the learned filters of every convolution layer of every probed model (Figure 3 for
// the Figure 1 CNN), as labelled grids on a colour scale centred on zero — the first layer's
// one-channel kernels as one image each — plus the weights as tables. A trained model's weights
// come from its plain weights.json (no tfjs needed); a model file's from tfjs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { PlainWeights } from '../models/persist';
import type { BackendName } from '../models/training-spec';
import { CONV_CLASSES, layerFileName, layersOfClasses } from '../probes/probed-layers';
import { writeRecordsCsv } from '../render/csv';
import { filterGrid, filterWeights, kernelDims, rgbFilterGrid, type Kernel } from '../render/filter-grid';
import { writePicture } from '../render/picture';
import { defineJob, type JobContext, type PlannedJob, defineExperiment } from '../jobs/kind';
import {
  layersOf,
  modelReferences,
  modelSourceField,
  probedModels,
  withModel,
  type ModelFileParam,
} from '../jobs/model-source';
import { probeDataFields, probeSetting } from '../jobs/probe-setting';
import { modelDir, modelTitle, neededTrainJob, probedModel } from '../jobs/shared';

const filtersConfigSchema = z
  .object({
    model: modelSourceField,
    scale: z
      .number()
      .int('expected a whole number of pixels')
      .min(2, 'expected at least 2 pixels per weight')
      .max(40, 'expected at most 40 pixels per weight')
      .default(14)
      .describe(
        'Pixels per weight in the pictures: a 3×3 filter becomes 3·scale pixels square (twice that for the first layer).',
      ),
    ...probeDataFields,
  })
  .strict();
type FiltersConfig = z.infer<typeof filtersConfigSchema>;

export interface FiltersParams {
  scale: number;
  /** A model file, loaded on this backend; absent for a trained model (read from its weights.json). */
  modelFile?: ModelFileParam;
  backend?: BackendName;
}

const TABLES = ['tables/filter_summary.csv', 'tables/filters.csv'];

export const filtersExperiment = defineExperiment<FiltersConfig>({
  kind: 'filters',
  description: "Every convolution layer's filters as images (Figure 3).",
  schema: filtersConfigSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx): PlannedJob[] {
    const setting = probeSetting(config, ctx);
    return probedModels(config.model, ctx, setting.data, { needs: 'the weights of its first layer' }).map(
      (model) => {
        const convs = layersOfClasses(layersOf(model, `filters experiment "${ctx.name}"`), CONV_CLASSES);
        const params: FiltersParams = model.file
          ? { scale: config.scale, backend: setting.backend }
          : { scale: config.scale };
        return withModel(
          model,
          filtersJob.plan({
            key: `${ctx.prefix}/${model.label}`,
            params,
            cost: 0.3,
            publish: [...convs.map((layer, i) => `figures/${layerFileName(layer, i)}.png`), ...TABLES],
          }),
        );
      },
    );
  },
});

function readWeights(file: string): PlainWeights {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PlainWeights;
  } catch (err) {
    throw new Error(`${file}: cannot read the model's weights (${(err as Error).message})`);
  }
}

/** The kernels and biases of the layers with 4-D kernels, in layer order. */
export function convKernels(weights: PlainWeights): { kernel: Kernel; bias: number[] }[] {
  return Object.entries(weights)
    .filter(([, w]) => w.kernel?.shape.length === 4)
    .map(([layer, w]) => ({
      kernel: { layer, shape: w.kernel.shape, values: w.kernel.values },
      bias: w.bias?.values ?? [],
    }));
}

async function weightsOf(params: FiltersParams, ctx: JobContext): Promise<PlainWeights> {
  if (!params.modelFile) {
    return readWeights(path.join(modelDir(neededTrainJob(ctx)), 'weights.json'));
  }
  const { plainWeights } = require('../models/persist') as typeof import('../models/persist');
  return plainWeights(await probedModel(ctx, params.backend ?? 'wasm', params.modelFile));
}

export const filtersJob = defineJob<FiltersParams>({
  kind: 'filters',
  async run(params, ctx) {
    const layers = convKernels(await weightsOf(params, ctx));
    const model = modelTitle(ctx, params.modelFile);

    const summary: Record<string, string | number>[] = [];
    const weights: Record<string, string | number>[] = [];
    const described = layers.map(({ kernel, bias }, position) => {
      const dims = kernelDims(kernel);
      // The first layer of a model of RGB images reads colours: its filters are drawn as colour tiles.
      const draw = position === 0 && dims.inChannels === 3 ? rgbFilterGrid : filterGrid;
      const grid = draw(kernel, {
        scale: params.scale,
        title: `${model}: layer ${position + 1}, ${kernel.layer}: ${dims.filters} filters of ${dims.kernelRows}×${dims.kernelCols}×${dims.inChannels}`,
      });
      writePicture(path.join(ctx.dir, `figures/${layerFileName(kernel.layer, position)}.png`), grid.picture);
      for (let f = 0; f < dims.filters; f++) {
        const all: number[] = [];
        for (let c = 0; c < dims.inChannels; c++) {
          filterWeights(kernel, f, c).forEach((w, i) => {
            all.push(w);
            weights.push({
              layer: kernel.layer,
              filter: f + 1,
              channel: c + 1,
              row: Math.floor(i / dims.kernelCols) + 1,
              col: (i % dims.kernelCols) + 1,
              weight: w,
            });
          });
        }
        summary.push({
          layer: kernel.layer,
          filter: f + 1,
          bias: (bias[f] ?? 0).toFixed(4),
          min: Math.min(...all).toFixed(4),
          max: Math.max(...all).toFixed(4),
          mean_abs: (all.reduce((a, w) => a + Math.abs(w), 0) / all.length).toFixed(4),
        });
      }
      return {
        layer: kernel.layer,
        filters: dims.filters,
        inChannels: dims.inChannels,
        kernel: `${dims.kernelRows}x${dims.kernelCols}`,
        width: grid.picture.cols,
        height: grid.picture.rows,
      };
    });
    writeRecordsCsv(path.join(ctx.dir, 'tables/filter_summary.csv'), summary);
    writeRecordsCsv(path.join(ctx.dir, 'tables/filters.csv'), weights);
    return { layers: described };
  },
});
