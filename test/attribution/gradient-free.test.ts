// The gradient-free attribution methods against answers known in closed form: on a model linear
// in its pixels, feature ablation, Shapley sampling and KernelSHAP give each patch exactly
// Σ w · (x − baseline) over its values; on a nonlinear model, Shapley sampling and KernelSHAP
// approach the exact Shapley values (all coalitions enumerated) and add up to
// y(x) − y(baseline); RISE with one-pixel cells approaches (1 − keep) · w·x_j + keep · y(x).
import { attribute } from '../../src/attribution/methods';
import { blend, patchFeatures, type Subject } from '../../src/attribution/perturbation';
import { drawCoalitions } from '../../src/attribution/kernel-shap';
import { riseMask } from '../../src/attribution/rise';
import type { Classifier } from '../../src/models/classifier';
import { mulberry32 } from '../../src/random';

const ROWS = 5;
const COLS = 7;

function randomValues(n: number, seed: number, scale = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
}

/** y_c = w_c · x + b_c: a "classifier" whose outputs are linear in the pixels. */
function linearClassifier(
  channels: number,
  classes = 3,
  bias = 0.25,
): Classifier & { weights: Float32Array[] } {
  const size = ROWS * COLS * channels;
  const weights = Array.from({ length: classes }, (_, c) => randomValues(size, 10 + c, 0.2));
  return {
    classes,
    weights,
    input: { rows: ROWS, cols: COLS, channels },
    probabilities: async (pixels, count) => {
      const out = new Float32Array(count * classes);
      for (let i = 0; i < count; i++)
        for (let c = 0; c < classes; c++) {
          let y = bias;
          for (let v = 0; v < size; v++) y += weights[c][v] * pixels[i * size + v];
          out[i * classes + c] = y;
        }
      return out;
    },
  };
}

/** Softmax of linear logits: nonlinear, with interactions between patches. */
function softmaxClassifier(channels: number): Classifier {
  const linear = linearClassifier(channels);
  return {
    ...linear,
    probabilities: async (pixels, count) => {
      const logits = await linear.probabilities(pixels, count);
      const out = new Float32Array(logits.length);
      for (let i = 0; i < count; i++) {
        const row = Array.from(logits.subarray(i * 3, i * 3 + 3), (v) => Math.exp(4 * v));
        const sum = row.reduce((a, b) => a + b, 0);
        row.forEach((v, c) => {
          out[i * 3 + c] = v / sum;
        });
      }
      return out;
    },
  };
}

const image = (channels: number, seed = 5) =>
  randomValues(ROWS * COLS * channels, seed).map((v) => (v + 1) / 2);

/** Each pixel's map value when its patch gets Σ w · (x − fill) of the patch's values. */
function linearPatchValues(w: Float32Array, x: Float32Array, channels: number, patch: number, fill: number) {
  const features = patchFeatures(ROWS, COLS, patch);
  const perFeature = new Float64Array(features.count);
  for (let p = 0; p < ROWS * COLS; p++)
    for (let ch = 0; ch < channels; ch++)
      perFeature[features.of[p]] += w[p * channels + ch] * (x[p * channels + ch] - fill);
  return Array.from(features.of, (f) => perFeature[f]);
}

describe.each([1, 3])(
  'on a linear model (%i channels): each patch gets Σ w · (x − baseline) exactly',
  (channels) => {
    const classifier = linearClassifier(channels);
    const x = image(channels);
    const batch = { pixels: x, count: 1, rows: ROWS, cols: COLS, channels };
    test.each([
      { method: 'feature-ablation', patch: 3, fill: 0 },
      { method: 'shapley-sampling', patch: 3, samples: 3, fill: 0.5, seed: 2 },
      { method: 'kernel-shap', patch: 3, samples: 40, fill: 0, seed: 1 },
    ] as const)('$method', async (method) => {
      const { maps } = await attribute(classifier, batch, [1], method);
      const expected = linearPatchValues(classifier.weights[1], x, channels, method.patch, method.fill);
      Array.from(maps).forEach((v, p) => expect(v).toBeCloseTo(expected[p], 5));
    });
  },
);

/** Exact Shapley values of the patches by enumerating every coalition. */
async function exactShapley(classifier: Classifier, subject: Subject, patch: number): Promise<number[]> {
  const features = patchFeatures(ROWS, COLS, patch);
  const n = features.count;
  const size = subject.image.length;
  const copies = new Float32Array(2 ** n * size);
  for (let s = 0; s < 2 ** n; s++) {
    const keep = Array.from({ length: n }, (_, f) => (s >> f) & 1);
    blend(subject, features, keep, copies.subarray(s * size, (s + 1) * size));
  }
  const probabilities = await classifier.probabilities(copies, 2 ** n);
  const v = (s: number) => probabilities[s * classifier.classes + subject.target];
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  return Array.from({ length: n }, (_, f) => {
    let value = 0;
    for (let s = 0; s < 2 ** n; s++) {
      if ((s >> f) & 1) continue;
      const size = s.toString(2).split('1').length - 1;
      value += ((factorial(size) * factorial(n - size - 1)) / factorial(n)) * (v(s | (1 << f)) - v(s));
    }
    return value;
  });
}

