// Shapley value sampling (Castro et al., 2009; Captum's ShapleyValueSampling over patches): for
// each of `samples` random orders of the features, the features are added one at a time to the
// baseline, and each is credited with the change of the target's output when it came in. The
// mean over orders estimates its Shapley value; within every order the credits add up to
// y_c(x) − y_c(baseline) exactly. Orders are drawn from the seed and the image's key.
import type { Classifier } from '../models/classifier';
import { deriveSeed, mulberry32, shuffleInPlace } from '../random';
import type { ImageBatch } from './gradients';
import { blend, featureMap, patchFeatures, subjects, targetOutputsOf } from './perturbation';
import type { MethodSettings } from './settings';

type Settings = Extract<MethodSettings, { method: 'shapley-sampling' }>;

export async function shapleySamplingMaps(
  classifier: Classifier,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  settings: Settings,
  keys: readonly number[],
  batchSize: number,
): Promise<Float32Array> {
  const features = patchFeatures(batch.rows, batch.cols, settings.patch);
  const count = features.count;
  const pixels = batch.rows * batch.cols;
  const maps = new Float32Array(batch.count * pixels);
  const weight = new Float32Array(count);
  for (const [i, subject] of subjects(batch, targets, settings.fill).entries()) {
    const random = mulberry32(deriveSeed(settings.seed, `shapley-sampling image ${keys[i]}`));
    const orders = Array.from({ length: settings.samples }, () => {
      const order = Uint32Array.from({ length: count }, (_, f) => f);
      shuffleInPlace(order, random);
      return order;
    });
    // Copy 0 is the baseline, copy 1 the image (the ends of every order); then, for each order,
    // the count − 1 copies in between, the first k features of the order added (k = 1..count − 1).
    const inner = count - 1;
    const outputs = await targetOutputsOf(
      classifier,
      subject,
      2 + settings.samples * inner,
      (k, into) => {
        weight.fill(k === 1 ? 1 : 0);
        if (k >= 2) {
          const order = orders[Math.floor((k - 2) / inner)];
          const added = ((k - 2) % inner) + 1;
          for (let j = 0; j < added; j++) weight[order[j]] = 1;
        }
        blend(subject, features, weight, into);
      },
      batchSize,
    );
    const values = new Float64Array(count);
    orders.forEach((order, s) => {
      const after = (k: number) =>
        k === 0 ? outputs[0] : k === count ? outputs[1] : outputs[2 + s * inner + k - 1];
      for (let k = 0; k < count; k++) values[order[k]] += after(k + 1) - after(k);
    });
    featureMap(
      features,
      values.map((v) => v / settings.samples),
      maps.subarray(i * pixels, (i + 1) * pixels),
    );
  }
  return maps;
}
