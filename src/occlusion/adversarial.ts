// Adversarial occlusion: every placement whose predicted label differs from the true label.
import { positionAt, type OcclusionGrid } from './grid';
import type { OcclusionMaps } from './maps';

export interface AdversarialPlacement {
  /** Position number (row-major on the grid). */
  position: number;
  /** Top-left pixel of the patch. */
  row: number;
  col: number;
  newLabel: number;
  newLabelProb: number;
  trueProb: number;
}

export function adversarialPlacements(grid: OcclusionGrid, maps: OcclusionMaps): AdversarialPlacement[] {
  const out: AdversarialPlacement[] = [];
  for (let k = 0; k < grid.count; k++) {
    if (maps.label[k] === maps.trueLabel) continue;
    const { row, col } = positionAt(grid, k);
    out.push({
      position: k,
      row,
      col,
      newLabel: maps.label[k],
      newLabelProb: maps.highestProb[k],
      trueProb: maps.probOfTrue[k],
    });
  }
  return out;
}

/** How many placements turn the image into each other label (every label but the true one, zeros included). */
export function countsByNewLabel(
  placements: AdversarialPlacement[],
  classes: number,
  trueLabel: number,
): { label: number; placements: number }[] {
  const counts = new Array<number>(classes).fill(0);
  for (const p of placements) counts[p.newLabel]++;
  return counts.map((n, label) => ({ label, placements: n })).filter((c) => c.label !== trueLabel);
}