describe('on a nonlinear model: Shapley sampling and KernelSHAP approach exact Shapley values', () => {
  const channels = 3;
  const classifier = softmaxClassifier(channels);
  const x = image(channels, 8);
  const batch = { pixels: x, count: 1, rows: ROWS, cols: COLS, channels };
  // 4-pixel patches: 2 × 2 = 4 features, 16 coalitions to enumerate.
  const patch = 4;
  const subject: Subject = { image: x, baseline: new Float32Array(x.length), target: 0, channels };
  const features = patchFeatures(ROWS, COLS, patch);
  const perFeature = (maps: Float32Array) =>
    Array.from({ length: features.count }, (_, f) => maps[features.of.indexOf(f)]);

  test.each([
    { method: 'shapley-sampling', patch, samples: 3000, fill: 0, seed: 4 },
    { method: 'kernel-shap', patch, samples: 3000, fill: 0, seed: 4 },
  ] as const)('$method', async (method) => {
    const exact = await exactShapley(classifier, subject, patch);
    const { maps } = await attribute(classifier, batch, [0], method, { batchSize: 512 });
    const estimated = perFeature(maps);
    const largest = Math.max(...exact.map(Math.abs));
    estimated.forEach((v, f) => expect(Math.abs(v - exact[f])).toBeLessThan(0.03 * largest));
    // Efficiency holds exactly, whatever the sample: the values add up to y(x) − y(baseline).
    const [atImage, atBaseline] = await Promise.all(
      [x, subject.baseline].map(async (pixels) => (await classifier.probabilities(pixels, 1))[0]),
    );
    expect(estimated.reduce((a, b) => a + b, 0)).toBeCloseTo(atImage - atBaseline, 5);
  });
});

test('RISE with one-pixel cells approaches (1 − keep) · w_j · x_j + keep · y(x) on a linear model', async () => {
  const channels = 1;
  const classifier = linearClassifier(channels, 3, 0);
  const x = image(channels, 9);
  const keep = 0.5;
  const { maps } = await attribute(
    classifier,
    { pixels: x, count: 1, rows: ROWS, cols: COLS, channels },
    [2],
    { method: 'rise', masks: 20000, cells: COLS, keep, fill: 0, seed: 3 },
    { batchSize: 1000 },
  );
  const w = classifier.weights[2];
  const y = (await classifier.probabilities(x, 1))[2];
  Array.from(maps).forEach((v, j) =>
    expect(Math.abs(v - ((1 - keep) * w[j] * x[j] + keep * y))).toBeLessThan(0.02),
  );
});

test('masks and coalitions: values in 0..1, about `keep` kept; coalitions never empty or full', () => {
  const random = mulberry32(1);
  const masks = Array.from({ length: 400 }, () => riseMask(28, 28, 7, 0.3, random));
  const all = Float32Array.from(masks.flatMap((m) => Array.from(m)));
  expect(all.reduce((a, b) => Math.min(a, b))).toBeGreaterThanOrEqual(0);
  expect(all.reduce((a, b) => Math.max(a, b))).toBeLessThanOrEqual(1);
  expect(all.reduce((a, b) => a + b, 0) / all.length).toBeCloseTo(0.3, 1);
  for (const coalition of drawCoalitions(6, 500, mulberry32(2))) {
    const size = coalition.reduce((a, b) => a + b, 0);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(6);
  }
});

test.each([
  { method: 'shapley-sampling', patch: 3, samples: 4, fill: 0, seed: 1 },
  { method: 'kernel-shap', patch: 3, samples: 30, fill: 0, seed: 1 },
  { method: 'rise', masks: 50, cells: 3, keep: 0.5, fill: 0, seed: 1 },
] as const)(
  '$method: an image keyed alike gets the same map in any batch; another seed another map',
  async (method) => {
    const classifier = softmaxClassifier(1);
    const a = image(1, 1);
    const b = image(1, 2);
    const pair = new Float32Array([...a, ...b]);
    const together = await attribute(
      classifier,
      { pixels: pair, count: 2, rows: ROWS, cols: COLS },
      [0, 1],
      method,
      {
        keys: [7, 9],
      },
    );
    const alone = await attribute(classifier, { pixels: b, count: 1, rows: ROWS, cols: COLS }, [1], method, {
      keys: [9],
    });
    expect(Array.from(together.maps.subarray(ROWS * COLS))).toEqual(Array.from(alone.maps));
    const reseeded = await attribute(
      classifier,
      { pixels: b, count: 1, rows: ROWS, cols: COLS },
      [1],
      { ...method, seed: 2 },
      {
        keys: [9],
      },
    );
    expect(Array.from(reseeded.maps)).not.toEqual(Array.from(alone.maps));
  },
);
