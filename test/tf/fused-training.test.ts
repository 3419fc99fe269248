// The fused training step's gradients against tfjs autodiff of the train loop's own forward pass
// and loss on the cpu backend, on random sequential CNNs (shapes, strides, paddings,
// pooling, dropout, batch normalization with its moving statistics); a seed gives bit-identical
// weights run to run; unsupported models fall back.
import * as tf from '@tensorflow/tfjs';
import { buildCnn } from '../../src/models/cnn';
import type { LayerSpec } from '../../src/models/layers';
import { crossEntropy, EPSILON, forwardTraining, makeOptimizer, train } from '../../src/models/train-loop';
import { trainingSpecSchema } from '../../src/models/training-spec';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';
import { FusedAdam } from '../../src/tf/fused-adam';
import { FusedTraining } from '../../src/tf/fused-training';
import { loadDataset } from '../../src/data/datasets';
import { buildNetwork as build, type LayerArgs, randomNetworks } from '../helpers/random-network';

tf.enableProdMode();
const random = mulberry32(2024);
const { int, randomNetwork } = randomNetworks(random);

/**
 * Gradients of the train loop's loss by tfjs autodiff on the cpu backend, in trainableWeights
 * order, then the non-trainable weights after the step (batch normalization's moving statistics).
 */
async function tfjsGradients(
  layers: LayerArgs[],
  [rows, cols]: number[],
  weights: Float32Array[],
  images: Float32Array,
  labels: Int32Array,
  classes: number,
): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  const model = build(layers, rows, cols, weights);
  const n = labels.length;
  const result = tf.tidy(() => {
    const x = tf.tensor4d(images, [n, rows, cols, 1]);
    const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
    const dropout = mulberry32(5);
    const { grads } = tf.variableGrads(() => crossEntropy(forwardTraining(model, x, dropout), oneHot));
    return model.trainableWeights.map(
      (w) => grads[(w.read() as tf.Variable).name].dataSync() as Float32Array,
    );
  });
  result.push(...model.nonTrainableWeights.map((w) => w.read().dataSync() as Float32Array));
  model.dispose();
  return result;
}

async function fusedGradients(
  layers: LayerArgs[],
  [rows, cols]: number[],
  weights: Float32Array[],
  images: Float32Array,
  labels: Int32Array,
): Promise<Float32Array[] | undefined> {
  await tf.setBackend('wasm');
  const model = build(layers, rows, cols, weights);
  const optimizer = new FusedAdam(0.001, 0.9, 0.999, EPSILON);
  const fused = FusedTraining.create(model, optimizer, { batchSize: labels.length + 2, clip: EPSILON });
  if (!fused) return undefined;
  fused.computeGradients(images, labels, labels.length, mulberry32(5));
  const byName = fused.gradients();
  const result = model.trainableWeights.map((w) => byName.get((w.read() as tf.Variable).name)!);
  fused.writeWeights();
  result.push(...model.nonTrainableWeights.map((w) => w.read().dataSync() as Float32Array));
  fused.dispose();
  optimizer.dispose();
  model.dispose();
  return result;
}

beforeAll(async () => {
  await useBackend('wasm');
});

/** One step's gradients (and moving statistics) of `count` random networks, fused against tfjs on cpu. */
async function compareOnRandomNetworks(count: number, batchNorm: boolean): Promise<void> {
  for (let n = 0; n < count; n++) {
    const [rows, cols] = [int(5, 14), int(5, 14)];
    const classes = int(2, 10);
    const layers = randomNetwork(rows, cols, classes, batchNorm);
    await tf.setBackend('cpu');
    const shapes = build(layers, rows, cols, []).getWeights();
    const weights = shapes.map((w) => Float32Array.from({ length: w.size }, () => random() - 0.5));
    const batch = int(1, 6);
    const images = Float32Array.from({ length: batch * rows * cols }, random);
    const labels = Int32Array.from({ length: batch }, () => int(0, classes - 1));
    const expected = await tfjsGradients(layers, [rows, cols], weights, images, labels, classes);
    const actual = await fusedGradients(layers, [rows, cols], weights, images, labels);
    expect(actual).toBeDefined();
    expect(actual!.length).toBe(expected.length);
    // Within 1e-5 of each tensor's largest value, and never below 1e-6 of the network's: a bias
    // just before batch normalization has a gradient of 0 up to rounding, noise on both sides.
    const largest = (e: Float32Array) => e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const floor = 1e-6 * Math.max(...expected.map(largest));
    expected.forEach((e, i) => {
      const a = actual![i];
      const scale = largest(e);
      for (let j = 0; j < e.length; j++)
        expect(Math.abs(a[j] - e[j])).toBeLessThanOrEqual(1e-5 * (scale + Math.abs(e[j])) + floor + 1e-9);
    });
  }
}

