// Saving a trained model twice: in the tfjs format (model.json + weights.bin, restored exactly
// by loadModel) and as plain JSON weights (layer → weight → shape and numbers) for other tools.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const MODEL_FILES = { topology: 'model.json', weights: 'weights.bin', plain: 'weights.json' } as const;

export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const { weightData, weightSpecs, ...rest } = artifacts;
      const topology = { ...rest, weightsManifest: [{ paths: [MODEL_FILES.weights], weights: weightSpecs }] };
      const bytes = Buffer.from(tf.io.CompositeArrayBuffer.join(weightData!));
      writeFileSync(path.join(dir, MODEL_FILES.weights), bytes);
      writeFileSync(path.join(dir, MODEL_FILES.topology), JSON.stringify(topology));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  writeFileSync(path.join(dir, MODEL_FILES.plain), JSON.stringify(plainWeights(model)));
}

export type PlainWeights = Record<string, Record<string, { shape: number[]; values: number[] }>>;

/** layer name → weight name (kernel, bias) → shape and values in row-major order. */
export function plainWeights(model: tf.LayersModel): PlainWeights {
  const out: PlainWeights = {};
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    out[layer.name] = {};
    for (const w of layer.weights) {
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      out[layer.name][short] = { shape: w.shape as number[], values: Array.from(w.read().dataSync()) };
    }
  }
  return out;
}

export async function loadModel(dir: string): Promise<tf.LayersModel> {
  let topology: tf.io.ModelJSON;
  let weights: Buffer;
  try {
    topology = JSON.parse(readFileSync(path.join(dir, MODEL_FILES.topology), 'utf8'));
    weights = readFileSync(path.join(dir, MODEL_FILES.weights));
  } catch (err) {
    throw new Error(`${dir}: cannot read the saved model (${(err as Error).message})`);
  }
  const weightSpecs = topology.weightsManifest.flatMap((group) => group.weights);
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: topology.modelTopology,
      weightSpecs,
      weightData: buffer as ArrayBuffer,
    }),
  );
}
