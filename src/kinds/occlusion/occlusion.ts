// `occlusion`: slide a patch over test images and watch the model's output (Problem 4,
// Figures 7–10). Two modes:
// - `maps` (default): per image, chunks of positions run as pool jobs (`occlusion-chunk`, each
//   one batched predict) and one `occlusion-map` job writes the three tables, heat maps, the
//   important region and the adversarial placements.
// - `population`: many images (up to the whole test set) in jobs of `imagesPerJob` images
//   (`occlusion-population-chunk`), summarised by `occlusion-population` into per-class mean
//   probability-drop maps and the share of images some single patch flips.
import { z } from 'zod';
import { dataSpecSchema, type DataSpec } from '../../data/spec';
import { backendSchema } from '../../models/training-spec';
import { occlusionGrid, type OcclusionGrid } from '../../occlusion/grid';
import { selectImages, type ImageSelection } from '../../occlusion/images';
import { testLabels, type TestLabels } from '../../occlusion/test-labels';
import { type ExpandContext, type PlannedJob, defineExperiment } from '../../jobs/kind';
import { occlusionChunkJob, occlusionMapJob } from './occlusion-maps';
import { populationChunkJob, populationJob } from './occlusion-population';
import { FieldError } from '../../config-errors';
import {
  modelReferences,
  modelSourceField,
  probedModels,
  withModel,
  type ModelSource,
  type ProbedModel,
} from '../../jobs/model-source';
import type {
  OcclusionChunkParams,
  OcclusionMapParams,
  OcclusionSetting,
  PopulationChunkParams,
  PopulationParams,
} from './params';

const index = z.number().int().nonnegative();
const positive = z.number().int().positive();

export const imagesSchema = z
  .union([
    z.literal('all'),
    z.array(index).min(1),
    z.object({ firstOfLabel: z.union([index, z.array(index).min(1)]) }).strict(),
    z.object({ first: positive }).strict(),
    z.object({ perClass: positive, seed: index.default(0) }).strict(),
  ])
  .describe(
    'Test images: a list of test indices, { "firstOfLabel": d or [d, ...] }, { "first": n }, { "perClass": n, "seed": s }, or "all". Default: the first test "6" in mode maps, "all" in mode population.',
  );

export const occlusionConfigSchema = z
  .object({
    model: modelSourceField,
    seeds: z
      .array(index)
      .min(1)
      .optional()
      .describe(
        'Probe only the models trained with these seeds (default: every model of the train experiment).',
      ),
    mode: z
      .enum(['maps', 'population'])
      .default('maps')
      .describe(
        'maps: per image, the tables and figures of Problem 4 (Figures 7–10). population: per-class mean probability-drop maps and flip shares over many images.',
      ),
    images: imagesSchema.optional(),
    patch: z
      .number()
      .int('expected a whole number of pixels')
      .positive('expected a positive integer')
      .default(8)
      .describe('Side of the square patch in pixels.'),
    stride: z
      .number()
      .int('expected a whole number of pixels')
      .min(1, 'expected an integer of at least 1')
      .default(1)
      .describe('Step between patch positions in pixels.'),
    fill: z
      .union([z.number().min(0).max(1), z.enum(['image-mean', 'dataset-mean'])])
      .default(0)
      .describe(
        'What the patch holds: a pixel value in 0..1 (0 = black), "image-mean", or "dataset-mean" (the mean training pixel).',
      ),
    threshold: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.5)
      .describe(
        'The important region is covered by the placements that push the true-class probability below this.',
      ),
    chunkSize: positive
      .default(256)
      .describe('Mode maps: patch positions per pool job (each job is one batched prediction).'),
    imagesPerJob: positive.default(250).describe('Mode population: images per pool job.'),
    scale: z
      .number()
      .int()
      .min(1)
      .max(40)
      .default(10)
      .describe('Screen pixels per image pixel in the pictures of digits.'),
    data: dataSpecSchema
      .optional()
      .describe("Data set (default: the config's defaults.data); image indices are into its test split."),
    backend: backendSchema.optional().describe("tfjs backend (default: the config's defaults.backend)."),
  })
  .strict();
export type OcclusionConfig = z.infer<typeof occlusionConfigSchema>;

/** More images than this in maps mode is a mistake (tens of files each): use population mode. */
export const MAX_MAP_IMAGES = 500;

/**
 * Files an `occlusion-map` job publishes (the runner copies `tables/x` of job `occ/seed=1/image=11`
 * to `<run>/tables/occ/seed=1/image=11/x`). `figures/adv_img` is a folder: one picture per
 * adversarial placement, which cannot be listed before the job runs.
 */
export function mapFiles(trueLabel: number): string[] {
  const maps = [`prob_of_${trueLabel}`, 'highest_prob', 'label'];
  return [
    ...maps.map((m) => `tables/${m}.csv`),
    'tables/important_region.csv',
    'tables/important_region.json',
    'tables/adversarial.csv',
    'tables/adversarial_counts.csv',
    ...maps.flatMap((m) => [`figures/${m}.svg`, `figures/${m}.png`]),
    'figures/image.png',
    'figures/important_region.png',
    'figures/adversarial.png',
    'figures/adv_img',
  ];
}

/** Files an `occlusion-population` job publishes. */
export function populationFiles(classes: number): string[] {
  return [
    'tables/population.csv',
    'tables/images.csv',
    ...Array.from({ length: classes }, (_, c) => `tables/mean_drop_of_${c}.csv`),
    'figures/mean_drop_by_class.svg',
    'figures/mean_drop_by_class.png',
    'figures/flip_share.svg',
    'figures/flip_share.png',
  ];
}

