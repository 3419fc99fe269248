// Occlusion as an attribution (Zeiler & Fergus, 2014; Captum's Occlusion): the drop of y_c when
// a patch covers part of the image, y_c(x) − y_c(x occluded at k), from the occlusion maps of
// src/occlusion (one batched, incremental prediction per image); each pixel gets the mean drop
// over the placements that cover it, 0 where none does (a stride that skips the border).
import type { Classifier } from '../models/classifier';
import { occlusionGrid, positionAt } from '../occlusion/grid';
import { fillValue } from '../occlusion/occlude';
import { predictOcclusions } from '../occlusion/predict';
import { channelsOf, checkTargets, type ImageBatch, valuesPerImage } from './gradients';
import type { MethodSettings } from './settings';

type Settings = Extract<MethodSettings, { method: 'occlusion' }>;

export async function occlusionAttributionMaps(
  classifier: Classifier,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  settings: Settings,
): Promise<Float32Array> {
  checkTargets(targets, batch.count, classifier.classes);
  const grid = occlusionGrid(batch.rows, batch.cols, settings.patch, settings.stride, channelsOf(batch));
  const pixels = batch.rows * batch.cols;
  const size = valuesPerImage(batch);
  const maps = new Float32Array(batch.count * pixels);
  const total = new Float64Array(pixels);
  const covered = new Float64Array(pixels);
  for (let i = 0; i < batch.count; i++) {
    const image = batch.pixels.subarray(i * size, (i + 1) * size);
    const t = targets[i];
    const { classes, clean, occluded } = await predictOcclusions(
      classifier,
      image,
      grid,
      0,
      grid.count,
      fillValue(settings.fill, image),
    );
    total.fill(0);
    covered.fill(0);
    for (let k = 0; k < grid.count; k++) {
      const drop = clean[t] - occluded[k * classes + t];
      const { row, col } = positionAt(grid, k);
      for (let r = row; r < row + grid.patch; r++)
        for (let c = col; c < col + grid.patch; c++) {
          total[r * batch.cols + c] += drop;
          covered[r * batch.cols + c] += 1;
        }
    }
    for (let p = 0; p < pixels; p++) maps[i * pixels + p] = covered[p] ? total[p] / covered[p] : 0;
  }
  return maps;
}
