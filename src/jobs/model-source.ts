// What a probe's `model` names: a train experiment of the config (every model it trains), or a
// model trained elsewhere, `{ "file": "path/to/model.json" }` in the tfjs layers format. A file's
// probe jobs carry its path but their ids hash its bytes: replacing the file reruns them, moving
// it reruns nothing.
import path from 'node:path';
import { z } from 'zod';
import { FieldError } from '../config-errors';
import type { DataSpec } from '../data/spec';
import type { PlannedLayer } from '../models/shapes';
import { testLabels } from '../occlusion/test-labels';
import type { ExpandContext, JsonObject, ModelRef, PlannedJob } from './kind';

const HINT =
  'expected the name of a "train" experiment of this config, e.g. "train", or { "file": "model.json" }';

export const modelSourceField = z
  .union([
    z.string({ error: HINT }).min(1, HINT),
    z
      .object({
        file: z
          .string()
          .min(1)
          .describe(
            'model.json of a tfjs layers model (as tensorflowjs_converter writes it), relative to the config file.',
          ),
        name: z
          .string()
          .min(1)
          .optional()
          .describe("The model's name in every figure title and table (default: its folder and file name)."),
      })
      .strict(),
  ])
  .describe(
    'The models probed: the name of a train experiment (every seed and sweep point), or { "file": "path/to/model.json", "name": "my model" }.',
  );
export type ModelSource = z.infer<typeof modelSourceField>;

/** Names of the experiments a `model` field reads from. */
export const modelReferences = (source: ModelSource): string[] =>
  typeof source === 'string' ? [source] : [];

/** A model file as probe jobs carry it. */
export interface ModelFileParam {
  path: string;
  sha256: string;
  /** Also `name`, the name titles give it, when the config names it. */
  [key: string]: string;
}

/** A model to probe: a train job's (by key) or a file's. */
export interface ProbedModel {
  label: string;
  seed?: number;
  /** Key of the train job that saves it. */
  key?: string;
  file?: ModelFileParam;
  layers?: PlannedLayer[];
}

const show = (shape: readonly (number | null)[]) => shape.map((d) => d ?? 'any').join('×');

/** The models a `model` field names; a file is read, hashed and checked against the data's images here. */
export function probedModels(source: ModelSource, ctx: ExpandContext, data: DataSpec): ProbedModel[] {
  if (typeof source === 'string') return ctx.modelsOf(source);
  const file = path.resolve(ctx.configDir ?? process.cwd(), source.file);
  // tfjs is loaded only for configs that probe a model file.
  const { readModelFile, ModelFileError } =
    require('../models/model-file') as typeof import('../models/model-file');
  let info: import('../models/model-file').ModelFileInfo;
  try {
    info = readModelFile(file);
  } catch (error) {
    if (error instanceof ModelFileError) throw new FieldError(['model', 'file'], error.message);
    throw error;
  }
  const { rows, cols, channels } = testLabels(data);
  const fits =
    info.inputShape.length === 3 &&
    [rows, cols, channels].every((d, i) => info.inputShape[i] === null || info.inputShape[i] === d);
  if (!fits)
    throw new FieldError(
      ['model', 'file'],
      `the model takes inputs of ${show(info.inputShape)}, but the data (${data.dir ?? 'mnist'}) has images of ${rows}×${cols}×${channels}`,
    );
  const param: ModelFileParam = { path: file, sha256: info.sha256 };
  if (source.name !== undefined) param.name = source.name;
  return [{ label: 'file', file: param, layers: info.layers }];
}

/** The layers of a probed model, for planning the files a probe writes. */
export function layersOf(model: ProbedModel | ModelRef, where: string): PlannedLayer[] {
  if (!model.layers) throw new Error(`${where}: the models of this experiment have no layers to probe`);
  return model.layers;
}

/**
 * A probe job that loads the model: it needs the train job, or carries the file, in which case
 * its id hashes the file's content (`identity`) instead of its path.
 */
export function withModel(model: ProbedModel, job: PlannedJob): PlannedJob {
  if (!model.file) return { ...job, needs: { ...job.needs, model: model.key! } };
  const { path: _path, ...content } = model.file;
  return {
    ...job,
    params: { ...job.params, modelFile: model.file },
    identity: { ...job.params, modelFile: content as JsonObject },
  };
}
