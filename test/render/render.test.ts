// Pictures without a model: colour scales that map back to their values, grids whose layout
// follows the layer shapes, and shifting that loses only what falls off the edge.
import { PNG } from 'pngjs';
import type { LayerActivation } from '../../src/probes/activations';
import { DIRECTIONS, offsetOf, shiftedPixels, shiftImage } from '../../src/probes/shift';
import { mulberry32 } from '../../src/random';
import { divergingScale, maxAbs, sequentialScale } from '../../src/render/colour';
import { compareImagesGrid, imageLayersGrid, type ProbedImage } from '../../src/render/feature-map-grid';
import { filterGrid, filterLayout, kernelDims, type Kernel } from '../../src/render/filter-grid';
import { renderGrid, tilePicture } from '../../src/render/grid';
import { encodeRgbPng } from '../../src/render/picture';

const random = mulberry32(5);
const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
const int = (lo: number, hi: number) => Math.floor(uniform(lo, hi + 1));
const quantise = (rgb: readonly number[]) =>
  rgb.map((v) => Math.round(v * 255) / 255) as [number, number, number];

describe('colour scales', () => {
  test('diverging: white at zero, blue below, red above, symmetric', () => {
    const scale = divergingScale(-0.4);
    expect(scale.domain).toEqual([-0.4, 0.4]);
    const [r0, g0, b0] = scale.colour(0);
    expect(Math.min(r0, g0, b0)).toBeGreaterThan(0.95);
    const [rn, , bn] = scale.colour(-0.4);
    const [rp, , bp] = scale.colour(0.4);
    expect(bn).toBeGreaterThan(rn);
    expect(rp).toBeGreaterThan(bp);
  });

  test.each([
    ['diverging', divergingScale(0.7)],
    ['sequential', sequentialScale(3.2)],
  ])('%s: 8-bit colours map back to their values, in order (monotone)', (_name, scale) => {
    const [lo, hi] = scale.domain;
    const values = Array.from({ length: 400 }, () => uniform(lo, hi)).sort((a, b) => a - b);
    const decoded = values.map((v) => scale.invert(quantise(scale.colour(v))));
    const step = (hi - lo) / 255;
    decoded.forEach((d, i) => expect(Math.abs(d - values[i])).toBeLessThan(3 * step));
    // Order survives wherever values are more than the rounding apart.
    for (let i = 1; i < values.length; i++)
      if (values[i] - values[i - 1] > 6 * step) expect(decoded[i]).toBeGreaterThan(decoded[i - 1]);
  });

  test('out-of-range values clamp to the ends', () => {
    const scale = sequentialScale(1);
    expect(scale.colour(5)).toEqual(scale.colour(1));
    expect(scale.colour(-5)).toEqual(scale.colour(0));
    expect(maxAbs([0.1, -0.9, 0.3])).toBe(0.9);
  });
});

