// Incremental occlusion against a plain prediction of every occluded copy, on random models
// (convolutions with strides, padding and dilation, max and average pooling, dropout, dense
// heads), random images and patch settings, patches at the borders included.
import * as tf from '@tensorflow/tfjs';
import { occlusionGrid, positionAt } from '../../src/occlusion/grid';
import { predictIncrementally } from '../../src/occlusion/incremental';
import { predictBatch } from '../../src/models/predict';
import { predictOcclusions } from '../../src/occlusion/predict';
import { layersClassifier } from '../../src/models/classifier';
import { occludedCopies } from '../../src/occlusion/occlude';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';

const random = mulberry32(11);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];

/** A random sequential CNN for rows × cols × 1 inputs, weights from the seeded generator. */
function randomModel(rows: number, cols: number): tf.LayersModel {
  const layers: tf.layers.Layer[] = [];
  let h = rows;
  let w = cols;
  const blocks = int(1, 3);
  for (let b = 0; b < blocks; b++) {
    const k = int(1, 4);
    const strides = random() < 0.3 ? 2 : 1;
    const padding = pick(['valid', 'same'] as const);
    const dilation = strides === 1 && random() < 0.2 ? 2 : 1;
    const reachOf = (k - 1) * dilation + 1;
    if (padding === 'valid' && (h < reachOf + 1 || w < reachOf + 1)) break;
    layers.push(
      tf.layers.conv2d({
        ...(b === 0 ? { inputShape: [rows, cols, 1] } : {}),
        filters: int(1, 21),
        kernelSize: k,
        strides,
        padding,
        dilationRate: dilation,
        activation: pick(['relu', 'relu', 'linear'] as const),
      }),
    );
    h = padding === 'same' ? Math.ceil(h / strides) : Math.floor((h - reachOf) / strides) + 1;
    w = padding === 'same' ? Math.ceil(w / strides) : Math.floor((w - reachOf) / strides) + 1;
    if (random() < 0.3) layers.push(tf.layers.dropout({ rate: 0.3 }));
    if (h >= 2 && w >= 2 && random() < 0.7) {
      const average = random() < 0.3;
      const pool = int(2, 3);
      const poolStrides = int(1, pool);
      const poolPadding = average ? 'valid' : pick(['valid', 'same'] as const);
      if (poolPadding === 'valid' && (h < pool || w < pool)) continue;
      const options = { poolSize: pool, strides: poolStrides, padding: poolPadding };
      layers.push(average ? tf.layers.averagePooling2d(options) : tf.layers.maxPooling2d(options));
      h = poolPadding === 'same' ? Math.ceil(h / poolStrides) : Math.floor((h - pool) / poolStrides) + 1;
      w = poolPadding === 'same' ? Math.ceil(w / poolStrides) : Math.floor((w - pool) / poolStrides) + 1;
    }
  }
  if (layers.length === 0)
    layers.push(
      tf.layers.conv2d({ inputShape: [rows, cols, 1], filters: 3, kernelSize: 1, activation: 'relu' }),
    );
  layers.push(tf.layers.flatten(), tf.layers.dropout({ rate: 0.2 }));
  layers.push(tf.layers.dense({ units: int(2, 10), activation: 'softmax' }));
  const model = tf.sequential({ layers });
  // Uniform weights scaled by fan-in, so that probabilities do not saturate (and hide errors).
  model.setWeights(
    model.getWeights().map((t) => {
      const fanIn = t.shape.length > 1 ? t.size / t.shape[t.shape.length - 1] : 1;
      const limit = Math.sqrt(3 / fanIn);
      return tf.tensor(
        Float32Array.from({ length: t.size }, () => (random() * 2 - 1) * limit),
        t.shape,
      );
    }),
  );
  return model;
}

/** A digit-like image: zeros around a random blob of values in (0, 1]. */
function randomImage(rows: number, cols: number): Float32Array {
  const image = new Float32Array(rows * cols);
  const [r0, c0] = [int(0, rows - 2), int(0, cols - 2)];
  const [r1, c1] = [int(r0 + 1, rows), int(c0 + 1, cols)];
  for (let r = r0; r < r1; r++)
    for (let c = c0; c < c1; c++) if (random() < 0.7) image[r * cols + c] = random();
  return image;
}

beforeAll(async () => {
  await useBackend('wasm');
});

test('incremental maps equal a plain prediction of every occluded copy to 1e-5 on 40 random models and patch settings', () => {
  let incremental = 0;
  let spread = 0;
  for (let n = 0; n < 40; n++) {
    const [rows, cols] = [int(6, 20), int(6, 20)];
    const model = randomModel(rows, cols);
    const patch = int(1, Math.min(rows, cols, 8));
    const grid = occlusionGrid(rows, cols, patch, int(1, 3));
    const image = randomImage(rows, cols);
    const fill = pick([0, 0, 0.5, 1]);
    const patches = Array.from({ length: grid.count }, (_, k) => ({
      ...positionAt(grid, k),
      rows: patch,
      cols: patch,
    }));
    const fast = predictIncrementally(model, image, patches, fill);
    expect(fast).not.toBeNull();
    incremental++;
    const copies = occludedCopies(image, grid, 0, grid.count, fill);
    const all = new Float32Array((grid.count + 1) * rows * cols);
    all.set(image);
    all.set(copies.subarray(0, grid.count * rows * cols), rows * cols);
    const plain = predictBatch(model, all, grid.count + 1, rows, cols);
    expect(fast!.length).toBe(plain.length);
    let worst = 0;
    for (let i = 0; i < plain.length; i++) worst = Math.max(worst, Math.abs(fast![i] - plain[i]));
    expect(worst).toBeLessThan(1e-5);
    spread = Math.max(spread, Math.max(...plain) - Math.min(...plain));
    model.dispose();
  }
  expect(incremental).toBe(40);
  expect(spread).toBeGreaterThan(0.5); // the probabilities moved: the comparison had something to see
});

test('the occlusion jobs take the incremental path on wasm and fall back for layers it does not handle', async () => {
  const rows = 12;
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [rows, rows, 1], filters: 4, kernelSize: 3, activation: 'sigmoid' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const image = randomImage(rows, rows);
  const grid = occlusionGrid(rows, rows, 3, 1);
  const patches = [{ row: 0, col: 0, rows: 3, cols: 3 }];
  expect(predictIncrementally(model, image, patches, 0)).toBeNull();
  const classifier = layersClassifier(model, { rows, cols: rows, channels: 1 });
  const result = await predictOcclusions(classifier, image, grid, 0, grid.count, 0);
  expect(result.occluded.length).toBe(grid.count * 3);
  model.dispose();
});
