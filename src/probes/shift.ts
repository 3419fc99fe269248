// Shifting images by whole pixels, the empty side filled with 0 (black), as the homework's
// Figure 6 does. dx > 0 moves the picture right, dy > 0 moves it down.

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

/**
 * Images [start, end) of a byte split, each shifted by (dx, dy) and scaled to 0..1, back to back:
 * shiftInto's values, one run of each row at a time (the rest stays 0), for the shift test's
 * whole test set.
 */
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
  const shift = dx * channels;
  // Target rows [top, bottom) and columns [left, right) come from inside the source.
  const [top, bottom] = [Math.max(0, dy), Math.min(rows, rows + dy)];
  const [left, right] = [Math.max(0, shift), Math.min(width, width + shift)];
  const factor = 1 / 255;
  for (let i = start; i < end; i++) {
    const target = (i - start) * pixels;
    for (let r = top; r < bottom; r++) {
      const to = target + r * width;
      const from = i * pixels + (r - dy) * width - shift;
      for (let c = left; c < right; c++) out[to + c] = images[from + c] * factor;
    }
  }
  return out;
}
