// The sanity check of one method on some images: its maps on the trained model, then on copies
// whose layers are randomised one more at a time from the top, each compared with the trained
// model's by Spearman's ρ of the absolute values (Adebayo et al., 2018: a sign flip is still an
// explanation of the same pixels).
import type * as tf from '@tensorflow/tfjs';
import { spearman } from '../../statistics';
import { copyModel, layersTopFirst, reinitialiseLayer } from './randomise';

/** A method's map of one image (rows × cols pixels) for one target class, on a given model. */
export type MapOfImage = (
  model: tf.LayersModel,
  image: Float32Array,
  target: number,
  index: number,
) => Promise<Float32Array>;

export interface CascadeResult {
  /** The layers randomised, in order (top first). */
  layers: string[];
  /** Per image: ρ after randomising the first 1, 2, ..., all of `layers`. */
  spearman: number[][];
}

const absolute = (map: Float32Array) => map.map(Math.abs);

/** Images with their test index (which keys any randomness of a method) and target class. */
export interface SanityImage {
  index: number;
  image: Float32Array;
  target: number;
}

/** ρ per image and cascade step; each map is of one image alone, so a chunk's images do not affect each other. */
export async function cascadingRandomisation(
  model: tf.LayersModel,
  images: readonly SanityImage[],
  mapOf: MapOfImage,
  seed: number,
  signal?: AbortSignal,
): Promise<CascadeResult> {
  const mapsOf = async (on: tf.LayersModel) => {
    const maps: Float32Array[] = [];
    for (const i of images) maps.push(absolute(await mapOf(on, i.image, i.target, i.index)));
    return maps;
  };
  const trained = await mapsOf(model);
  const layers = layersTopFirst(model);
  const copy = await copyModel(model);
  const spearmanOf: number[][] = images.map(() => []);
  try {
    for (const layer of layers) {
      reinitialiseLayer(copy, layer, seed);
      if (signal?.aborted) throw new Error('sanity check: stopped');
      (await mapsOf(copy)).forEach((map, i) => spearmanOf[i].push(spearman(trained[i], map)));
    }
  } finally {
    copy.dispose();
  }
  return { layers, spearman: spearmanOf };
}
