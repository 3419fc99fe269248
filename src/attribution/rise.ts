// RISE (Petsiuk et al., 2018): `masks` random smooth masks, each a grid of cells kept with
// probability `keep` (a grid of about `cells` cells across the image), upsampled bilinearly and
// shifted by a random whole number of pixels; each pixel's saliency is the mean of the target's
// output over the masked copies, weighted by how much the mask kept the pixel, over `keep`:
// S(j) = Σ_i y_c(x ⊙ M_i) M_i(j) ÷ (N · keep). A masked copy blends the image into the baseline
// by the mask. Masks are drawn from the seed and the image's key.
import type { Classifier } from '../models/classifier';
import { deriveSeed, mulberry32 } from '../random';
import type { ImageBatch } from './gradients';
import { blend, subjects, targetOutputsOf, type Features } from './perturbation';
import type { MethodSettings } from './settings';

type Settings = Extract<MethodSettings, { method: 'rise' }>;

/** One mask: rows × cols values in 0..1, bilinear between the cells of a random binary grid. */
export function riseMask(
  rows: number,
  cols: number,
  cells: number,
  keep: number,
  random: () => number,
): Float32Array {
  const cell = Math.ceil(Math.max(rows, cols) / cells);
  // Grid points up to the last pixel's position after the largest shift, (size − 1 + cell − 1) ÷ cell, and one beyond.
  const gridRows = Math.floor((rows + cell - 2) / cell) + 2;
  const gridCols = Math.floor((cols + cell - 2) / cell) + 2;
  const grid = Float32Array.from({ length: gridRows * gridCols }, () => (random() < keep ? 1 : 0));
  const dy = Math.floor(random() * cell);
  const dx = Math.floor(random() * cell);
  const mask = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const y = (r + dy) / cell;
    const y0 = Math.floor(y);
    const fy = y - y0;
    for (let c = 0; c < cols; c++) {
      const x = (c + dx) / cell;
      const x0 = Math.floor(x);
      const fx = x - x0;
      const at = (gy: number, gx: number) => grid[gy * gridCols + gx];
      mask[r * cols + c] =
        (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
        fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  }
  return mask;
}

export async function riseMaps(
  classifier: Classifier,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  settings: Settings,
  keys: readonly number[],
  batchSize: number,
): Promise<Float32Array> {
  const { rows, cols } = batch;
  const pixels = rows * cols;
  // Every pixel its own feature: a mask weighs pixels, not patches.
  const perPixel: Features = { count: pixels, of: Int32Array.from({ length: pixels }, (_, p) => p) };
  const maps = new Float32Array(batch.count * pixels);
  for (const [i, subject] of subjects(batch, targets, settings.fill).entries()) {
    const random = mulberry32(deriveSeed(settings.seed, `rise image ${keys[i]}`));
    // A batch of masks at a time: at 224 × 224 a thousand masks would take 200 MB.
    const saliency = new Float64Array(pixels);
    for (let start = 0; start < settings.masks; start += batchSize) {
      const count = Math.min(batchSize, settings.masks - start);
      const masks = Array.from({ length: count }, () =>
        riseMask(rows, cols, settings.cells, settings.keep, random),
      );
      const outputs = await targetOutputsOf(
        classifier,
        subject,
        count,
        (k, into) => blend(subject, perPixel, masks[k], into),
        count,
      );
      masks.forEach((mask, k) => {
        for (let p = 0; p < pixels; p++) saliency[p] += outputs[k] * mask[p];
      });
    }
    const map = maps.subarray(i * pixels, (i + 1) * pixels);
    for (let p = 0; p < pixels; p++) map[p] = saliency[p] / (settings.masks * settings.keep);
  }
  return maps;
}
