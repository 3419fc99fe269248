// Receptive fields: Figure 1's conv and pooling layers see 3, 4, 8, 10, 18, 22 pixels, in theory
// and as measured from gradients; a stride-2 network's fields follow its own strides.
import * as tf from '@tensorflow/tfjs';
import { receptiveFields } from '../../src/claims/receptive-fields';
import { buildCnn, buildFigure1Cnn } from '../../src/models/cnn';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';

beforeAll(() => useBackend('wasm'));

function noiseImages(n: number, seed: number): tf.Tensor4D {
  const random = mulberry32(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * 28 * 28 }, () => random()),
    [n, 28, 28, 1],
  );
}

test("Figure 1's layers have receptive fields of 3, 4, 8, 10, 18, 22 pixels, theoretical and measured", () => {
  const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
  const images = noiseImages(32, 5);
  const fields = receptiveFields(tf, model, images);
  expect(fields.map((f) => f.name)).toEqual([
    'conv2d',
    'max_pooling2d',
    'conv2d_1',
    'max_pooling2d_1',
    'conv2d_2',
    'max_pooling2d_2',
  ]);
  const sizes = [3, 4, 8, 10, 18, 22];
  expect(fields.map((f) => f.theoretical)).toEqual(sizes.map((s) => [s, s]));
  expect(fields.map((f) => f.measured)).toEqual(sizes.map((s) => [s, s]));
  expect(fields.map((f) => f.measuredPixels)).toEqual(sizes.map((s) => s * s));
  images.dispose();
  model.dispose();
});

test('stride-2 convolutions without pooling: fields 3, 7, 15 (jumps 1, 2, 4), measured as theory says', () => {
  const conv = { type: 'conv2d', filters: 4, kernelSize: 3, strides: 2, activation: 'relu' } as const;
  const model = buildCnn([conv, conv, conv, { type: 'flatten' }, { type: 'dense', units: 10 }], {
    rows: 28,
    cols: 28,
    classes: 10,
    seed: 3,
  });
  const images = noiseImages(32, 6);
  const fields = receptiveFields(tf, model, images);
  expect(fields.map((f) => f.theoretical)).toEqual([
    [3, 3],
    [7, 7],
    [15, 15],
  ]);
  expect(fields.map((f) => f.measured)).toEqual(fields.map((f) => f.theoretical));
  images.dispose();
  model.dispose();
});
