// Batch normalization trains and infers on wasm as on tfjs' reference cpu backend, and a
// config's layers list builds the network it describes.
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../../src/data/datasets';
import { buildCnn, summarise } from '../../src/models/cnn';
import type { LayerSpec } from '../../src/models/layers';
import { evaluate, train } from '../../src/models/train-loop';
import { trainingSpecSchema } from '../../src/models/training-spec';
import { useBackend } from '../../src/tf/backend';

beforeAll(() => useBackend('wasm'));
afterAll(() => tf.setBackend('wasm'));

const LAYERS: LayerSpec[] = [
  { type: 'conv2d', filters: 6, kernelSize: 3, padding: 'same', strides: 2 },
  { type: 'batchNormalization', momentum: 0.9 },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu' },
  { type: 'batchNormalization' },
  { type: 'globalAveragePooling2d' },
  { type: 'dense', units: 10 },
];
const data = loadDataset({ source: 'mnist', train: { first: 192 }, test: { first: 100 } });
// Plain SGD: Adam divides each step by the gradient's size, so rounding noise in a gradient that is
// zero in exact arithmetic (a conv bias before batch normalization) would become a full step.
const spec = trainingSpecSchema.parse({
  epochs: 1,
  batchSize: 32,
  learningRate: 0.05,
  validationSplit: 0,
  optimizer: 'sgd',
});

async function trainOn(backend: 'cpu' | 'wasm') {
  await tf.setBackend(backend);
  const model = buildCnn(LAYERS, { rows: 28, cols: 28, classes: 10, seed: 5 });
  train(model, data, spec, { seed: 5 });
  const weights = new Map(model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
  const probs = tf.tidy(() =>
    Array.from(
      (
        model.predict(
          tf.tensor4d(
            Float32Array.from(data.test.images.subarray(0, 10 * 784), (v) => v / 255),
            [10, 28, 28, 1],
          ),
        ) as tf.Tensor
      ).dataSync(),
    ),
  );
  const accuracy = evaluate(model, data.test, 28, 28).accuracy;
  model.dispose();
  return { weights, probs, accuracy };
}

const maxDifference = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

describe('a layers list with batch normalization', () => {
  test('builds with Keras names, softmax added, every layer in the summary', () => {
    const model = buildCnn(LAYERS, { rows: 28, cols: 28, classes: 10, seed: 1 });
    const rows = summarise(model);
    expect(rows.map((r) => `${r.layer} ${r.type} ${r.outputShape} ${r.params}`)).toEqual([
      'conv2d Conv2D (None, 14, 14, 6) 60',
      'batch_normalization BatchNormalization (None, 14, 14, 6) 24',
      'activation Activation (None, 14, 14, 6) 0',
      'max_pooling2d MaxPooling2D (None, 7, 7, 6) 0',
      'conv2d_1 Conv2D (None, 5, 5, 8) 440',
      'batch_normalization_1 BatchNormalization (None, 5, 5, 8) 32',
      'global_average_pooling2d GlobalAveragePooling2D (None, 8) 0',
      'dense Dense (None, 10) 90',
      'activation_1 Activation (None, 10) 0',
    ]);
    // Batch normalization starts as the identity: γ = 1, β = 0, moving mean 0, moving variance 1.
    const bn = model
      .getLayer('batch_normalization')
      .getWeights()
      .map((w) => Array.from(w.dataSync()));
    expect(bn).toEqual([Array(6).fill(1), Array(6).fill(0), Array(6).fill(0), Array(6).fill(1)]);
    model.dispose();
  });

  test('trains and infers on wasm as on the cpu backend', async () => {
    const cpu = await trainOn('cpu');
    const wasm = await trainOn('wasm');
    expect([...wasm.weights.keys()]).toEqual([...cpu.weights.keys()]);
    for (const [name, values] of cpu.weights) {
      expect(maxDifference(wasm.weights.get(name)!, values)).toBeLessThan(1e-4);
    }
    // Training moved the moving statistics away from their start.
    expect(cpu.weights.get('batch_normalization/moving_mean')!.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    expect(maxDifference(wasm.probs, cpu.probs)).toBeLessThan(1e-4);
    expect(Math.abs(wasm.accuracy - cpu.accuracy)).toBeLessThanOrEqual(0.01);
  });

  test('inference uses the moving statistics: an image alone gets what it gets inside a batch', async () => {
    await tf.setBackend('wasm');
    const model = buildCnn(LAYERS, { rows: 28, cols: 28, classes: 10, seed: 2 });
    train(model, data, spec, { seed: 2 });
    const pixels = Float32Array.from(data.test.images.subarray(0, 20 * 784), (v) => v / 255);
    const batch = tf.tidy(
      () => (model.predict(tf.tensor4d(pixels, [20, 28, 28, 1])) as tf.Tensor).arraySync() as number[][],
    );
    const alone = tf.tidy(
      () =>
        (
          model.predict(tf.tensor4d(pixels.subarray(3 * 784, 4 * 784), [1, 28, 28, 1])) as tf.Tensor
        ).arraySync() as number[][],
    );
    expect(maxDifference(alone[0], batch[3])).toBeLessThan(1e-5);
    model.dispose();
  });
});
