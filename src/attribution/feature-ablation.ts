// Feature ablation (Captum's FeatureAblation over patches): a feature's attribution is how much
// the target's output falls when the feature alone is replaced by the baseline,
// y_c(x) − y_c(x with feature f from the baseline). One classifier call per image and batch: the
// image itself and one copy per feature.
import type { Classifier } from '../models/classifier';
import type { ImageBatch } from './gradients';
import { blend, featureMap, patchFeatures, subjects, targetOutputsOf } from './perturbation';
import type { MethodSettings } from './settings';

type Settings = Extract<MethodSettings, { method: 'feature-ablation' }>;

export async function featureAblationMaps(
  classifier: Classifier,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  settings: Settings,
  batchSize: number,
): Promise<Float32Array> {
  const features = patchFeatures(batch.rows, batch.cols, settings.patch);
  const pixels = batch.rows * batch.cols;
  const maps = new Float32Array(batch.count * pixels);
  const keep = new Float32Array(features.count);
  const all = subjects(batch, targets, settings.fill);
  for (const [i, subject] of all.entries()) {
    // Copy 0 is the image; copy f + 1 has feature f from the baseline.
    const outputs = await targetOutputsOf(
      classifier,
      subject,
      features.count + 1,
      (k, into) => {
        keep.fill(1);
        if (k > 0) keep[k - 1] = 0;
        blend(subject, features, keep, into);
      },
      batchSize,
    );
    const values = Array.from({ length: features.count }, (_, f) => outputs[0] - outputs[f + 1]);
    featureMap(features, values, maps.subarray(i * pixels, (i + 1) * pixels));
  }
  return maps;
}
