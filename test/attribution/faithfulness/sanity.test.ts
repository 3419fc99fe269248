// The sanity check on a real small CNN: a map made independent of the weights on purpose (an
// edge detector of the input) keeps ρ = 1 however many layers are randomised and fails; saliency,
// the gradient of the model, loses its ranking and passes.
import type * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { attribute } from '../../../src/attribution/methods';
import { cascadingRandomisation, type MapOfImage } from '../../../src/attribution/faithfulness/sanity';
import { methodSanity, type SanityChunk } from '../../../src/attribution/faithfulness/summary';
import { sanityVerdict } from '../../../src/attribution/faithfulness/trust';
import { loadDataset } from '../../../src/data/datasets';
import { gatherPixels } from '../../../src/data/pixels';
import { loadModel } from '../../../src/models/persist';
import { SMALL_TRAIN, trainSmallModel } from '../../helpers/small-model';
import { layersClassifier } from '../../../src/models/classifier';

/** Sobel gradient magnitude of the 28×28 input: a picture of the digit's edges, blind to the model. */
const edges: MapOfImage = async (_model, image) => {
  const at = (r: number, c: number) => (r < 0 || c < 0 || r > 27 || c > 27 ? 0 : image[r * 28 + c]);
  return Float32Array.from({ length: 784 }, (_, p) => {
    const [r, c] = [Math.floor(p / 28), p % 28];
    const gx =
      at(r - 1, c + 1) +
      2 * at(r, c + 1) +
      at(r + 1, c + 1) -
      at(r - 1, c - 1) -
      2 * at(r, c - 1) -
      at(r + 1, c - 1);
    const gy =
      at(r + 1, c - 1) +
      2 * at(r + 1, c) +
      at(r + 1, c + 1) -
      at(r - 1, c - 1) -
      2 * at(r - 1, c) -
      at(r - 1, c + 1);
    return Math.hypot(gx, gy);
  });
};

const saliency: MapOfImage = async (model, image, target) => {
  const classifier = layersClassifier(model, { rows: 28, cols: 28, channels: 1 });
  return (await attribute(classifier, { pixels: image, count: 1, rows: 28, cols: 28 }, [target], 'saliency'))
    .maps;
};

let model: tf.LayersModel;
beforeAll(async () => {
  const trained = await trainSmallModel();
  model = await loadModel(path.join(trained.dir, 'model'));
}, 120_000);

test('an edge detector fails the sanity check, saliency passes it', async () => {
  const data = loadDataset(SMALL_TRAIN.data);
  const images = [0, 1, 2, 3, 4, 5].map((index) => ({
    index,
    image: gatherPixels(data.test, 784, [index]),
    target: data.test.labels[index],
  }));
  const chunks: SanityChunk[] = [];
  for (const [method, mapOf] of [
    ['edges', edges],
    ['saliency', saliency],
  ] as const) {
    const result = await cascadingRandomisation(model, images, mapOf, 0);
    expect(result.layers).toEqual(['dense', 'conv2d_2', 'conv2d_1', 'conv2d']);
    chunks.push({
      method,
      model: 'small',
      layers: result.layers,
      images: images.map(({ index }, i) => ({ index, spearman: result.spearman[i] })),
    });
  }
  const [edgeCheck, saliencyCheck] = methodSanity(['edges', 'saliency'], chunks);
  for (const step of edgeCheck.steps) expect(step.mean).toBe(1);
  expect(sanityVerdict(edgeCheck.steps.at(-1)!.mean, 0.9)).toBe('fails');
  // Measured on this model: ρ 0.94, 0.85, 0.81, 0.62 as dense, conv2d_2, conv2d_1, conv2d go.
  expect(saliencyCheck.steps.at(-1)!.mean).toBeLessThan(0.8);
  expect(sanityVerdict(saliencyCheck.steps.at(-1)!.mean, 0.9)).toBe('passes');
  // The maps change from the first randomised layer on.
  expect(saliencyCheck.steps[0].mean).toBeLessThan(0.95);
});
