// Cascading randomisation on the Figure 1 CNN: copies are independent of the model they come
// from, layers go top first, and re-initialising is seeded and touches only the named layer.
import * as tf from '@tensorflow/tfjs';
import {
  copyModel,
  layersTopFirst,
  reinitialiseLayer,
} from '../../../src/attribution/faithfulness/randomise';
import { buildFigure1Cnn } from '../../../src/models/cnn';
import { useBackend } from '../../../src/tf/backend';

beforeAll(() => useBackend('wasm'));

const weightsOf = (model: tf.LayersModel, name: string) =>
  model
    .getLayer(name)
    .getWeights()
    .map((w) => Array.from(w.dataSync()));

test('layers with weights come top first; re-initialising one changes it alone, on the copy alone, the same for the same seed', async () => {
  const model = buildFigure1Cnn({ dropout: 0.2, seed: 4 });
  expect(layersTopFirst(model)).toEqual(['dense', 'conv2d_2', 'conv2d_1', 'conv2d']);
  const [a, b, c] = [await copyModel(model), await copyModel(model), await copyModel(model)];
  expect(weightsOf(a, 'dense')).toEqual(weightsOf(model, 'dense'));
  reinitialiseLayer(a, 'conv2d_2', 1);
  reinitialiseLayer(b, 'conv2d_2', 1);
  reinitialiseLayer(c, 'conv2d_2', 2);
  expect(weightsOf(a, 'conv2d_2')).toEqual(weightsOf(b, 'conv2d_2'));
  expect(weightsOf(a, 'conv2d_2')[0]).not.toEqual(weightsOf(c, 'conv2d_2')[0]);
  expect(weightsOf(a, 'conv2d_2')[0]).not.toEqual(weightsOf(model, 'conv2d_2')[0]);
  // Biases start at zero, as before training.
  expect(weightsOf(a, 'conv2d_2')[1].every((v) => v === 0)).toBe(true);
  for (const name of ['dense', 'conv2d_1', 'conv2d'])
    expect(weightsOf(a, name)).toEqual(weightsOf(model, name));
  for (const m of [model, a, b, c]) m.dispose();
});

test('batch normalization restarts at γ = 1, β = 0, mean 0, variance 1', async () => {
  const model = tf.sequential({
    layers: [tf.layers.batchNormalization({ inputShape: [4] }), tf.layers.dense({ units: 2 })],
  });
  model.getLayer(model.layers[0].name).setWeights([2, 3, 4, 5].map((v) => tf.fill([4], v)));
  reinitialiseLayer(model, model.layers[0].name, 1);
  expect(weightsOf(model, model.layers[0].name)).toEqual([
    [1, 1, 1, 1],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [1, 1, 1, 1],
  ]);
  model.dispose();
});
