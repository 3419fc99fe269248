import { occlusionGrid } from '../../src/occlusion/grid';
import { fillValue, occludedCopies } from '../../src/occlusion/occlude';
import { mulberry32 } from '../../src/random';

/** The plainest possible occlusion, to check the fast one against. */
function occludeNaively(
  image: Float32Array,
  cols: number,
  row: number,
  col: number,
  patch: number,
  fill: number,
): Float32Array {
  const copy = Float32Array.from(image);
  for (let r = 0; r < copy.length / cols; r++) {
    for (let c = 0; c < cols; c++)
      if (r >= row && r < row + patch && c >= col && c < col + patch) copy[r * cols + c] = fill;
  }
  return copy;
}

describe('occluded copies', () => {
  const random = mulberry32(3);
  const image = Float32Array.from({ length: 28 * 28 }, () => random());

  test.each([
    [8, 1, 0, 441],
    [8, 1, 100, 157],
    [5, 2, 3, 12],
    [28, 1, 0, 1],
  ])('patch %i stride %i, positions %i..%i: each copy equals the naive one', (patch, stride, start, end) => {
    const grid = occlusionGrid(28, 28, patch, stride);
    const copies = occludedCopies(image, grid, start, end, 0.25);
    expect(copies.length).toBe((end - start) * 784);
    for (let k = start; k < end; k++) {
      const row = grid.rowOffsets[Math.floor(k / grid.colOffsets.length)];
      const col = grid.colOffsets[k % grid.colOffsets.length];
      const copy = copies.subarray((k - start) * 784, (k - start + 1) * 784);
      const naive = occludeNaively(image, 28, row, col, patch, 0.25);
      // First differing pixel, or -1 (jest's toEqual on hundreds of typed arrays is slow).
      expect({ k, differsAt: copy.findIndex((v, i) => v !== naive[i]) }).toEqual({ k, differsAt: -1 });
    }
  });

  test('reuses the buffer it is given and leaves the image alone', () => {
    const grid = occlusionGrid(28, 28, 8, 1);
    const before = Float32Array.from(image);
    const buffer = new Float32Array(10 * 784);
    const copies = occludedCopies(image, grid, 0, 5, 0, buffer);
    expect(copies.buffer).toBe(buffer.buffer);
    expect(image).toEqual(before);
    expect(() => occludedCopies(image.subarray(1), grid, 0, 1, 0)).toThrow(/783 pixels/);
  });

  test('fill values: a constant, the image mean, the data set mean', () => {
    const flat = new Float32Array([0, 0.5, 1, 0.5]);
    expect(fillValue(0, flat)).toBe(0);
    expect(fillValue(0.3, flat)).toBe(0.3);
    expect(fillValue('image-mean', flat)).toBeCloseTo(0.5, 12);
    expect(fillValue('dataset-mean', flat, 0.13)).toBe(0.13);
    expect(() => fillValue('dataset-mean', flat)).toThrow(/data set mean/);
  });
});
