// An RGB image is channel-last (r, g, b of one pixel side by side). Every operation that moves
// or replaces pixels must move or replace the three values of a pixel together: checked against
// doing the same to each channel as a gray image.
import { perturbedCopies } from '../../src/attribution/faithfulness/curves';
import { occlusionGrid } from '../../src/occlusion/grid';
import { occludedCopies } from '../../src/occlusion/occlude';
import { patchChangesImage } from '../../src/occlusion/predict';
import { shiftedPixels, shiftImage } from '../../src/probes/shift';
import { rgbFilterGrid } from '../../src/render/filter-grid';
import { mulberry32 } from '../../src/random';

const ROWS = 5;
const COLS = 7;

const randomImage = (seed: number, channels: number) => {
  const random = mulberry32(seed);
  return Float32Array.from({ length: ROWS * COLS * channels }, () => Math.round(random() * 255) / 255);
};
const channel = (rgb: Float32Array, c: number) => rgb.filter((_, i) => i % 3 === c);

test.each([1, 2, 3, 4])('shifting RGB equals shifting each channel (seed %i)', (seed) => {
  const rgb = randomImage(seed, 3);
  for (const [dx, dy] of [
    [2, 0],
    [-3, 1],
    [0, -2],
  ]) {
    const shifted = shiftImage(rgb, ROWS, COLS, dx, dy, 3);
    for (let c = 0; c < 3; c++)
      expect(channel(shifted, c)).toEqual(shiftImage(channel(rgb, c), ROWS, COLS, dx, dy));
  }
  const bytes = Uint8Array.from(rgb, (v) => Math.round(v * 255));
  const fromBytes = shiftedPixels(bytes, ROWS, COLS, 0, 1, -1, 2, 3);
  for (let c = 0; c < 3; c++)
    expect(channel(fromBytes, c)).toEqual(shiftImage(channel(rgb, c), ROWS, COLS, -1, 2));
});

test('an occluding patch covers all three values of its pixels, and nothing else', () => {
  const rgb = randomImage(7, 3);
  const grid = occlusionGrid(ROWS, COLS, 2, 2, 3);
  const copies = occludedCopies(rgb, grid, 0, grid.count, 0.5);
  const grayGrid = occlusionGrid(ROWS, COLS, 2, 2);
  for (let c = 0; c < 3; c++) {
    const gray = occludedCopies(channel(rgb, c), grayGrid, 0, grid.count, 0.5);
    expect(channel(copies, c)).toEqual(gray);
  }
  // A patch whose pixels all hold the fill changes nothing; one differing channel value is a change.
  const flat = new Float32Array(ROWS * COLS * 3).fill(0.5);
  expect(patchChangesImage(flat, grid, 0, 0.5)).toBe(false);
  flat[3 * (1 * COLS + 1) + 2] = 0.25;
  expect(patchChangesImage(flat, grid, 0, 0.5)).toBe(true);
  expect(patchChangesImage(flat, grid, 1, 0.5)).toBe(false);
});

test('deletion and insertion copies change whole pixels of an RGB image', () => {
  const rgb = randomImage(3, 3);
  const baseline = new Float32Array(rgb.length);
  const order = Uint32Array.from([4, 0, 9]);
  const points = { counts: [0, 1, 3], fractions: [0, 1 / 3, 1] };
  const copies = perturbedCopies(rgb, baseline, order, points, 3);
  for (let c = 0; c < 3; c++) {
    const gray = perturbedCopies(channel(rgb, c), new Float32Array(ROWS * COLS), order, points);
    expect(channel(copies, c)).toEqual(gray);
  }
});

test('RGB filters: the channels of a weight are its colour, 0 mid gray, the largest |w| of the layer full', () => {
  // One 1×2 filter: pixel 0 = (w, 0, −w) with w the largest, pixel 1 = 0.
  const values = [1, 0, -1, 0, 0, 0].map((v) => v * 0.4);
  // tfjs kernel layout [rows, cols, in, filters] with one filter: index (pixel × 3 + channel).
  const grid = rgbFilterGrid({ layer: 'conv', shape: [1, 2, 3, 1], values }, { scale: 1 });
  const { picture, boxes } = grid;
  const box = boxes[0][0]!;
  const at = (row: number, col: number) =>
    Array.from(
      picture.data.subarray(
        ((box.top + row) * picture.cols + box.left + col) * 3,
        ((box.top + row) * picture.cols + box.left + col) * 3 + 3,
      ),
    );
  const rounded = (values: number[]) => values.map((v) => Math.round(v * 1e6) / 1e6 + 0);
  expect(rounded(at(0, 0))).toEqual([1, 0.5, 0]);
  expect(rounded(at(0, box.cols - 1))).toEqual([0.5, 0.5, 0.5]);
});