// Errors thrown while planning are reported by the runner under the experiment's place in the
// config (`experiments[3]: patch: ...`), so messages start with the field.
function gridFor(config: OcclusionConfig, data: TestLabels): OcclusionGrid {
  return occlusionGrid(data.rows, data.cols, config.patch, config.stride);
}

/** The models a probe's `model` names, narrowed to its `seeds` when it gives them. */
export function modelsToProbe(
  config: { model: ModelSource; seeds?: number[] },
  ctx: ExpandContext,
  data: DataSpec,
): ProbedModel[] {
  const all = probedModels(config.model, ctx, data, { forwardOnly: true });
  if (!config.seeds) return all;
  if (typeof config.model !== 'string')
    throw new FieldError(['seeds'], 'only for the models of a train experiment, not a model file');
  for (const seed of config.seeds) {
    if (!all.some((m) => m.seed === seed))
      throw new Error(
        `seeds: experiment "${config.model}" trains no model with seed ${seed} (its seeds: ${[...new Set(all.map((m) => m.seed))].join(', ')})`,
      );
  }
  return all.filter((m) => m.seed !== undefined && config.seeds!.includes(m.seed));
}

/** Labels run 0..max in the data sets probelab reads (MNIST: 10). */
function classCount(labels: Uint8Array): number {
  let max = 0;
  for (const l of labels) max = Math.max(max, l);
  return max + 1;
}

export function chunkRanges(count: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < count; start += size) out.push([start, Math.min(count, start + size)]);
  return out;
}

/** Mode `maps`: per image, one chunk job per range of positions, then the job that assembles its maps. */
function mapJobs(
  model: ProbedModel,
  base: string,
  setting: OcclusionSetting,
  config: OcclusionConfig,
  grid: OcclusionGrid,
  indices: readonly number[],
  labels: TestLabels['labels'],
): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  for (const index of indices) {
    const label = labels[index];
    const ranges = chunkRanges(grid.count, config.chunkSize);
    const needs: Record<string, string> = {};
    ranges.forEach(([start, end], c) => {
      const key = `${base}/image=${index}/chunk=${c}`;
      needs[`chunk=${c}`] = key;
      const params: OcclusionChunkParams = { ...setting, index, start, end, clean: start === 0 };
      jobs.push(
        withModel(
          model,
          occlusionChunkJob.plan({
            key,
            params,
            cost: 0.005 + (end - start) * 6e-5,
          }),
        ),
      );
    });
    const params: OcclusionMapParams = {
      ...setting,
      index,
      label,
      threshold: config.threshold,
      scale: config.scale,
      chunks: ranges.length,
    };
    jobs.push(
      occlusionMapJob.plan({
        key: `${base}/image=${index}`,
        params,
        needs,
        cost: 1,
        publish: mapFiles(label),
      }),
    );
  }
  return jobs;
}

/** Mode `population`: one chunk job per `imagesPerJob` images, then the job that sums them up. */
function populationJobs(
  model: ProbedModel,
  base: string,
  setting: OcclusionSetting,
  config: OcclusionConfig,
  grid: OcclusionGrid,
  indices: readonly number[],
  labels: TestLabels['labels'],
): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  const needs: Record<string, string> = {};
  const ranges = chunkRanges(indices.length, config.imagesPerJob);
  ranges.forEach(([start, end], c) => {
    const key = `${base}/population/chunk=${c}`;
    needs[`chunk=${c}`] = key;
    const params: PopulationChunkParams = { ...setting, indices: indices.slice(start, end) };
    jobs.push(
      withModel(
        model,
        populationChunkJob.plan({
          key,
          params,
          cost: (end - start) * grid.count * 6e-5,
        }),
      ),
    );
  });
  const params: PopulationParams = {
    data: setting.data,
    patch: config.patch,
    stride: config.stride,
    fill: config.fill,
    chunks: ranges.length,
    modelLabel: model.file?.name ?? model.label,
  };
  jobs.push(
    populationJob.plan({
      key: `${base}/population`,
      params,
      needs,
      cost: 2,
      publish: populationFiles(classCount(labels)),
    }),
  );
  return jobs;
}

export const occlusionExperiment = defineExperiment<OcclusionConfig>({
  kind: 'occlusion',
  description:
    'Occlusion maps, the important region and adversarial patches (Figures 7-10), or flip shares over many images.',
  schema: occlusionConfigSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx: ExpandContext): PlannedJob[] {
    const setting: OcclusionSetting = {
      data: config.data ?? ctx.defaults.data,
      backend: config.backend ?? ctx.defaults.backend,
      patch: config.patch,
      stride: config.stride,
      fill: config.fill,
    };
    const data = testLabels(setting.data);
    const grid = gridFor(config, data);
    const selection: ImageSelection = config.images ?? (config.mode === 'maps' ? { firstOfLabel: 6 } : 'all');
    const indices = selectImages(selection, data.labels);
    if (config.mode === 'maps' && indices.length > MAX_MAP_IMAGES) {
      throw new Error(
        `images: ${indices.length} images in mode "maps" would write tens of files each (at most ${MAX_MAP_IMAGES}); use mode "population" for many images`,
      );
    }
    const jobsOf = config.mode === 'maps' ? mapJobs : populationJobs;
    return modelsToProbe(config, ctx, setting.data).flatMap((model) =>
      jobsOf(model, `${ctx.prefix}/${model.label}`, setting, config, grid, indices, data.labels),
    );
  },
});
