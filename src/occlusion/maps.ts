// Domain code: the occlusion kinds (src/kinds/occlusion) call it; nothing here imports a kind.
//
// The three maps of the homework's Figures 7–9, built from the probabilities of every position
// (count × classes, row-major), and their tables: the top-left cell names the map, the header
// row holds the column offsets, each row starts with its row offset.
import type { Cell } from '../render/csv';
import type { OcclusionGrid } from './grid';

export interface OcclusionMaps {
  trueLabel: number;
  classes: number;
  /** Per position: the probability of the true label (Figure 7). */
  probOfTrue: Float64Array;
  /** Per position: the highest probability (Figure 8). */
  highestProb: Float64Array;
  /** Per position: the predicted label, the first one on ties (Figure 9). */
  label: Int32Array;
}

/** Index of the largest value in values[from, from + n) relative to `from`; the first one on ties (as argmax). */
export function argMax(values: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let c = 1; c < n; c++) if (values[from + c] > values[from + best]) best = c;
  return best;
}

export function assembleMaps(
  grid: OcclusionGrid,
  probabilities: ArrayLike<number>,
  classes: number,
  trueLabel: number,
): OcclusionMaps {
  if (probabilities.length !== grid.count * classes) {
    throw new Error(
      `expected ${grid.count} positions × ${classes} classes = ${grid.count * classes} probabilities, got ${probabilities.length}`,
    );
  }
  const probOfTrue = new Float64Array(grid.count);
  const highestProb = new Float64Array(grid.count);
  const label = new Int32Array(grid.count);
  for (let k = 0; k < grid.count; k++) {
    const from = k * classes;
    const best = argMax(probabilities, from, classes);
    probOfTrue[k] = probabilities[from + trueLabel];
    highestProb[k] = probabilities[from + best];
    label[k] = best;
  }
  return { trueLabel, classes, probOfTrue, highestProb, label };
}

export type MapName = 'probOfTrue' | 'highestProb' | 'label';

/** The table names the homework uses: `prob_of_6`, `highest_prob`, `label`. */
export function mapTitle(name: MapName, trueLabel: number): string {
  return name === 'probOfTrue' ? `prob_of_${trueLabel}` : name === 'highestProb' ? 'highest_prob' : 'label';
}

/** A grid of values as table rows; numbers with `decimals` places, or as integers when `decimals` is undefined. */
export function gridTable(
  title: string,
  grid: OcclusionGrid,
  values: ArrayLike<number>,
  decimals?: number,
): Cell[][] {
  const cols = grid.colOffsets.length;
  const rows: Cell[][] = [[title, ...grid.colOffsets]];
  grid.rowOffsets.forEach((rowOffset, i) => {
    const row: Cell[] = [rowOffset];
    for (let j = 0; j < cols; j++) {
      const v = values[i * cols + j];
      row.push(decimals === undefined ? String(Math.round(v)) : v.toFixed(decimals));
    }
    rows.push(row);
  });
  return rows;
}

/** The table of one of the three maps: probabilities with 6 decimals, labels as integers. */
export function mapTable(name: MapName, grid: OcclusionGrid, maps: OcclusionMaps): Cell[][] {
  return gridTable(mapTitle(name, maps.trueLabel), grid, maps[name], name === 'label' ? undefined : 6);
}
