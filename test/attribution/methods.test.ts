// The attribution methods on small real models whose maps are known: a linear model (saliency
// is its weights), the Figure 1 CNN trained briefly on real MNIST (integrated gradients'
// completeness), a model whose last convolution is the identity (Grad-CAM in closed form).
import * as tf from '@tensorflow/tfjs';
import {
  type AttributeOptions,
  attribute as attributeWith,
  type ImageBatch,
  type MethodInput,
} from '../../src/attribution/methods';
import { layersClassifier } from '../../src/models/classifier';
import { gaussianBlur } from '../../src/attribution/baselines';
import { loadModel } from '../../src/models/persist';
import { loadDataset } from '../../src/data/datasets';
import { gatherPixels } from '../../src/data/pixels';
import { mulberry32 } from '../../src/random';
import { predictBatch } from '../../src/models/predict';
import { useBackend } from '../../src/tf/backend';
import { modelDir } from '../../src/jobs/shared';
import { trainSmallModel } from '../helpers/small-model';

const ROWS = 6;
const COLS = 5;

function randomValues(count: number, seed: number, low = -1, high = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: count }, () => low + (high - low) * random());
}

/** flatten → dense(classes, linear) with the given kernel (pixels × classes) and bias. */
function linearModel(kernel: Float32Array, classes: number): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [ROWS, COLS, 1] }),
      tf.layers.dense({ units: classes, activation: 'linear' }),
    ],
  });
  model.layers[1].setWeights([tf.tensor2d(kernel, [ROWS * COLS, classes]), tf.fill([classes], 0.3)]);
  return model;
}

beforeAll(async () => {
  await useBackend('wasm');
});

/** The methods on a tfjs model, as the attribution jobs call them (through its classifier). */
const attribute = (
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  method: MethodInput,
  options?: AttributeOptions,
) =>
  attributeWith(
    layersClassifier(model, { rows: batch.rows, cols: batch.cols, channels: 1 }),
    batch,
    targets,
    method,
    options,
  );

describe('saliency and gradient × input of a linear model', () => {
  const classes = 4;
  const kernel = randomValues(ROWS * COLS * classes, 1);
  const images = randomValues(3 * ROWS * COLS, 2, 0, 1);
  const targets = [2, 0, 3];
  const weight = (p: number, c: number) => kernel[p * classes + c];

  test('saliency is |the weights of the target class|', async () => {
    const model = linearModel(kernel, classes);
    const { maps, count, rows, cols } = await attribute(
      model,
      { pixels: images, count: 3, rows: ROWS, cols: COLS },
      targets,
      'saliency',
    );
    expect([count, rows, cols]).toEqual([3, ROWS, COLS]);
    for (let i = 0; i < 3; i++)
      for (let p = 0; p < ROWS * COLS; p++)
        expect(maps[i * ROWS * COLS + p]).toBeCloseTo(Math.abs(weight(p, targets[i])), 6);
  });

  test('gradient × input is the weights times the pixels', async () => {
    const model = linearModel(kernel, classes);
    const { maps } = await attribute(
      model,
      { pixels: images, count: 3, rows: ROWS, cols: COLS },
      targets,
      'gradient-x-input',
    );
    for (let i = 0; i < 3; i++)
      for (let p = 0; p < ROWS * COLS; p++)
        expect(maps[i * ROWS * COLS + p]).toBeCloseTo(weight(p, targets[i]) * images[i * ROWS * COLS + p], 6);
  });

  test('integrated gradients of a linear model are exact at any number of steps', async () => {
    const model = linearModel(kernel, classes);
    const { maps, completeness } = await attribute(
      model,
      { pixels: images, count: 3, rows: ROWS, cols: COLS },
      targets,
      { method: 'integrated-gradients', steps: 2, baseline: 'image-mean' },
    );
    for (let i = 0; i < 3; i++) {
      const x = images.subarray(i * ROWS * COLS, (i + 1) * ROWS * COLS);
      const mean = x.reduce((s, v) => s + v, 0) / x.length;
      for (let p = 0; p < ROWS * COLS; p++)
        expect(maps[i * ROWS * COLS + p]).toBeCloseTo(weight(p, targets[i]) * (x[p] - mean), 5);
      expect(completeness![i].relativeError).toBeLessThan(1e-4);
    }
  });

  test('a target outside the classes is refused', async () => {
    const model = linearModel(kernel, classes);
    await expect(
      attribute(model, { pixels: images, count: 3, rows: ROWS, cols: COLS }, [0, 4, 1], 'saliency'),
    ).rejects.toThrow('target 1: expected a class 0..3, got 4');
  });
});

