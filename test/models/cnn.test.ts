import type * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useBackend } from '../../src/tf/backend';
import { buildFigure1Cnn, summarise } from '../../src/models/cnn';
import { loadModel, saveModel } from '../../src/models/persist';
import { loadDataset } from '../../src/data/datasets';
import { rangeTensor } from '../../src/data/batches';
import { evaluate, train } from '../../src/models/train-loop';
import { trainingSpecSchema } from '../../src/models/training-spec';
import { tempDir } from '../helpers/temp-dir';

beforeAll(() => useBackend('wasm'));

const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('the Figure 1 CNN', () => {
  test('has the homework’s layers, output shapes and 2,390 parameters', () => {
    const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
    expect(summarise(model)).toEqual([
      { layer: 'conv2d', type: 'Conv2D', outputShape: '(None, 26, 26, 12)', params: 120 },
      { layer: 'max_pooling2d', type: 'MaxPooling2D', outputShape: '(None, 13, 13, 12)', params: 0 },
      { layer: 'conv2d_1', type: 'Conv2D', outputShape: '(None, 11, 11, 12)', params: 1308 },
      { layer: 'max_pooling2d_1', type: 'MaxPooling2D', outputShape: '(None, 5, 5, 12)', params: 0 },
      { layer: 'conv2d_2', type: 'Conv2D', outputShape: '(None, 3, 3, 8)', params: 872 },
      { layer: 'max_pooling2d_2', type: 'MaxPooling2D', outputShape: '(None, 1, 1, 8)', params: 0 },
      { layer: 'flatten', type: 'Flatten', outputShape: '(None, 8)', params: 0 },
      { layer: 'dropout', type: 'Dropout', outputShape: '(None, 8)', params: 0 },
      { layer: 'dense', type: 'Dense', outputShape: '(None, 10)', params: 90 },
    ]);
    expect(model.countParams()).toBe(2390);
  });

  test('initialisation is Glorot-uniform from the seed, biases zero', () => {
    const a = weightsOf(buildFigure1Cnn({ dropout: 0.2, seed: 7 }));
    expect(a).toEqual(weightsOf(buildFigure1Cnn({ dropout: 0.2, seed: 7 })));
    expect(a).not.toEqual(weightsOf(buildFigure1Cnn({ dropout: 0.2, seed: 8 })));
    const conv1Limit = Math.sqrt(6 / (9 * 1 + 9 * 12));
    expect(Math.max(...a[0].map(Math.abs))).toBeLessThanOrEqual(conv1Limit);
    expect(Math.max(...a[0].map(Math.abs))).toBeGreaterThan(conv1Limit * 0.9);
    expect(a[1].every((b) => b === 0)).toBe(true);
  });
});

describe('training on real MNIST at small scale', () => {
  const data = loadDataset({ source: 'mnist', train: { first: 2000 }, test: { first: 1000 } });
  const spec = trainingSpecSchema.parse({
    epochs: 5,
    batchSize: 32,
    learningRate: 0.003,
    validationSplit: 0.1,
  });
  let trained: tf.LayersModel;

  test('reaches well above chance on 1,000 test images after training on 2,000', () => {
    trained = buildFigure1Cnn({ dropout: spec.dropout, seed: 1 });
    const history = train(trained, data, spec, { seed: 1 });
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(history[4].valAccuracy).toBeGreaterThan(0.5);
    expect(evaluate(trained, data.test, 28, 28).accuracy).toBeGreaterThanOrEqual(0.8);
  });

  test('the same seed gives bit-identical weights and metrics; another seed differs', () => {
    const small = loadDataset({ source: 'mnist', train: { first: 600 }, test: { first: 10 } });
    const quick = trainingSpecSchema.parse({ epochs: 1, batchSize: 32, validationSplit: 0.2 });
    const run = (seed: number) => {
      const model = buildFigure1Cnn({ dropout: quick.dropout, seed });
      const history = train(model, small, quick, { seed }).map(({ seconds: _s, ...m }) => m);
      return { weights: weightsOf(model), history };
    };
    const first = run(1);
    expect(run(1)).toEqual(first);
    expect(run(2).weights).not.toEqual(first.weights);
  });

  test('save and load round trip gives identical predictions, and the plain JSON weights match', async () => {
    const dir = tempDir();
    await saveModel(trained, dir);
    const restored = await loadModel(dir);
    const x = rangeTensor(data.test, 28, 28, 0, 200);
    const before = (trained.predict(x) as tf.Tensor).dataSync();
    const after = (restored.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    const plain = JSON.parse(readFileSync(path.join(dir, 'weights.json'), 'utf8'));
    expect(Object.keys(plain)).toEqual(['conv2d', 'conv2d_1', 'conv2d_2', 'dense']);
    expect(plain.conv2d.kernel.shape).toEqual([3, 3, 1, 12]);
    expect(plain.dense.bias.values).toEqual(Array.from(trained.getLayer('dense').getWeights()[1].dataSync()));
  });
});
