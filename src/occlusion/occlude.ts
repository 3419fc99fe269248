// Occluded copies of one image: for each position of a chunk, the image with the patch's pixels
// set to the fill value, all copies back to back in one Float32Array ready for one batched predict.
import { positionAt, type OcclusionGrid } from './grid';

/** What the patch is filled with: a constant in 0..1 (0 = black), the image's own mean, or the data set's mean. */
export type FillSpec = number | 'image-mean' | 'dataset-mean';

export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : 0;
}

/** The fill value for one image (pixels 0..1); `datasetMean` is needed only for 'dataset-mean'. */
export function fillValue(fill: FillSpec, image: ArrayLike<number>, datasetMean?: number): number {
  if (typeof fill === 'number') return fill;
  if (fill === 'image-mean') return meanOf(image);
  if (datasetMean === undefined) throw new Error('fill "dataset-mean" needs the data set mean');
  return datasetMean;
}

/** Writes the patch at position k into `copy` (one image, row-major). */
export function occludeInPlace(
  copy: Float32Array,
  grid: OcclusionGrid,
  k: number,
  fill: number,
  offset = 0,
): void {
  const { row, col } = positionAt(grid, k);
  const { channels } = grid;
  for (let r = row; r < row + grid.patch; r++) {
    const start = offset + (r * grid.imageCols + col) * channels;
    copy.fill(fill, start, start + grid.patch * channels);
  }
}

/**
 * Copies of `image` occluded at positions [start, end), back to back; `into` is reused when
 * large enough. `image` holds imageRows × imageCols pixels in 0..1.
 */
export function occludedCopies(
  image: Float32Array,
  grid: OcclusionGrid,
  start: number,
  end: number,
  fill: number,
  into?: Float32Array,
): Float32Array {
  const pixels = grid.imageRows * grid.imageCols * grid.channels;
  if (image.length !== pixels)
    throw new Error(`image has ${image.length} pixels, the grid expects ${pixels}`);
  const needed = (end - start) * pixels;
  const out = into && into.length >= needed ? into.subarray(0, needed) : new Float32Array(needed);
  for (let k = start; k < end; k++) {
    const offset = (k - start) * pixels;
    out.set(image, offset);
    occludeInPlace(out, grid, k, fill, offset);
  }
  return out;
}
