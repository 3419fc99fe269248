// The fused input gradients (∂p_t/∂x through the fused network, inference mode) against tfjs
// autodiff on the cpu backend, on random sequential CNNs (strides, paddings, pooling, dropout, batch
// normalization with its moving statistics, one input channel); unsupported models are declined.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';
import { fusedInputGradients } from '../../src/tf/fused-input-gradients';
import { buildNetwork, type LayerArgs, randomNetworks, randomWeights } from '../helpers/random-network';

tf.enableProdMode();
const random = mulberry32(77);
const { int, randomNetwork } = randomNetworks(random);

/** ∂p_{t_i}/∂x_i by tfjs autodiff on cpu, dropout off (the model applied in inference mode). */
async function tfjsInputGradients(
  layers: LayerArgs[],
  [rows, cols]: number[],
  weights: Float32Array[],
  images: Float32Array,
  targets: number[],
  classes: number,
): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const model = buildNetwork(layers, rows, cols, weights);
  const gradient = tf.tidy(() => {
    const x = tf.tensor4d(images, [targets.length, rows, cols, 1]);
    const mask = tf.oneHot(tf.tensor1d(targets, 'int32'), classes);
    const output = (input: tf.Tensor) => model.apply(input, { training: false }) as tf.Tensor;
    return tf
      .grad((input: tf.Tensor) => tf.sum(tf.mul(output(input), mask)))(x)
      .dataSync() as Float32Array;
  });
  model.dispose();
  return gradient;
}

beforeAll(async () => {
  await useBackend('wasm');
});

/** ∂p_t/∂x of `count` random networks, fused against tfjs on cpu; with `batchNorm`, in inference mode. */
async function compareOnRandomNetworks(networks: number, batchNorm: boolean): Promise<void> {
  for (let n = 0; n < networks; n++) {
    const [rows, cols] = [int(5, 14), int(5, 14)];
    const classes = int(2, 10);
    const layers = randomNetwork(rows, cols, classes, batchNorm);
    await tf.setBackend('cpu');
    const weights = randomWeights(layers, rows, cols, random);
    const count = int(1, 7);
    const images = Float32Array.from({ length: count * rows * cols }, random);
    const targets = Array.from({ length: count }, () => int(0, classes - 1));
    const expected = await tfjsInputGradients(layers, [rows, cols], weights, images, targets, classes);
    await tf.setBackend('wasm');
    const model = buildNetwork(layers, rows, cols, weights);
    const actual = fusedInputGradients(model, images, targets, count, int(1, count));
    model.dispose();
    expect(actual).toBeDefined();
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(actual!.length).toBe(expected.length);
    for (let j = 0; j < expected.length; j++)
      expect(Math.abs(actual![j] - expected[j])).toBeLessThanOrEqual(
        1e-5 * (scale + Math.abs(expected[j])) + 1e-9,
      );
  }
}

test('fused input gradients match tfjs autodiff on cpu for 30 random networks, in chunks', async () => {
  await compareOnRandomNetworks(30, false);
});

test('with batch normalization (its moving statistics), fused input gradients match tfjs on cpu for 15 random networks', async () => {
  await compareOnRandomNetworks(15, true);
});

test('the weights are read at each call, and unsupported models are declined', async () => {
  await tf.setBackend('wasm');
  const layers: LayerArgs[] = [
    { className: 'conv2d', config: { filters: 4, kernelSize: 3, activation: 'relu' } },
    { className: 'flatten', config: {} },
    { className: 'dense', config: { units: 3, activation: 'softmax' } },
  ];
  const model = buildNetwork(layers, 6, 6, []);
  const image = Float32Array.from({ length: 36 }, random);
  const before = fusedInputGradients(model, image, [1], 1, 1)!;
  model.setWeights(model.getWeights().map((w) => tf.mul(w, 2)));
  const after = fusedInputGradients(model, image, [1], 1, 1)!;
  expect(Array.from(after)).not.toEqual(Array.from(before));
  model.dispose();

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
  expect(fusedInputGradients(tanh, image, [0], 1, 1)).toBeUndefined();
  tanh.dispose();
  const noSoftmax = buildNetwork(
    [
      { className: 'flatten', config: {} },
      { className: 'dense', config: { units: 3 } },
    ],
    6,
    6,
    [],
  );
  expect(fusedInputGradients(noSoftmax, image, [0], 1, 1)).toBeUndefined();
  noSoftmax.dispose();
});
