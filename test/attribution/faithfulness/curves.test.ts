// Deletion and insertion curves: the copies they predict, the areas, and the property the whole
// ranking rests on: on a model whose weights we know, the true order of the pixels deletes the
// target's probability faster (smaller area) and inserts it faster (larger area) than a random one.
import * as tf from '@tensorflow/tfjs';
import { attributionOrder, randomMap } from '../../../src/attribution/faithfulness/order';
import {
  curveArea,
  curvePoints,
  imageCurves,
  perturbedCopies,
} from '../../../src/attribution/faithfulness/curves';
import { mulberry32 } from '../../../src/random';
import { useBackend } from '../../../src/tf/backend';
import { layersClassifier } from '../../../src/models/classifier';

beforeAll(() => useBackend('wasm'));

describe('curve points and copies', () => {
  test('points run from no pixel to every pixel in equal steps of whole pixels', () => {
    const { counts, fractions } = curvePoints(784, 20);
    expect(counts).toHaveLength(21);
    expect(counts[0]).toBe(0);
    expect(counts[20]).toBe(784);
    expect(counts[1]).toBe(39);
    expect(fractions[10]).toBe(0.5);
    expect(() => curvePoints(784, 0)).toThrow('steps: expected a positive integer, got 0');
  });

  test('deletion copy k has the first counts[k] pixels of the order at the baseline, insertion copy k only those from the image', () => {
    const random = mulberry32(3);
    const size = 50;
    const image = Float32Array.from({ length: size }, () => 0.5 + random() / 2);
    const baseline = new Float32Array(size).fill(0.1);
    const order = attributionOrder(Float32Array.from({ length: size }, () => random()));
    const points = curvePoints(size, 7);
    const copies = perturbedCopies(image, baseline, order, points);
    const count = points.counts.length;
    expect(copies).toHaveLength(2 * count * size);
    points.counts.forEach((n, k) => {
      const deleted = copies.subarray(k * size, (k + 1) * size);
      const inserted = copies.subarray((count + k) * size, (count + k + 1) * size);
      const removed = new Set(order.subarray(0, n));
      for (let p = 0; p < size; p++) {
        expect(deleted[p]).toBe(removed.has(p) ? baseline[p] : image[p]);
        expect(inserted[p]).toBe(removed.has(p) ? image[p] : baseline[p]);
      }
    });
  });

  test('the order ranks the highest attribution first, ties in pixel order', () => {
    expect(Array.from(attributionOrder([0.1, 3, -2, 3, 0]))).toEqual([1, 3, 0, 4, 2]);
  });

  test('random maps depend on the seed and the image, never on anything else', () => {
    expect(randomMap(10, 1, 5)).toEqual(randomMap(10, 1, 5));
    expect(randomMap(10, 1, 5)).not.toEqual(randomMap(10, 1, 6));
    expect(randomMap(10, 2, 5)).not.toEqual(randomMap(10, 1, 5));
  });

  test('areas by trapezoids from 0 to 1', () => {
    expect(curveArea([0, 0.5, 1], [0.3, 0.3, 0.3])).toBeCloseTo(0.3, 12);
    expect(curveArea([0, 0.25, 0.5, 1], [0, 0.25, 0.5, 1])).toBeCloseTo(0.5, 12);
    expect(curveArea([0, 0.5, 1], [1, 0, 0])).toBeCloseTo(0.25, 12);
  });
});

/**
 * A linear softmax model on 8×8 images whose weights we set: the target class 0 reads the
 * pixels with weights 0..4 spread at random, the other classes read nothing. Removing pixel p
 * lowers the target's logit by exactly w_p·x_p, so that is the oracle order.
 */
function linearModel(weights: Float32Array): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [8, 8, 1] }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const kernel = new Float32Array(64 * 3);
  weights.forEach((w, p) => {
    kernel[p * 3] = w;
  });
  model.setWeights([tf.tensor2d(kernel, [64, 3]), tf.tensor1d([-40, 0, 0])]);
  return model;
}

test('on a linear model the oracle order deletes faster and inserts faster than a random order', async () => {
  const random = mulberry32(17);
  const weights = Float32Array.from({ length: 64 }, () => 4 * random());
  const model = linearModel(weights);
  const classifier = layersClassifier(model, { rows: 8, cols: 8, channels: 1 });
  const points = curvePoints(64, 16);
  const baseline = new Float32Array(64);
  const oracle = { deletion: [] as number[], insertion: [] as number[] };
  const shuffled = { deletion: [] as number[], insertion: [] as number[] };
  for (let n = 0; n < 10; n++) {
    const image = Float32Array.from({ length: 64 }, () => random());
    const oracleOrder = attributionOrder(image.map((x, p) => x * weights[p]));
    const truth = await imageCurves(classifier, image, baseline, oracleOrder, points, 0);
    const randomOrder = attributionOrder(randomMap(64, 1, n));
    const blind = await imageCurves(classifier, image, baseline, randomOrder, points, 0);
    // The curves start at the clean image's probability and end at the baseline's.
    expect(truth.deletion[0]).toBeCloseTo(blind.deletion[0], 6);
    expect(truth.deletion.at(-1)).toBeCloseTo(truth.insertion[0], 6);
    oracle.deletion.push(truth.deletionArea);
    oracle.insertion.push(truth.insertionArea);
    shuffled.deletion.push(blind.deletionArea);
    shuffled.insertion.push(blind.insertionArea);
    expect(truth.deletionArea).toBeLessThan(blind.deletionArea);
    expect(truth.insertionArea).toBeGreaterThan(blind.insertionArea);
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  expect(mean(oracle.deletion)).toBeLessThan(mean(shuffled.deletion) - 0.1);
  expect(mean(oracle.insertion)).toBeGreaterThan(mean(shuffled.insertion) + 0.1);
  model.dispose();
});