describe('grids', () => {
  test('cells keep their exact pixels, do not overlap and lie inside the picture', () => {
    const scale = divergingScale(1);
    const cells = Array.from({ length: 3 }, (_, r) =>
      Array.from({ length: 4 }, (_, c) => ({
        picture: tilePicture(
          Array.from({ length: 4 }, () => uniform(-1, 1)),
          2,
          2,
          scale,
          5 + r + c,
        ),
        caption: `${r},${c}`,
      })),
    );
    const grid = renderGrid({
      title: 'test',
      cells,
      rowLabels: ['a', 'b', 'c'],
      colLabels: ['1', '2', '3', '4'],
      legend: { scale, label: 'value' },
    });
    const boxes = grid.boxes.flat().map((b) => b!);
    expect(boxes).toHaveLength(12);
    for (const [k, box] of boxes.entries()) {
      const cell = cells[Math.floor(k / 4)][k % 4].picture;
      expect([box.rows, box.cols]).toEqual([cell.rows, cell.cols]);
      expect(box.top + box.rows).toBeLessThanOrEqual(grid.picture.rows);
      expect(box.left + box.cols).toBeLessThanOrEqual(grid.picture.cols);
      for (let r = 0; r < box.rows; r++) {
        const row = grid.picture.data.subarray(
          ((box.top + r) * grid.picture.cols + box.left) * 3,
          ((box.top + r) * grid.picture.cols + box.left + box.cols) * 3,
        );
        expect(Array.from(row)).toEqual(
          Array.from(cell.data.subarray(r * cell.cols * 3, (r + 1) * cell.cols * 3)),
        );
      }
      for (const other of boxes.slice(k + 1)) {
        const apart =
          other.left >= box.left + box.cols ||
          box.left >= other.left + other.cols ||
          other.top >= box.top + box.rows ||
          box.top >= other.top + other.rows;
        expect(apart).toBe(true);
      }
    }
  });

  test('bad label counts are refused', () => {
    const cell = { picture: tilePicture([0], 1, 1, sequentialScale(1), 4) };
    expect(() => renderGrid({ cells: [[cell, cell]], colLabels: ['only one'] })).toThrow(
      '1 column labels for 2 columns',
    );
    expect(() => renderGrid({ cells: [] })).toThrow('no cells');
  });

  test.each([
    [[3, 3, 1, 12], 1, 12, 12],
    [[3, 3, 12, 12], 12, 12, 144],
    [[3, 3, 12, 8], 8, 12, 96],
  ])(
    'filters of shape %j: %i × %i grid of %i tiles, each 3·scale pixels square',
    (shape, rows, cols, tiles) => {
      const kernel: Kernel = {
        layer: 'conv',
        shape,
        values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => uniform(-0.5, 0.5)),
      };
      const layout = filterLayout(kernelDims(kernel));
      expect([layout.rows, layout.cols]).toEqual([rows, cols]);
      const grid = filterGrid(kernel, { scale: 10 });
      expect(grid.boxes).toHaveLength(rows);
      expect(grid.boxes.every((row) => row.length === cols)).toBe(true);
      const boxes = grid.boxes.flat();
      expect(boxes.filter(Boolean)).toHaveLength(tiles);
      const side = shape[2] === 1 ? 60 : 30; // one-channel layers are drawn twice as large
      expect(boxes.every((b) => b!.rows === side && b!.cols === side)).toBe(true);
      // The PNG is exactly the picture's size.
      const png = PNG.sync.read(encodeRgbPng(grid.picture.data, grid.picture.rows, grid.picture.cols));
      expect([png.width, png.height]).toEqual([grid.picture.cols, grid.picture.rows]);
    },
  );

  test('a kernel whose values do not fit its shape is refused', () => {
    expect(() =>
      kernelDims({ layer: 'conv2d', shape: [3, 3, 1, 12], values: new Float32Array(100) }),
    ).toThrow('conv2d: 100 values for shape [3,3,1,12]');
    expect(() => kernelDims({ layer: 'dense', shape: [8, 10], values: new Float32Array(80) })).toThrow(
      'is not [rows, cols, inChannels, filters]',
    );
  });

  const SHAPES = [
    ['conv2d', 'Conv2D', 26, 12],
    ['max_pooling2d', 'MaxPooling2D', 13, 12],
    ['conv2d_1', 'Conv2D', 11, 12],
    ['max_pooling2d_1', 'MaxPooling2D', 5, 12],
    ['conv2d_2', 'Conv2D', 3, 8],
    ['max_pooling2d_2', 'MaxPooling2D', 1, 8],
  ] as const;
  const images: ProbedImage[] = [0, 8].map((label, i) => ({
    index: i,
    label,
    rows: 28,
    cols: 28,
    pixels: Float32Array.from({ length: 784 }, () => random()),
  }));
  const activations: LayerActivation[] = SHAPES.map(([layer, type, side, channels]) => ({
    layer,
    type,
    height: side,
    width: side,
    channels,
    values: Float32Array.from({ length: images.length * side * side * channels }, () => uniform(0, 3)),
  }));

  test.each(SHAPES.map((s, i) => [s[0], s[2], s[2], s[3], i] as const))(
    'feature maps of %s (%i×%i, %i channels): a row per digit, the input then one tile per channel',
    (_layer, side, _width, channels, i) => {
      const grid = compareImagesGrid(activations[i], images, i + 1);
      expect(grid.boxes).toHaveLength(2);
      for (const row of grid.boxes) {
        expect(row).toHaveLength(1 + channels);
        expect(row[0]!.rows).toBe(84); // the 28×28 digit, ×3
        const tile = row[1]!.rows;
        expect(tile % side).toBe(0); // whole-pixel upscaling of the map
        expect(Math.abs(tile - 72)).toBeLessThanOrEqual(side); // about 72 pixels whatever the map size
      }
    },
  );

  test('one digit through every layer: rows follow the layers, tiles the channels', () => {
    const grid = imageLayersGrid(activations, images[1], 1);
    expect(grid.boxes).toHaveLength(6);
    expect(grid.boxes.map((row) => row.slice(1).filter(Boolean).length)).toEqual(SHAPES.map((s) => s[3]));
    expect(grid.boxes.map((row) => !!row[0])).toEqual([true, false, false, false, false, false]);
  });
});

