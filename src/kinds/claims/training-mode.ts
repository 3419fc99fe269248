// A trained model run the way training runs it: dropout masks drawn (from a seeded generator,
// by the train loop's own forward pass) and batch normalization on the batch's statistics. Such
// a pass updates batch normalization's moving statistics, so it gets a freshly loaded copy of
// the model, never the per-thread cached one that other probes read.
import type * as tf from '@tensorflow/tfjs';
import type { NeededJob } from '../../jobs/kind';
import { modelDir } from '../../jobs/shared';
import type { BackendName } from '../../models/training-spec';
import { deriveSeed, mulberry32 } from '../../random';

/** Loads a fresh copy of the needed train job's model, runs `use` on it, and disposes of it. */
export async function withFreshModel<T>(
  trainJob: NeededJob,
  backend: BackendName,
  use: (model: tf.LayersModel) => T,
): Promise<T> {
  const { useBackend } = require('../../tf/backend') as typeof import('../../tf/backend');
  const { loadModel } = require('../../models/persist') as typeof import('../../models/persist');
  await useBackend(backend);
  const model = await loadModel(modelDir(trainJob));
  try {
    return use(model);
  } finally {
    model.dispose();
  }
}

/** Dropout masks for a measurement: their own stream, drawn from the model's seed and a purpose. */
export function maskRandom(seed: number, purpose: string): () => number {
  return mulberry32(deriveSeed(seed, `claims:${purpose}`));
}

/** The output of the first `layerCount` layers in training mode (all layers by default). */
export function trainingModeOutput(
  model: tf.LayersModel,
  x: tf.Tensor,
  random: () => number,
  layerCount?: number,
): tf.Tensor {
  const { forwardTraining } = require('../../models/train-loop') as typeof import('../../models/train-loop');
  return forwardTraining(model, x, random, layerCount);
}
