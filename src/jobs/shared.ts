// What several job kinds share: loading data and models once per worker thread.
import type * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import type { DataSpec } from '../data/spec';
import type { Dataset } from '../data/datasets';
import { gatherPixels, pixelsPerImage } from '../data/pixels';
import type { Classifier, ImageShape } from '../models/classifier';
import type { OnnxSpec } from '../models/onnx-file';
import type { BackendName } from '../models/training-spec';
import type { JobContext, NeededJob } from './kind';
import type { ModelFileParam } from './model-source';

/** The data set of a spec, loaded once per thread (tfjs and the data files are imported lazily, so light jobs stay light). */
export function cachedDataset(ctx: Pick<JobContext, 'cache'>, spec: DataSpec): Dataset {
  const key = `dataset:${JSON.stringify(spec)}`;
  let data = ctx.cache.get(key) as Dataset | undefined;
  if (!data) {
    const { loadDataset } = require('../data/datasets') as typeof import('../data/datasets');
    data = loadDataset(spec);
    ctx.cache.set(key, data);
  }
  return data;
}

/** Test images `indices` of a data set, scaled to 0..1, one after another; `kind` names the job in the error for a missing image. */
export function testPixels(data: Dataset, indices: readonly number[], kind: string): Float32Array {
  for (const index of indices)
    if (index >= data.test.count)
      throw new Error(
        `${kind}: test image ${index} does not exist (the test set has ${data.test.count} images)`,
      );
  return gatherPixels(data.test, pixelsPerImage(data), indices);
}

/** Folder of the model a train job saved. */
export function modelDir(trainJob: NeededJob): string {
  return path.join(trainJob.dir, 'model');
}

/** The trained model of a needed train job, loaded once per thread on the given backend. */
export async function cachedModel(
  ctx: Pick<JobContext, 'cache'>,
  trainJob: NeededJob,
  backend: BackendName,
): Promise<tf.LayersModel> {
  const key = `model:${trainJob.id}`;
  let model = ctx.cache.get(key) as Promise<tf.LayersModel> | undefined;
  if (!model) {
    const { useBackend } = require('../tf/backend') as typeof import('../tf/backend');
    const { loadModel } = require('../models/persist') as typeof import('../models/persist');
    model = useBackend(backend).then(() => loadModel(modelDir(trainJob)));
    ctx.cache.set(key, model);
  }
  return model;
}

/** The train job a probe job without a model file needs (as `needs.model`). */
export function neededTrainJob(ctx: Pick<JobContext, 'needs'>): NeededJob {
  const need = ctx.needs.model;
  if (!need)
    throw new Error('no model: expected a model file in the params or a needed train job (needs.model)');
  return need;
}

/** The model a probe job runs on: its params' model file, or else the train job it needs. */
export async function probedModel(
  ctx: Pick<JobContext, 'cache' | 'needs'>,
  backend: BackendName,
  modelFile: ModelFileParam | undefined,
): Promise<tf.LayersModel> {
  if (!modelFile) return cachedModel(ctx, neededTrainJob(ctx), backend);
  const key = `model-file:${modelFile.sha256}`;
  let model = ctx.cache.get(key) as Promise<tf.LayersModel> | undefined;
  if (!model) {
    const { useBackend } = require('../tf/backend') as typeof import('../tf/backend');
    const { loadModelFile } = require('../models/model-file') as typeof import('../models/model-file');
    model = useBackend(backend).then(() => loadModelFile(modelFile.path, modelFile.sha256));
    model.catch(() => ctx.cache.delete(key));
    ctx.cache.set(key, model);
  }
  return model;
}

/** How figure titles name the probed model: the train job's key (`train/seed=1`), or the file's name or path. */
export function modelTitle(ctx: Pick<JobContext, 'needs'>, modelFile: ModelFileParam | undefined): string {
  if (modelFile?.name) return modelFile.name;
  if (modelFile) return path.join(path.basename(path.dirname(modelFile.path)), path.basename(modelFile.path));
  const need = ctx.needs.model;
  return need?.key ?? need?.id ?? 'model';
}

/** What a job that probes a model opens with: its data set and model (each loaded once per thread) and the images' size. */
export async function probeInputs(
  ctx: Pick<JobContext, 'cache' | 'needs'>,
  params: { data: DataSpec; backend: BackendName; modelFile?: ModelFileParam },
): Promise<{ model: tf.LayersModel; data: Dataset; rows: number; cols: number }> {
  const data = cachedDataset(ctx, params.data);
  const model = await probedModel(ctx, params.backend, params.modelFile);
  return { model, data, rows: data.rows, cols: data.cols };
}

/** The shape of a data set's images as a classifier takes them. */
export function imageShape(data: Pick<Dataset, 'rows' | 'cols' | 'channels'>): ImageShape {
  return { rows: data.rows, cols: data.cols, channels: data.channels };
}

/** What a forward-only probe opens with: its data set and the model as a classifier (each loaded once per thread). */
export async function probeClassifier(
  ctx: Pick<JobContext, 'cache' | 'needs'>,
  params: { data: DataSpec; backend: BackendName; modelFile?: ModelFileParam },
): Promise<{ classifier: Classifier; data: Dataset }> {
  const onnx = params.modelFile?.onnx;
  if (params.modelFile && onnx) {
    const data = cachedDataset(ctx, params.data);
    return {
      classifier: await cachedOnnxClassifier(ctx, params.modelFile, onnx, imageShape(data), params.backend),
      data,
    };
  }
  const { layersClassifier } = require('../models/classifier') as typeof import('../models/classifier');
  const { model, data } = await probeInputs(ctx, params);
  return { classifier: layersClassifier(model, imageShape(data)), data };
}

/** An ONNX model file's classifier, loaded once per thread (by content and input settings). */
function cachedOnnxClassifier(
  ctx: Pick<JobContext, 'cache'>,
  modelFile: ModelFileParam,
  spec: OnnxSpec,
  shape: ImageShape,
  backend: BackendName,
): Promise<Classifier> {
  const key = `onnx:${modelFile.sha256}:${JSON.stringify(spec)}:${JSON.stringify(shape)}`;
  let classifier = ctx.cache.get(key) as Promise<Classifier> | undefined;
  if (!classifier) {
    const { loadOnnxClassifier } =
      require('../models/onnx-classifier') as typeof import('../models/onnx-classifier');
    const { useBackend } = require('../tf/backend') as typeof import('../tf/backend');
    // The backend first: a graph that maps to the fused network runs on it.
    classifier = useBackend(backend).then(() =>
      loadOnnxClassifier(modelFile.path, modelFile.sha256, spec, shape),
    );
    classifier.catch(() => ctx.cache.delete(key));
    ctx.cache.set(key, classifier);
  }
  return classifier;
}
