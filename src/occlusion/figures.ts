// Pictures of occlusion results: vega-lite heat maps of the probability maps (with a colour
// scale), the label map as a categorical image with a legend, the important region over the
// digit, and the population's mean drop maps and flip shares.
import type { ChartSpec } from '../render/chart';
import { maxAbs } from '../render/colour';
import {
  type ImageShape,
  imagePicture,
  outlineRect,
  tint,
  upscale,
  type RgbPicture,
} from '../render/picture';
import type { OcclusionGrid } from './grid';
import type { ImportantRegion } from './region';

const CELL = 16; // pixels per grid cell in the charts

function cells(
  grid: OcclusionGrid,
  values: ArrayLike<number>,
): { row: number; col: number; value: number }[] {
  const cols = grid.colOffsets.length;
  return Array.from({ length: grid.count }, (_, k) => ({
    row: grid.rowOffsets[Math.floor(k / cols)],
    col: grid.colOffsets[k % cols],
    value: values[k],
  }));
}

const axes = (grid: OcclusionGrid) => ({
  x: { field: 'col', type: 'ordinal', title: 'patch column offset', sort: 'ascending' },
  y: { field: 'row', type: 'ordinal', title: 'patch row offset', sort: 'ascending' },
  size: {
    width: Math.max(120, grid.colOffsets.length * CELL),
    height: Math.max(120, grid.rowOffsets.length * CELL),
  },
});

/** Heat map of a probability map on the grid, colour scale fixed to 0..1 so maps compare. */
export function probabilityHeatMap(
  grid: OcclusionGrid,
  values: ArrayLike<number>,
  title: string,
  legend: string,
): ChartSpec {
  const { x, y, size } = axes(grid);
  return {
    title,
    ...size,
    data: { values: cells(grid, values) },
    mark: 'rect',
    encoding: {
      x,
      y,
      color: {
        field: 'value',
        type: 'quantitative',
        title: legend,
        scale: { domain: [0, 1], scheme: 'viridis' },
      },
    },
  } as ChartSpec;
}

/** The predicted label at each position as a categorical image, one fixed colour per digit, with a legend. */
export function labelMap(
  grid: OcclusionGrid,
  labels: ArrayLike<number>,
  classes: number,
  title: string,
): ChartSpec {
  const { x, y, size } = axes(grid);
  const domain = Array.from({ length: classes }, (_, c) => c);
  return {
    title,
    ...size,
    data: { values: cells(grid, labels) },
    encoding: { x, y },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: { field: 'value', type: 'nominal', title: 'label', scale: { domain, scheme: 'category10' } },
        },
      },
      {
        mark: { type: 'text', fontSize: Math.min(10, CELL - 4), color: 'white' },
        encoding: { text: { field: 'value', type: 'nominal' } },
      },
    ],
  } as ChartSpec;
}

const RED = [0.9, 0.1, 0.1] as const;
const YELLOW = [1, 0.85, 0] as const;

/** The image, the important region tinted red and its bounding box in yellow, upscaled. */
export function regionPicture(
  image: ArrayLike<number>,
  shape: ImageShape,
  region: ImportantRegion,
  scale: number,
): RgbPicture {
  const { rows, cols, channels } = shape;
  const picture = upscale(tint(imagePicture(image, rows, cols, channels), region.mask, RED, 0.45), scale);
  if (region.rows && region.cols) {
    outlineRect(
      picture,
      region.rows[0] * scale,
      region.cols[0] * scale,
      (region.rows[1] + 1) * scale - 1,
      (region.cols[1] + 1) * scale - 1,
      YELLOW,
      Math.max(1, Math.floor(scale / 5)),
    );
  }
  return picture;
}

// Orange shows on both the black background and the white strokes (red on black barely does).
const PATCH_OUTLINE = [1, 0.55, 0] as const;

/**
 * An occluded digit upscaled, with the patch outlined so it shows on the black background. The
 * outline is drawn inside the patch's border, where the pixels are the fill the model saw anyway:
 * no pixel of the digit is covered.
 */
export function patchPicture(
  image: ArrayLike<number>,
  shape: ImageShape,
  row: number,
  col: number,
  patch: number,
  scale: number,
): RgbPicture {
  const picture = upscale(imagePicture(image, shape.rows, shape.cols, shape.channels), scale);
  const [top, left] = [row * scale, col * scale];
  const [bottom, right] = [(row + patch) * scale - 1, (col + patch) * scale - 1];
  outlineRect(picture, top, left, bottom, right, PATCH_OUTLINE, Math.max(1, Math.floor(scale / 4)));
  return picture;
}

/** Ticks every 5 pixels of patch offset (a 21-position axis labelled at every position is unreadable in a small panel). */
function pixelTicks(offsets: ArrayLike<number>) {
  return { values: Array.from(offsets).filter((o) => o % 5 === 0), labelAngle: 0, grid: false };
}

/** Mean drop of the true-class probability per position, one panel per class, diverging around 0. */
export function meanDropMaps(
  grid: OcclusionGrid,
  dropsByClass: { label: number; drop: ArrayLike<number> }[],
  title: string,
): ChartSpec {
  const { x, y, size } = axes(grid);
  const values = dropsByClass.flatMap(({ label, drop }) =>
    cells(grid, drop).map((c) => ({ ...c, class: label })),
  );
  const panel = { width: Math.min(size.width, 160), height: Math.min(size.height, 160) };
  const reach = Math.max(0, ...dropsByClass.map(({ drop }) => maxAbs(drop))) || 1;
  return {
    title,
    data: { values },
    columns: 5,
    facet: { field: 'class', type: 'ordinal', title: 'true class' },
    spec: {
      ...panel,
      // No aria-label per cell: vega writes one for each of the classes × positions rects (4,410
      // on MNIST), which doubled the SVG and its drawing time; the axes and legend keep theirs.
      mark: { type: 'rect', aria: false },
      encoding: {
        x: { ...x, axis: pixelTicks(grid.colOffsets), title: 'patch left edge (px)' },
        y: { ...y, axis: pixelTicks(grid.rowOffsets), title: 'patch top edge (px)' },
        color: {
          field: 'value',
          type: 'quantitative',
          title: 'mean drop',
          // Symmetric about 0, so equal colours mean equal sizes of drop and rise, and the
          // legend runs from the largest rise (negative) to the largest drop.
          scale: { scheme: 'redblue', reverse: true, domain: [-reach, reach], nice: true },
        },
      },
    },
  } as ChartSpec;
}

/** Share of correctly classified images some single placement flips, per class, with the value on each bar. */
export function flipShareChart(rows: { label: string; share: number }[], title: string): ChartSpec {
  return {
    title,
    width: 360,
    height: 200,
    data: { values: rows },
    encoding: {
      x: { field: 'label', type: 'ordinal', title: 'true class', sort: null, axis: { labelAngle: 0 } },
      y: {
        field: 'share',
        type: 'quantitative',
        title: 'share flipped by one patch',
        scale: { domain: [0, 1] },
      },
    },
    layer: [
      { mark: 'bar' },
      {
        mark: { type: 'text', dy: -6, fontSize: 10 },
        encoding: { text: { field: 'share', type: 'quantitative', format: '.3f' } },
      },
    ],
  } as ChartSpec;
}
