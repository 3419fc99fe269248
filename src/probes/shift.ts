// Shifting images by whole pixels, the empty side filled with 0 (black), as the homework's
// Figure 6 does. dx > 0 moves the picture right, dy > 0 moves it down.
import type { Dataset } from '../data/datasets';
import type { Classifier } from '../models/classifier';
import { argMax } from '../occlusion/maps';

export type Direction = 'left' | 'right' | 'up' | 'down';
export const DIRECTIONS: readonly Direction[] = ['left', 'right', 'up', 'down'];

/** The (dx, dy) of moving `pixels` pixels in a direction. */
export function offsetOf(direction: Direction, pixels: number): { dx: number; dy: number } {
  switch (direction) {
    case 'left':
      return { dx: -pixels, dy: 0 };
    case 'right':
      return { dx: pixels, dy: 0 };
    case 'up':
      return { dx: 0, dy: -pixels };
    case 'down':
      return { dx: 0, dy: pixels };
  }
}

/**
 * Writes image `source` (rows × cols, row-major) shifted by (dx, dy) into `target` at `offset`:
 * target[r][c] = source[r − dy][c − dx], or 0 where that falls outside.
 */
export function shiftInto<T extends { length: number; [i: number]: number }>(
  source: ArrayLike<number>,
  rows: number,
  cols: number,
  dx: number,
  dy: number,
  target: T,
  offset = 0,
  factor = 1,
): T {
  for (let r = 0; r < rows; r++) {
    const from = r - dy;
    for (let c = 0; c < cols; c++) {
      const fromCol = c - dx;
      const inside = from >= 0 && from < rows && fromCol >= 0 && fromCol < cols;
      target[offset + r * cols + c] = inside ? source[from * cols + fromCol] * factor : 0;
    }
  }
  return target;
}

// An image of several channels (channel-last) shifts as one of `cols × channels` columns moved
// by `dx × channels`: whole pixels move, their channels with them.

export function shiftImage(
  source: ArrayLike<number>,
  rows: number,
  cols: number,
  dx: number,
  dy: number,
  channels = 1,
): Float32Array {
  const width = cols * channels;
  return shiftInto(source, rows, width, dx * channels, dy, new Float32Array(rows * width));
}

/** Images [start, end) of a byte split, each shifted by (dx, dy) and scaled to 0..1, back to back. */
export function shiftedPixels(
  images: Uint8Array,
  rows: number,
  cols: number,
  start: number,
  end: number,
  dx: number,
  dy: number,
  channels = 1,
): Float32Array {
  const width = cols * channels;
  const pixels = rows * width;
  const out = new Float32Array((end - start) * pixels);
  for (let i = start; i < end; i++)
    shiftInto(
      images.subarray(i * pixels, (i + 1) * pixels),
      rows,
      width,
      dx * channels,
      dy,
      out,
      (i - start) * pixels,
      1 / 255,
    );
  return out;
}

/** Images per predict call: large batches are fast on wasm, and 1000 images stay a few MB. */
const PREDICT_BATCH = 1000;

/**
 * How many of the data's test images the classifier labels right when each is moved by (dx, dy),
 * predicted PREDICT_BATCH at a time; `beforeBatch` runs before each (it may throw to stop).
 */
export async function correctWhenShifted(
  classifier: Classifier,
  data: Dataset,
  dx: number,
  dy: number,
  beforeBatch: () => void = () => {},
): Promise<number> {
  const { rows, cols, channels } = data;
  const { images, labels, count } = data.test;
  let hits = 0;
  for (let start = 0; start < count; start += PREDICT_BATCH) {
    beforeBatch();
    const end = Math.min(count, start + PREDICT_BATCH);
    const probs = await classifier.probabilities(
      shiftedPixels(images, rows, cols, start, end, dx, dy, channels),
      end - start,
    );
    const classes = probs.length / (end - start);
    for (let i = start; i < end; i++) if (argMax(probs, (i - start) * classes, classes) === labels[i]) hits++;
  }
  return hits;
}
