// Probabilities through the fused network (inference mode) against tfjs' predict on the cpu
// backend, on random sequential CNNs (strides, paddings, pooling, dropout, batch normalization with
// its moving statistics), in passes of random sizes; predictBatch takes tfjs' path for a model the
// fused network does not cover, with the same answer.
import * as tf from '@tensorflow/tfjs';
import { predictBatch, tfjsProbabilities } from '../../src/models/predict';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';
import { fusedProbabilities } from '../../src/tf/fused-predict';
import { wrapKernels } from '../../src/tf/simd-module';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { buildNetwork, randomNetworks, randomWeights } from '../helpers/random-network';

tf.enableProdMode();
const random = mulberry32(91);
const { int, randomNetwork } = randomNetworks(random);

beforeAll(async () => {
  await useBackend('wasm');
});

function expectClose(actual: Float32Array | undefined, expected: Float32Array): void {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  let worst = 0;
  for (let j = 0; j < expected.length; j++) worst = Math.max(worst, Math.abs(actual![j] - expected[j]));
  expect(worst).toBeLessThanOrEqual(1e-5);
}

test.each([
  ['without', false, 1, 30],
  ['with', true, 1, 15],
  ['of RGB images without', false, 3, 10],
])(
  'fused probabilities match tfjs predict on cpu for random networks %s batch normalization',
  async (_, batchNorm, channels, networks) => {
    for (let n = 0; n < networks; n++) {
      const [rows, cols] = [int(5, 14), int(5, 14)];
      const classes = int(2, 10);
      const layers = randomNetwork(rows, cols, classes, batchNorm);
      await tf.setBackend('cpu');
      const weights = randomWeights(layers, rows, cols, random, channels);
      const count = int(1, 40);
      const images = Float32Array.from({ length: count * rows * cols * channels }, random);
      const reference = buildNetwork(layers, rows, cols, weights, channels);
      const expected = tfjsProbabilities(reference, images, count, rows, cols, channels);
      reference.dispose();
      await tf.setBackend('wasm');
      const model = buildNetwork(layers, rows, cols, weights, channels);
      expectClose(fusedProbabilities(model, images, count, int(1, count)), expected);
      model.dispose();
    }
  },
);

test('a network kept from call to call follows its model: new weights, larger and smaller batches, another model', async () => {
  const [rows, cols, classes] = [9, 8, 4];
  const layers = randomNetwork(rows, cols, classes);
  const draws = [0, 1].map(() => randomWeights(layers, rows, cols, random));
  const images = Float32Array.from({ length: 300 * rows * cols }, random);
  await tf.setBackend('cpu');
  const expected = draws.map((weights) => {
    const reference = buildNetwork(layers, rows, cols, weights);
    const probabilities = tfjsProbabilities(reference, images, 300, rows, cols);
    reference.dispose();
    return probabilities;
  });
  const part = (probabilities: Float32Array, count: number) => probabilities.subarray(0, count * classes);
  await tf.setBackend('wasm');
  const [model, other] = draws.map((weights) => buildNetwork(layers, rows, cols, weights));
  expectClose(fusedProbabilities(model, images, 5), part(expected[0], 5));
  expectClose(fusedProbabilities(model, images, 300), expected[0]);
  expectClose(fusedProbabilities(model, images, 7), part(expected[0], 7));
  model.setWeights(other.getWeights());
  expectClose(fusedProbabilities(model, images, 300), expected[1]);
  tf.tidy(() => model.setWeights(draws[0].map((w, i) => tf.tensor(w, other.getWeights()[i].shape))));
  expectClose(fusedProbabilities(other, images, 40), part(expected[1], 40));
  expectClose(fusedProbabilities(model, images, 40), part(expected[0], 40));
  model.dispose();
  other.dispose();
});

test('a kept network runs the kernels of the moment (a benchmark wraps them to time each call)', async () => {
  await tf.setBackend('wasm');
  const layers = randomNetwork(7, 7, 3);
  const model = buildNetwork(layers, 7, 7, randomWeights(layers, 7, 7, random));
  const images = Float32Array.from({ length: 4 * 49 }, random);
  const before = fusedProbabilities(model, images, 4);
  let calls = 0;
  const counted = wrapKernels(tf.backend() as BackendWasm, (_, kernel) => (...args) => {
    calls++;
    kernel(...args);
  });
  try {
    expect(Array.from(fusedProbabilities(model, images, 4)!)).toEqual(Array.from(before!));
  } finally {
    counted.restore();
  }
  expect(calls).toBeGreaterThan(0);
  model.dispose();
});

test('predictBatch falls back to tfjs for a layer the fused network does not cover, with the same probabilities', async () => {
  await tf.setBackend('wasm');
  const tanh = buildNetwork(
    [
      { className: 'conv2d', config: { filters: 2, kernelSize: 3, activation: 'tanh' } },
      { className: 'flatten', config: {} },
      { className: 'dense', config: { units: 3, activation: 'softmax' } },
    ],
    6,
    6,
    [],
  );
  const images = Float32Array.from({ length: 3 * 36 }, random);
  expect(fusedProbabilities(tanh, images, 3)).toBeUndefined();
  expect(Array.from(predictBatch(tanh, images, 3, 6, 6))).toEqual(
    Array.from(tfjsProbabilities(tanh, images, 3, 6, 6)),
  );
  tanh.dispose();
});