describe('Grad-CAM', () => {
  test('on a model whose last convolution is the identity it is ReLU(mean of the target weights × the image)', async () => {
    const classes = 3;
    const kernel = randomValues(ROWS * COLS * classes, 3);
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [ROWS, COLS, 1], filters: 1, kernelSize: 1, name: 'identity' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: classes, activation: 'linear' }),
      ],
    });
    model.layers[0].setWeights([tf.ones([1, 1, 1, 1]), tf.zeros([1])]);
    model.layers[2].setWeights([tf.tensor2d(kernel, [ROWS * COLS, classes]), tf.zeros([classes])]);
    const images = randomValues(2 * ROWS * COLS, 4, 0, 1);
    const targets = [0, 2];
    const { maps } = await attribute(
      model,
      { pixels: images, count: 2, rows: ROWS, cols: COLS },
      targets,
      'grad-cam',
    );
    for (let i = 0; i < 2; i++) {
      let alpha = 0;
      for (let p = 0; p < ROWS * COLS; p++) alpha += kernel[p * classes + targets[i]] / (ROWS * COLS);
      for (let p = 0; p < ROWS * COLS; p++)
        expect(maps[i * ROWS * COLS + p]).toBeCloseTo(Math.max(0, alpha * images[i * ROWS * COLS + p]), 6);
    }
  });

  test('a layer the model does not have is named in the error', async () => {
    const model = linearModel(randomValues(ROWS * COLS * 2, 5), 2);
    await expect(
      attribute(model, { pixels: new Float32Array(ROWS * COLS), count: 1, rows: ROWS, cols: COLS }, [0], {
        method: 'grad-cam',
        layer: 'conv9',
      }),
    ).rejects.toThrow('grad-cam: the model has no layer "conv9"');
  });
});

describe('on the Figure 1 CNN trained on real MNIST', () => {
  let model: tf.LayersModel;
  let images: Float32Array;
  let targets: number[];
  const count = 4;
  const batch = () => ({ pixels: images, count, rows: 28, cols: 28 });

  beforeAll(async () => {
    const train = await trainSmallModel();
    model = await loadModel(modelDir(train));
    const data = loadDataset({ source: 'mnist', test: { first: 10 } });
    images = gatherPixels(data.test, 28 * 28, [0, 1, 2, 3]);
    targets = [0, 1, 2, 3].map((i) => data.test.labels[i]);
  }, 120_000);

  // ReLU and max pooling make the gradient along the path jump where a unit switches, so the
  // trapezoid rule's error falls as 1/steps: at 256 steps, baseline black, the first 4 test
  // images are complete to < 1e-3 relative; image-mean and blurred baselines to < 2e-3.
  test.each([
    ['black', 1e-3],
    ['image-mean', 2e-3],
    ['blurred', 2e-3],
  ] as const)(
    'integrated gradients with 256 steps are complete (baseline %s, relative error < %d)',
    async (baseline, tolerance) => {
      const { completeness } = await attribute(model, batch(), targets, {
        method: 'integrated-gradients',
        steps: 256,
        baseline,
      });
      for (const c of completeness!) {
        expect(Math.abs(c.outputDifference)).toBeGreaterThan(0.3);
        expect(c.relativeError).toBeLessThan(tolerance);
      }
    },
  );

  const methods: MethodInput[] = [
    'saliency',
    'gradient-x-input',
    { method: 'integrated-gradients', steps: 16 },
    { method: 'smoothgrad', samples: 8, seed: 3 },
    'grad-cam',
    { method: 'occlusion', patch: 6, stride: 3 },
  ];
  test.each(methods)('%j: each image gets the same map alone as in a batch', async (method) => {
    const keys = [10, 11, 12, 13];
    const whole = await attribute(model, batch(), targets, method, { keys, batchSize: 40 });
    expect(whole.maps.every(Number.isFinite)).toBe(true);
    expect(whole.maps.some((v) => v !== 0)).toBe(true);
    for (let i = 0; i < count; i++) {
      const one = await attribute(
        model,
        { pixels: images.subarray(i * 784, (i + 1) * 784), count: 1, rows: 28, cols: 28 },
        [targets[i]],
        method,
        {
          keys: [keys[i]],
          batchSize: 40,
        },
      );
      expect(Array.from(one.maps)).toEqual(Array.from(whole.maps.subarray(i * 784, (i + 1) * 784)));
    }
  });

  test("occlusion: a pixel under one placement gets that placement's drop, under several their mean", async () => {
    const { maps } = await attribute(model, batch(), targets, { method: 'occlusion', patch: 6, stride: 3 });
    const image = images.slice(0, 784);
    const occluded = (row: number, col: number) => {
      const copy = image.slice();
      for (let r = row; r < row + 6; r++) copy.fill(0, r * 28 + col, r * 28 + col + 6);
      return copy;
    };
    const both = new Float32Array([...image, ...occluded(0, 0), ...occluded(0, 3)]);
    const p = predictBatch(model, both, 3, 28, 28);
    const y = (k: number) => p[k * 10 + targets[0]];
    expect(maps[0]).toBeCloseTo(y(0) - y(1), 5); // pixel (0, 0): only the placement at (0, 0)
    expect(maps[3]).toBeCloseTo((y(0) - y(1) + y(0) - y(2)) / 2, 5); // pixel (0, 3): (0, 0) and (0, 3)
  });

  test('smoothgrad: another seed gives other noise, the same seed the same map', async () => {
    const a = await attribute(model, batch(), targets, { method: 'smoothgrad', samples: 4, seed: 1 });
    const b = await attribute(model, batch(), targets, { method: 'smoothgrad', samples: 4, seed: 1 });
    const c = await attribute(model, batch(), targets, { method: 'smoothgrad', samples: 4, seed: 2 });
    expect(Array.from(a.maps)).toEqual(Array.from(b.maps));
    expect(Array.from(a.maps)).not.toEqual(Array.from(c.maps));
  });
});

test('the blurred baseline keeps the mean and smooths', async () => {
  const image = new Float32Array(9 * 9);
  image[40] = 1;
  const blurred = gaussianBlur(image, 9, 9, 1, 1);
  expect(blurred.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  expect(blurred[40]).toBeLessThan(0.2);
  expect(blurred[41]).toBeCloseTo(blurred[39], 7);
});