test('fused gradients match tfjs autodiff on cpu for 40 random networks', async () => {
  await compareOnRandomNetworks(40, false);
});

test('with batch normalization, fused gradients and moving statistics match tfjs on cpu for 20 random networks', async () => {
  await compareOnRandomNetworks(20, true);
});

const figure1 = (dropout: number): LayerSpec[] => [
  { type: 'conv2d', filters: 12, kernelSize: 3, activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dropout', rate: dropout },
  { type: 'dense', units: 10, activation: 'softmax' },
];

function trainOnce(layers: LayerSpec[], optimizer: 'adam' | 'sgd' = 'adam'): Float32Array[] {
  const data = loadDataset({ source: 'mnist', train: { first: 200 }, test: { first: 20 } });
  const model = buildCnn(layers, { rows: 28, cols: 28, classes: 10, seed: 4 });
  const spec = trainingSpecSchema.parse({ epochs: 2, batchSize: 24, validationSplit: 0.1, optimizer });
  const history = train(model, data, spec, { seed: 4 });
  expect(history.every((e) => Number.isFinite(e.loss) && e.valAccuracy !== null)).toBe(true);
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return weights;
}

test('a seed gives bit-identical weights run to run through the fused step, and no tensors leak', async () => {
  await tf.setBackend('wasm');
  const first = trainOnce(figure1(0.2));
  const before = tf.memory().numTensors;
  const second = trainOnce(figure1(0.2));
  expect(tf.memory().numTensors).toBe(before);
  expect(second.map((w) => Array.from(w))).toEqual(first.map((w) => Array.from(w)));
  // Trained: the weights moved away from the seed's initial ones.
  const initial = buildCnn(figure1(0.2), { rows: 28, cols: 28, classes: 10, seed: 4 });
  expect(Array.from(initial.getWeights()[0].dataSync())).not.toEqual(Array.from(first[0]));
  initial.dispose();
});

test('the fused step declines other optimizers and other activations, and takes batch normalization', async () => {
  await tf.setBackend('wasm');
  const spec = trainingSpecSchema.parse({});
  const declined = (layers: LayerSpec[], optimizer = makeOptimizer(spec)) => {
    const model = buildCnn(layers, { rows: 12, cols: 12, classes: 10, seed: 1 });
    const fused = FusedTraining.create(model, optimizer, { batchSize: 4, clip: EPSILON });
    fused?.dispose();
    optimizer.dispose();
    model.dispose();
    return fused === undefined;
  };
  expect(declined(figure1(0.2))).toBe(false);
  expect(declined(figure1(0.2), tf.train.sgd(0.1))).toBe(true);
  expect(
    declined([
      { type: 'conv2d', filters: 4, kernelSize: 3 },
      { type: 'batchNormalization' },
      { type: 'flatten' },
      { type: 'dense', units: 10 },
    ]),
  ).toBe(false);
  expect(
    declined([
      { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'tanh' },
      { type: 'flatten' },
      { type: 'dense', units: 10 },
    ]),
  ).toBe(true);
  // The declined models still train, through tfjs.
  expect(trainOnce(figure1(0.2), 'sgd').length).toBe(6);
});
