// What a probe's `model` names: a train experiment of the config (every model it trains), a
// model trained elsewhere, `{ "file": "path/to/model.json" }` in the tfjs layers format, or an
// ONNX model, `{ "onnx": "path/to/model.onnx" }` (torch.onnx.export's), which runs only the
// probes that need forward passes alone. A file's probe jobs carry its path but their ids hash
// its bytes: replacing the file reruns them, moving it reruns nothing.
import path from 'node:path';
import { z } from 'zod';
import { FieldError } from '../config-errors';
import type { DataSpec } from '../data/spec';
import type { OnnxSpec } from '../models/onnx-file';
import type { PlannedLayer } from '../models/shapes';
import { testLabels } from '../occlusion/test-labels';
import type { ExpandContext, JsonObject, ModelRef, PlannedJob } from './kind';

const HINT =
  'expected the name of a "train" experiment of this config, e.g. "train", { "file": "model.json" } or { "onnx": "model.onnx" }';

const onnxSource = z
  .object({
    onnx: z
      .string()
      .min(1)
      .describe('An ONNX model file (as torch.onnx.export writes it), relative to the config file.'),
    name: z
      .string()
      .min(1)
      .optional()
      .describe("The model's name in every figure title and table (default: its folder and file name)."),
    input: z
      .object({
        name: z.string().min(1).optional().describe('The graph input to feed (default: its only input).'),
        layout: z
          .enum(['NCHW', 'NHWC'])
          .optional()
          .describe('Where the channels are (default: read from the input shape; PyTorch exports NCHW).'),
        scale: z
          .tuple([z.number(), z.number()])
          .optional()
          .describe(
            'The values the model takes for pixel values 0 and 1 (default [0, 1]; [0, 255] for raw bytes).',
          ),
        mean: z
          .array(z.number())
          .min(1)
          .optional()
          .describe(
            "Per channel (or one for all), subtracted after scaling, as torchvision's Normalize does.",
          ),
        std: z
          .array(z.number())
          .min(1)
          .optional()
          .describe('Per channel (or one for all), divided by after subtracting the mean.'),
      })
      .strict()
      .optional(),
    output: z
      .enum(['logits', 'probabilities'])
      .optional()
      .describe(
        'What the output holds, when the graph does not say (a Softmax last says probabilities; a linear last layer, logits).',
      ),
  })
  .strict();

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
    onnxSource,
  ])
  .describe(
    'The models probed: the name of a train experiment (every seed and sweep point), { "file": "path/to/model.json", "name": "my model" }, or { "onnx": "path/to/model.onnx" } (forward-only probes).',
  );
export type ModelSource = z.infer<typeof modelSourceField>;

/** Names of the experiments a `model` field reads from. */
export const modelReferences = (source: ModelSource): string[] =>
  typeof source === 'string' ? [source] : [];

/** A model file as probe jobs carry it (a type, not an interface, so that it is plain JSON to TypeScript). */
export type ModelFileParam = {
  path: string;
  sha256: string;
  /** The name titles give it, when the config names it. */
  name?: string;
  /** An ONNX model: how to feed it and read it (src/models/onnx-file.ts). */
  onnx?: OnnxSpec;
};

/** A model to probe: a train job's (by key) or a file's. */
export interface ProbedModel {
  label: string;
  seed?: number;
  /** Key of the train job that saves it. */
  key?: string;
  file?: ModelFileParam;
  layers?: PlannedLayer[];
  /** An ONNX model: it gives class probabilities, no gradients or layer outputs. */
  forwardOnly?: boolean;
}

const show = (shape: readonly (number | null)[]) => shape.map((d) => d ?? 'any').join('×');

/**
 * The models a `model` field names; a file is read, hashed and checked against the data's images
 * here. `probe` names the experiment's kind when it needs more than forward passes (weights,
 * layer outputs or gradients), which an ONNX model cannot give: refused.
 */
export function probedModels(
  source: ModelSource,
  ctx: ExpandContext,
  data: DataSpec,
  probe: { forwardOnly: true } | { needs: string } = { needs: 'the layers of a tfjs model' },
): ProbedModel[] {
  if (typeof source === 'string') return ctx.modelsOf(source);
  if ('onnx' in source) {
    if ('needs' in probe)
      throw new FieldError(
        ['model', 'onnx'],
        `this experiment needs ${probe.needs}, which an ONNX model does not give: probe it with occlusion, shift, attribution (gradient-free methods) or attribution-faithfulness`,
      );
    return [onnxModel(source, ctx, data)];
  }
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

/** An ONNX model file, read and checked against the data (src/models/onnx-file.ts). */
function onnxModel(
  source: Extract<ModelSource, { onnx: string }>,
  ctx: ExpandContext,
  data: DataSpec,
): ProbedModel {
  const file = path.resolve(ctx.configDir ?? process.cwd(), source.onnx);
  const { readOnnxFile, OnnxFileError } =
    require('../models/onnx-file') as typeof import('../models/onnx-file');
  const { rows, cols, channels, classes } = testLabels(data);
  const images = { rows, cols, channels, classes, name: data.dir ?? 'mnist' };
  try {
    const { sha256, spec } = readOnnxFile(file, { input: source.input, output: source.output }, images);
    const param: ModelFileParam = { path: file, sha256, onnx: spec };
    if (source.name !== undefined) param.name = source.name;
    return { label: 'onnx', file: param, forwardOnly: true };
  } catch (error) {
    if (error instanceof OnnxFileError) throw new FieldError(['model', 'onnx'], error.message);
    throw error;
  }
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