describe('shifting', () => {
  const rows = 28;
  const cols = 28;
  const image = () => Float32Array.from({ length: rows * cols }, () => random());

  test('shifting by (dx, dy) and back restores the interior and zeroes the rest', () => {
    for (let trial = 0; trial < 300; trial++) {
      const source = image();
      const [dx, dy] = [int(-27, 27), int(-27, 27)];
      const back = shiftImage(shiftImage(source, rows, cols, dx, dy), rows, cols, -dx, -dy);
      const expected = source.map((v, p) => {
        const [r, c] = [Math.floor(p / cols), p % cols];
        const interior = r + dy >= 0 && r + dy < rows && c + dx >= 0 && c + dx < cols;
        return interior ? v : 0;
      });
      expect({ dx, dy, back: Array.from(back) }).toEqual({ dx, dy, back: Array.from(expected) });
    }
  });

  test('directions move the picture the way they say, zero fill; 0 pixels change nothing', () => {
    const dot = new Float32Array(rows * cols);
    dot[10 * cols + 10] = 1;
    const where = (pixels: Float32Array) => pixels.indexOf(1);
    const moved = Object.fromEntries(
      DIRECTIONS.map((d) => {
        const { dx, dy } = offsetOf(d, 3);
        return [d, where(shiftImage(dot, rows, cols, dx, dy))];
      }),
    );
    expect(moved).toEqual({
      left: 10 * cols + 7,
      right: 10 * cols + 13,
      up: 7 * cols + 10,
      down: 13 * cols + 10,
    });
    expect(Array.from(shiftImage(dot, rows, cols, 0, 0))).toEqual(Array.from(dot));
    expect(shiftImage(dot, rows, cols, 28, 0).every((v) => v === 0)).toBe(true);
  });

  test('batches of byte images shift like single images, scaled to 0..1', () => {
    const bytes = Uint8Array.from({ length: 5 * rows * cols }, () => int(0, 255));
    const [dx, dy] = [int(-8, 8), int(-8, 8)];
    const batch = shiftedPixels(bytes, rows, cols, 1, 4, dx, dy);
    expect(batch).toHaveLength(3 * rows * cols);
    for (let i = 1; i < 4; i++) {
      const one = shiftImage(
        Float32Array.from(bytes.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
        rows,
        cols,
        dx,
        dy,
      );
      const part = batch.subarray((i - 1) * 784, i * 784);
      one.forEach((v, p) => expect(Math.abs(part[p] - v)).toBeLessThan(1e-7));
    }
  });
});
