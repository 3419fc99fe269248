// The important region: the pixels covered by at least one placement that pushes the
// true-class probability below the threshold, with its bounding rows and columns.
import { positionAt, type OcclusionGrid } from './grid';

export interface ImportantRegion {
  threshold: number;
  /** Placements with true-class probability below the threshold. */
  placements: number;
  /** Pixels covered by those placements. */
  pixels: number;
  /** First and last image row covered (0-based, inclusive); null when no placement qualifies. */
  rows: [number, number] | null;
  cols: [number, number] | null;
  /** imageRows × imageCols, 1 where covered. */
  mask: Uint8Array;
}

export function importantRegion(
  grid: OcclusionGrid,
  probOfTrue: ArrayLike<number>,
  threshold: number,
): ImportantRegion {
  const mask = new Uint8Array(grid.imageRows * grid.imageCols);
  let placements = 0;
  for (let k = 0; k < grid.count; k++) {
    if (!(probOfTrue[k] < threshold)) continue;
    placements++;
    const { row, col } = positionAt(grid, k);
    for (let r = row; r < row + grid.patch; r++)
      mask.fill(1, r * grid.imageCols + col, r * grid.imageCols + col + grid.patch);
  }
  return { threshold, placements, ...maskBounds(mask, grid.imageRows, grid.imageCols), mask };
}

/** The pixels set in a rows × cols mask, and their first and last row and column (null when none is set). */
export function maskBounds(
  mask: ArrayLike<number>,
  rows: number,
  cols: number,
): { pixels: number; rows: [number, number] | null; cols: [number, number] | null } {
  let pixels = 0;
  let rowMin = Infinity,
    rowMax = -Infinity,
    colMin = Infinity,
    colMax = -Infinity;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (!mask[r * cols + c]) continue;
      pixels++;
      rowMin = Math.min(rowMin, r);
      rowMax = Math.max(rowMax, r);
      colMin = Math.min(colMin, c);
      colMax = Math.max(colMax, c);
    }
  }
  return { pixels, rows: pixels ? [rowMin, rowMax] : null, cols: pixels ? [colMin, colMax] : null };
}
