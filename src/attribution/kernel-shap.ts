// KernelSHAP (Lundberg & Lee, 2017) over patches: `samples` coalitions of features are drawn with
// sizes in proportion to the Shapley kernel's weight of a size, (F − 1) ÷ (s (F − s)), each copy
// keeping its coalition's features and taking the rest from the baseline. The attributions are
// the least-squares fit of the target's output on which features each copy kept, under the
// constraint that they add up to y_c(x) − y_c(baseline) (the last one eliminated, as the shap
// package does). Sampled by the kernel, the fit's weights are equal. On a model linear in its
// features the fit is exact. Coalitions are drawn from the seed and the image's key.
import { Matrix, solve } from 'ml-matrix';
import type { Classifier } from '../models/classifier';
import { deriveSeed, mulberry32 } from '../random';
import type { ImageBatch } from './gradients';
import { blend, featureMap, patchFeatures, subjects, targetOutputsOf } from './perturbation';
import type { MethodSettings } from './settings';

type Settings = Extract<MethodSettings, { method: 'kernel-shap' }>;

/** `samples` coalitions (0/1 per feature), none empty or full; sizes drawn by the Shapley kernel's weight. */
export function drawCoalitions(features: number, samples: number, random: () => number): Uint8Array[] {
  // One feature has no coalition between none and all: its value is the whole difference.
  if (features < 2) return [];
  const sizes = Array.from(
    { length: features - 1 },
    (_, s) => (features - 1) / ((s + 1) * (features - s - 1)),
  );
  const total = sizes.reduce((a, b) => a + b, 0);
  return Array.from({ length: samples }, () => {
    let u = random() * total;
    let size = 1;
    while (size < features - 1 && u >= sizes[size - 1]) u -= sizes[size++ - 1];
    const coalition = new Uint8Array(features);
    // The first `size` of a partial Fisher–Yates shuffle.
    const order = Array.from({ length: features }, (_, f) => f);
    for (let k = 0; k < size; k++) {
      const j = k + Math.floor(random() * (features - k));
      [order[k], order[j]] = [order[j], order[k]];
      coalition[order[k]] = 1;
    }
    return coalition;
  });
}

/** The constrained least-squares attributions of `outputs` (one per coalition), given the outputs at the baseline and the image. */
export function fitAttributions(
  coalitions: Uint8Array[],
  outputs: ArrayLike<number>,
  atBaseline: number,
  atImage: number,
): Float64Array {
  const total = atImage - atBaseline;
  if (coalitions.length === 0) return Float64Array.of(total);
  const features = coalitions[0].length;
  const last = features - 1;
  // y − y(baseline) − z_last · total = Σ_{j < last} φ_j (z_j − z_last)
  const a = new Matrix(coalitions.length, last);
  const b = new Matrix(coalitions.length, 1);
  coalitions.forEach((z, row) => {
    for (let j = 0; j < last; j++) a.set(row, j, z[j] - z[last]);
    b.set(row, 0, outputs[row] - atBaseline - z[last] * total);
  });
  // SVD: the least-squares solution of least norm, also when few coalitions leave it underdetermined.
  const fit = solve(a, b, true);
  const values = new Float64Array(features);
  let sum = 0;
  for (let j = 0; j < last; j++) {
    values[j] = fit.get(j, 0);
    sum += values[j];
  }
  values[last] = total - sum;
  return values;
}

export async function kernelShapMaps(
  classifier: Classifier,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  settings: Settings,
  keys: readonly number[],
  batchSize: number,
): Promise<Float32Array> {
  const features = patchFeatures(batch.rows, batch.cols, settings.patch);
  const pixels = batch.rows * batch.cols;
  const maps = new Float32Array(batch.count * pixels);
  for (const [i, subject] of subjects(batch, targets, settings.fill).entries()) {
    const random = mulberry32(deriveSeed(settings.seed, `kernel-shap image ${keys[i]}`));
    const coalitions = drawCoalitions(features.count, settings.samples, random);
    // Copy 0 is the baseline, copy 1 the image, then one copy per coalition.
    const none = new Uint8Array(features.count);
    const all = new Uint8Array(features.count).fill(1);
    const outputs = await targetOutputsOf(
      classifier,
      subject,
      2 + coalitions.length,
      (k, into) => blend(subject, features, k === 0 ? none : k === 1 ? all : coalitions[k - 2], into),
      batchSize,
    );
    const values = fitAttributions(coalitions, outputs.subarray(2), outputs[0], outputs[1]);
    featureMap(features, values, maps.subarray(i * pixels, (i + 1) * pixels));
  }
  return maps;
}
