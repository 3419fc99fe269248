// Cascading model-parameter randomisation (Adebayo et al., "Sanity checks for saliency maps",
// 2018): a copy of the trained model whose layers with weights are re-initialised one after the
// other from the top (the output layer first). A map that explains the model must change as its
// weights go; a map that stays the same explains the input, not the model.
import * as tf from '@tensorflow/tfjs';
import { glorotUniform } from '../../models/cnn';
import { deriveSeed, mulberry32 } from '../../random';

/** A copy of a model with its own weights (the cached trained model is never touched). */
export async function copyModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

/** Names of the layers that have weights, from the output back to the input. */
export function layersTopFirst(model: tf.LayersModel): string[] {
  return model.layers
    .filter((layer) => layer.getWeights().length > 0)
    .map((layer) => layer.name)
    .reverse();
}

/**
 * Re-initialises one layer as at the start of training, from a seed: kernels Glorot-uniform,
 * every vector zero but batch normalization's γ and moving variance (one).
 */
export function reinitialiseLayer(model: tf.LayersModel, name: string, seed: number): void {
  const layer = model.getLayer(name);
  const random = mulberry32(deriveSeed(seed, `randomise/${name}`));
  const fresh = layer.weights.map((w) => {
    const shape = w.shape as number[];
    if (shape.length === 1) {
      const one = /(gamma|moving_variance)/.test(w.originalName);
      return tf.fill(shape, one ? 1 : 0);
    }
    return glorotUniform(shape, random);
  });
  layer.setWeights(fresh);
  for (const t of fresh) t.dispose();
}
