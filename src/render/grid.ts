// Labelled grids of small pictures (filters, feature maps, shifted digits) as one picture:
// a title, column labels on top, row labels on the left, an optional caption under each cell
// and an optional colour bar. Cells keep their exact pixels; text is drawn by text.ts.
// `tilePicture` turns a matrix of numbers into an upscaled cell through a colour scale.
import type { ColourScale } from './colour';
import { outlineRect, upscale, type RgbPicture } from './picture';
import { drawText, textWidth, type TextLabel } from './text';

export interface GridCell {
  /** The cell at its display size (already upscaled). */
  picture: RgbPicture;
  caption?: string;
}

export interface ColourLegend {
  scale: ColourScale;
  /** What the colours mean, e.g. `weight` or `activation`. */
  label: string;
  format?: (value: number) => string;
}

export interface GridSpec {
  title?: string;
  /** Rows of cells; `null` leaves a slot empty. */
  cells: (GridCell | null)[][];
  rowLabels?: string[];
  colLabels?: string[];
  /** Pixels between cells. */
  gap?: number;
  /** A thin gray frame around each cell (default true), so tiles near the background colour stay apart. */
  frame?: boolean;
  legend?: ColourLegend;
}

/** Where a cell's picture landed, in pixels of the grid picture. */
export interface CellBox {
  top: number;
  left: number;
  rows: number;
  cols: number;
}

export interface Grid {
  picture: RgbPicture;
  /** Same shape as `cells`: where each cell's picture is (null for empty slots). */
  boxes: (CellBox | null)[][];
}

const MARGIN = 8;
const TITLE_SIZE = 16;
const LABEL_SIZE = 12;
const CAPTION_SIZE = 11;
const FRAME = [0.6, 0.6, 0.6] as const;
const LEGEND_BAR = { height: 12, maxWidth: 300, minWidth: 160 };

/** A matrix (rows × cols, row-major) as a cell: each value a `scale` × `scale` block of its colour. */
export function tilePicture(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  colours: ColourScale,
  scale: number,
): RgbPicture {
  if (values.length !== rows * cols) throw new Error(`tile: ${values.length} values for ${rows}×${cols}`);
  const data = new Float32Array(rows * cols * 3);
  for (let i = 0; i < rows * cols; i++) data.set(colours.colour(values[i]), i * 3);
  return upscale({ rows, cols, data }, scale);
}

/** The whole-pixel upscaling factor that makes a side of `size` about `target` pixels (at least 1). */
export function scaleFor(size: number, target: number): number {
  return Math.max(1, Math.round(target / size));
}

function blank(rows: number, cols: number): RgbPicture {
  const data = new Float32Array(rows * cols * 3);
  data.fill(1);
  return { rows, cols, data };
}

function paste(target: RgbPicture, source: RgbPicture, top: number, left: number): void {
  for (let r = 0; r < source.rows; r++) {
    const from = r * source.cols * 3;
    target.data.set(source.data.subarray(from, from + source.cols * 3), ((top + r) * target.cols + left) * 3);
  }
}

const defaultFormat = (v: number) => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(2));

/** Sizes and positions of everything in a grid picture, in pixels. */
interface GridLayout {
  colWidths: number[];
  rowHeights: number[];
  hasCaption: boolean[];
  colLefts: number[];
  rowTops: number[];
  gridLeft: number;
  gridTop: number;
  gridHeight: number;
  legendBarWidth: number;
  width: number;
  height: number;
}

function checkShape(spec: GridSpec): { rowCount: number; colCount: number } {
  const rowCount = spec.cells.length;
  const colCount = Math.max(0, ...spec.cells.map((row) => row.length));
  if (rowCount === 0 || colCount === 0) throw new Error('grid: no cells');
  if (spec.rowLabels && spec.rowLabels.length !== rowCount)
    throw new Error(`grid: ${spec.rowLabels.length} row labels for ${rowCount} rows`);
  if (spec.colLabels && spec.colLabels.length !== colCount)
    throw new Error(`grid: ${spec.colLabels.length} column labels for ${colCount} columns`);
  return { rowCount, colCount };
}

/** Each column as wide as its widest picture or caption; each row as high as its highest picture and caption. */
function cellSizes(cells: GridSpec['cells'], colCount: number) {
  const colWidths = Array.from({ length: colCount }, (_, c) =>
    Math.max(
      1,
      ...cells.map((row) =>
        row[c]
          ? Math.max(
              row[c]!.picture.cols,
              row[c]!.caption ? textWidth(row[c]!.caption!, CAPTION_SIZE) + 4 : 0,
            )
          : 0,
      ),
    ),
  );
  const hasCaption = cells.map((row) => row.some((cell) => cell?.caption));
  const rowHeights = cells.map(
    (row, r) =>
      Math.max(1, ...row.map((cell) => cell?.picture.rows ?? 0)) + (hasCaption[r] ? CAPTION_SIZE + 6 : 0),
  );
  return { colWidths, rowHeights, hasCaption };
}

