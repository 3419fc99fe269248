// Pixels of a split scaled to 0..1, without tfjs, so that planning and light jobs never load it.
import type { Dataset, Split } from './datasets';

/** Values of one image: rows × cols × channels (bytes in a split, floats in a batch). */
export const pixelsPerImage = (data: Pick<Dataset, 'rows' | 'cols' | 'channels'>): number =>
  data.rows * data.cols * data.channels;

/** Scales `indices` of the split into `into` (reused between batches to spare allocations). */
export function gatherPixels(
  split: Split,
  pixelsPerImage: number,
  indices: ArrayLike<number>,
  into?: Float32Array,
): Float32Array {
  const out = into ?? new Float32Array(indices.length * pixelsPerImage);
  for (let k = 0; k < indices.length; k++) {
    const from = indices[k] * pixelsPerImage;
    const to = k * pixelsPerImage;
    for (let p = 0; p < pixelsPerImage; p++) out[to + p] = split.images[from + p] / 255;
  }
  return out;
}
