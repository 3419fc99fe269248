// Batch normalization with the statistics of the test batch (P1(4)): at batch 1 a batch norm
// after a dense layer erases the input, our pass equals tfjs' own training-mode normalisation
// without touching the moving averages, and models it cannot evaluate are refused by name.
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../../src/data/datasets';
import { evaluateWithBatchStatistics, predictWithBatchStatistics } from '../../src/claims/batch-statistics';
import { buildCnn } from '../../src/models/cnn';
import type { LayerSpec } from '../../src/models/layers';
import { train } from '../../src/models/train-loop';
import { trainingSpecSchema } from '../../src/models/training-spec';
import { useBackend } from '../../src/tf/backend';

beforeAll(() => useBackend('wasm'));

const data = loadDataset({ source: 'mnist', train: { first: 300 }, test: { first: 200 } });
const images = (start: number, count: number) =>
  tf.tensor4d(
    Float32Array.from(data.test.images.subarray(start * 784, (start + count) * 784), (v) => v / 255),
    [count, 28, 28, 1],
  );
const movingStatistics = (model: tf.LayersModel) =>
  model.weights
    .filter((w) => /moving_(mean|variance)/.test(w.originalName))
    .map((w) => Array.from(w.read().dataSync()));

/** A dense layer, batch normalization behind it, a dense head: trained a little on real digits. */
const DENSE_BN: LayerSpec[] = [
  { type: 'flatten' },
  { type: 'dense', units: 16 },
  { type: 'batchNormalization', momentum: 0.5 },
  { type: 'activation', activation: 'relu' },
  { type: 'dense', units: 10 },
];
const CONV_BN: LayerSpec[] = [
  { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2 },
  { type: 'batchNormalization' },
  { type: 'activation', activation: 'relu' },
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'conv2d', filters: 6, kernelSize: 3 },
  { type: 'batchNormalization' },
  { type: 'globalAveragePooling2d' },
  { type: 'dense', units: 10 },
];
const spec = trainingSpecSchema.parse({ epochs: 1, batchSize: 20, learningRate: 0.01, validationSplit: 0 });

describe('batch statistics at test time', () => {
  test('after a dense layer, a test batch of 1 normalises every input to β: one prediction for every image', () => {
    const model = buildCnn(DENSE_BN, { rows: 28, cols: 28, classes: 10, seed: 3 });
    train(model, data, spec, { seed: 3 });
    const before = movingStatistics(model);
    const singles = tf.tidy(() =>
      Array.from({ length: 6 }, (_, i) =>
        Array.from(predictWithBatchStatistics(model, images(i, 1)).dataSync()),
      ),
    );
    for (const probs of singles.slice(1)) expect(probs).toEqual(singles[0]);
    // Six together are told apart again.
    const together = tf.tidy(
      () => predictWithBatchStatistics(model, images(0, 6)).argMax(-1).arraySync() as number[],
    );
    expect(new Set(together).size).toBeGreaterThan(1);

    // So the accuracy at batch 1 is the share of test labels equal to that one prediction.
    const constant = singles[0].indexOf(Math.max(...singles[0]));
    const share = data.test.labels.filter((l) => l === constant).length / data.test.count;
    const atOne = evaluateWithBatchStatistics(model, data.test, 28, 28, 1);
    expect(atOne.images).toBe(200);
    expect(atOne.accuracy).toBeCloseTo(share, 10);
    const atAll = evaluateWithBatchStatistics(model, data.test, 28, 28, 200);
    expect(atAll.accuracy).toBeGreaterThan(atOne.accuracy + 0.2);
    // The moving averages are left as they were.
    expect(movingStatistics(model)).toEqual(before);
    model.dispose();
  });

  test('equals tfjs’ own training-mode normalisation, which (unlike ours) moves the moving averages', () => {
    const model = buildCnn(CONV_BN, { rows: 28, cols: 28, classes: 10, seed: 4 });
    train(model, data, spec, { seed: 4 });
    const before = movingStatistics(model);
    const ours = tf.tidy(() => Array.from(predictWithBatchStatistics(model, images(10, 8)).dataSync()));
    expect(movingStatistics(model)).toEqual(before);
    const theirs = tf.tidy(() => {
      let h: tf.Tensor = images(10, 8);
      for (const layer of model.layers) h = layer.apply(h, { training: true }) as tf.Tensor;
      return Array.from(h.dataSync());
    });
    expect(movingStatistics(model)).not.toEqual(before);
    const worst = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i])));
    expect(worst).toBeLessThan(1e-5);
    model.dispose();
  });

  test('a model that is not a chain of layers, or normalises another axis, is refused by name', () => {
    const input = tf.input({ shape: [28, 28, 1] });
    const a = tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'left' }).apply(input) as tf.SymbolicTensor;
    const b = tf.layers
      .conv2d({ filters: 2, kernelSize: 3, name: 'right' })
      .apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const branched = tf.model({ inputs: input, outputs: sum, name: 'branched' });
    expect(() => tf.tidy(() => predictWithBatchStatistics(branched, images(0, 2)))).toThrow(
      'model "branched": batch statistics need a chain of layers, but layer "right" does not take the previous layer\'s output alone',
    );
    const rows = tf.sequential({
      layers: [tf.layers.batchNormalization({ inputShape: [28, 28, 1], axis: 1, name: 'by_rows' })],
    });
    expect(() => tf.tidy(() => predictWithBatchStatistics(rows, images(0, 2)))).toThrow(
      'layer "by_rows": batch statistics are computed over every axis but the last; this layer normalises over axis 1',
    );
    branched.dispose();
    rows.dispose();
  });
});