function layOut(spec: GridSpec): GridLayout {
  const gap = Math.max(spec.gap ?? 4, 2); // room for the frames
  const { rowCount, colCount } = checkShape(spec);
  const { colWidths, rowHeights, hasCaption } = cellSizes(spec.cells, colCount);
  const rowLabelWidth = spec.rowLabels
    ? Math.max(...spec.rowLabels.map((l) => textWidth(l, LABEL_SIZE))) + 10
    : 0;
  const titleHeight = spec.title ? TITLE_SIZE + 12 : 0;
  const colLabelHeight = spec.colLabels ? LABEL_SIZE + 8 : 0;
  const gridWidth = colWidths.reduce((a, b) => a + b, 0) + gap * (colCount - 1);
  const gridHeight = rowHeights.reduce((a, b) => a + b, 0) + gap * (rowCount - 1);
  const legendBarWidth = Math.max(LEGEND_BAR.minWidth, Math.min(LEGEND_BAR.maxWidth, gridWidth));
  const legendHeight = spec.legend ? 12 + LEGEND_BAR.height + LABEL_SIZE + 8 : 0;
  const legendWidth = spec.legend ? legendBarWidth + 10 + textWidth(spec.legend.label, LABEL_SIZE) : 0;

  const gridLeft = MARGIN + rowLabelWidth;
  const gridTop = MARGIN + titleHeight + colLabelHeight;
  const width =
    Math.max(
      gridLeft + gridWidth,
      MARGIN + (spec.title ? textWidth(spec.title, TITLE_SIZE) : 0),
      gridLeft + legendWidth,
    ) + MARGIN;
  const height = gridTop + gridHeight + legendHeight + MARGIN;
  const colLefts = colWidths.map(
    (_, c) => gridLeft + colWidths.slice(0, c).reduce((a, b) => a + b, 0) + gap * c,
  );
  const rowTops = rowHeights.map(
    (_, r) => gridTop + rowHeights.slice(0, r).reduce((a, b) => a + b, 0) + gap * r,
  );
  return {
    colWidths,
    rowHeights,
    hasCaption,
    colLefts,
    rowTops,
    gridLeft,
    gridTop,
    gridHeight,
    legendBarWidth,
    width,
    height,
  };
}

/** Pastes every cell (framed, captioned) and labels its row; returns where each landed. */
function placeCells(
  picture: RgbPicture,
  spec: GridSpec,
  layout: GridLayout,
  labels: TextLabel[],
): (CellBox | null)[][] {
  const { colLefts, colWidths, rowTops, rowHeights, hasCaption, gridLeft } = layout;
  return spec.cells.map((row, r) => {
    const imageHeight = rowHeights[r] - (hasCaption[r] ? CAPTION_SIZE + 6 : 0);
    if (spec.rowLabels)
      labels.push({
        text: spec.rowLabels[r],
        x: gridLeft - 8,
        y: rowTops[r] + imageHeight / 2 + LABEL_SIZE / 3,
        size: LABEL_SIZE,
        anchor: 'end',
      });
    return row.map((cell, c): CellBox | null => {
      if (!cell) return null;
      const left = colLefts[c] + Math.floor((colWidths[c] - cell.picture.cols) / 2);
      const top = rowTops[r];
      paste(picture, cell.picture, top, left);
      if (spec.frame ?? true)
        outlineRect(picture, top - 1, left - 1, top + cell.picture.rows, left + cell.picture.cols, FRAME);
      if (cell.caption)
        labels.push({
          text: cell.caption,
          x: colLefts[c] + colWidths[c] / 2,
          y: top + cell.picture.rows + CAPTION_SIZE + 2,
          size: CAPTION_SIZE,
          anchor: 'middle',
        });
      return { top, left, rows: cell.picture.rows, cols: cell.picture.cols };
    });
  });
}

/** The colour bar under the grid, with its low, middle and high values and what they mean. */
function drawLegend(
  picture: RgbPicture,
  legend: ColourLegend,
  layout: GridLayout,
  labels: TextLabel[],
): void {
  const { gridLeft, legendBarWidth } = layout;
  const { scale, label, format = defaultFormat } = legend;
  const top = layout.gridTop + layout.gridHeight + 12;
  const [low, high] = scale.domain;
  const bar: RgbPicture = {
    rows: LEGEND_BAR.height,
    cols: legendBarWidth,
    data: new Float32Array(LEGEND_BAR.height * legendBarWidth * 3),
  };
  for (let c = 0; c < legendBarWidth; c++) {
    const colour = scale.colour(low + ((high - low) * c) / (legendBarWidth - 1));
    for (let r = 0; r < LEGEND_BAR.height; r++) bar.data.set(colour, (r * legendBarWidth + c) * 3);
  }
  paste(picture, bar, top, gridLeft);
  const y = top + LEGEND_BAR.height + LABEL_SIZE + 2;
  labels.push({ text: format(low), x: gridLeft, y, size: LABEL_SIZE });
  labels.push({
    text: format((low + high) / 2),
    x: gridLeft + legendBarWidth / 2,
    y,
    size: LABEL_SIZE,
    anchor: 'middle',
  });
  labels.push({ text: format(high), x: gridLeft + legendBarWidth, y, size: LABEL_SIZE, anchor: 'end' });
  labels.push({
    text: label,
    x: gridLeft + legendBarWidth + 10,
    y: top + LEGEND_BAR.height - 1,
    size: LABEL_SIZE,
  });
}

export function renderGrid(spec: GridSpec): Grid {
  const layout = layOut(spec);
  const picture = blank(layout.height, layout.width);
  const labels: TextLabel[] = [];
  if (spec.title)
    labels.push({ text: spec.title, x: MARGIN, y: MARGIN + TITLE_SIZE, size: TITLE_SIZE, bold: true });
  spec.colLabels?.forEach((text, c) =>
    labels.push({
      text,
      x: layout.colLefts[c] + layout.colWidths[c] / 2,
      y: layout.gridTop - 6,
      size: LABEL_SIZE,
      anchor: 'middle',
    }),
  );
  const boxes = placeCells(picture, spec, layout, labels);
  if (spec.legend) drawLegend(picture, spec.legend, layout, labels);
  drawText(picture, labels);
  return { picture, boxes };
}
