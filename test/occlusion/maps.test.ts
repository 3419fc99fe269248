import { adversarialPlacements, countsByNewLabel } from '../../src/occlusion/adversarial';
import { occlusionGrid, positionAt } from '../../src/occlusion/grid';
import { assembleMaps, mapTable } from '../../src/occlusion/maps';
import { importantRegion } from '../../src/occlusion/region';
import { csvText } from '../../src/render/csv';
import { mulberry32 } from '../../src/random';

/** Random softmax-like rows: count × classes, each row summing to 1. */
function randomProbabilities(count: number, classes: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(count * classes);
  for (let k = 0; k < count; k++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[k * classes + c] = random() ** 4;
    for (let c = 0; c < classes; c++) out[k * classes + c] /= sum;
  }
  return out;
}

describe('map tables', () => {
  test.each([
    [28, 28, 8, 1, 6],
    [28, 28, 5, 2, 3],
    [28, 28, 3, 4, 0],
    [12, 20, 6, 3, 9],
  ])(
    '%i×%i image, patch %i, stride %i, label %i: shape, header, row offsets, formats',
    (rows, cols, patch, stride, label) => {
      const grid = occlusionGrid(rows, cols, patch, stride);
      const probs = randomProbabilities(grid.count, 10, rows * patch + stride);
      const maps = assembleMaps(grid, probs, 10, label);
      for (const [name, title] of [
        ['probOfTrue', `prob_of_${label}`],
        ['highestProb', 'highest_prob'],
        ['label', 'label'],
      ] as const) {
        const table = mapTable(name, grid, maps);
        expect(table).toHaveLength(grid.rowOffsets.length + 1);
        expect(table[0]).toEqual([title, ...grid.colOffsets]);
        table.slice(1).forEach((row, i) => {
          expect(row).toHaveLength(grid.colOffsets.length + 1);
          expect(row[0]).toBe(grid.rowOffsets[i]);
          for (const cell of row.slice(1)) expect(cell).toMatch(name === 'label' ? /^\d$/ : /^[01]\.\d{6}$/);
        });
      }
      // Entries are the right numbers at the right places.
      const k = grid.count - 1;
      const last = mapTable('probOfTrue', grid, maps).at(-1)!.at(-1);
      expect(last).toBe(probs[k * 10 + label].toFixed(6));
      const best = Array.from(probs.subarray(k * 10, k * 10 + 10));
      expect(mapTable('label', grid, maps).at(-1)!.at(-1)).toBe(String(best.indexOf(Math.max(...best))));
      expect(mapTable('highestProb', grid, maps).at(-1)!.at(-1)).toBe(Math.max(...best).toFixed(6));
    },
  );

  test('a 21×21 map as CSV text: offsets 0..20 once each, in order', () => {
    const grid = occlusionGrid(28, 28, 8, 1);
    const maps = assembleMaps(grid, randomProbabilities(grid.count, 10, 1), 10, 6);
    const lines = csvText(mapTable('probOfTrue', grid, maps))
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(22);
    expect(lines[0]).toBe(`prob_of_6,${Array.from({ length: 21 }, (_, i) => i).join(',')}`);
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(
      Array.from({ length: 21 }, (_, i) => i),
    );
  });
});

describe('important region and adversarial placements', () => {
  // One image, 10×10, 4×4 patch, stride 2 → 4×4 positions. Probabilities made by hand.
  const grid = occlusionGrid(10, 10, 4, 2);
  const trueLabel = 3;
  const probs = new Float32Array(grid.count * 10);
  const setPosition = (k: number, label: number, p: number, trueProb: number) => {
    probs.fill(0, k * 10, k * 10 + 10);
    probs[k * 10 + trueLabel] = trueProb;
    probs[k * 10 + label] = p;
  };
  for (let k = 0; k < grid.count; k++) setPosition(k, trueLabel, 0.9, 0.9);
  setPosition(5, 7, 0.6, 0.3); // row 2, col 2: flips to 7
  setPosition(6, 3, 0.45, 0.45); // row 2, col 4: below threshold but still 3
  setPosition(9, 1, 0.5, 0.2); // row 4, col 2: flips to 1
  const maps = assembleMaps(grid, probs, 10, trueLabel);

  test('region: the pixels under placements below the threshold, with inclusive bounds', () => {
    const region = importantRegion(grid, maps.probOfTrue, 0.5);
    expect(region.placements).toBe(3);
    // Patches at (2,2), (2,4), (4,2), each 4×4: rows 2..7, cols 2..7, union = 4×6 + 2×4 = 32 pixels.
    expect(region.rows).toEqual([2, 7]);
    expect(region.cols).toEqual([2, 7]);
    expect(region.pixels).toBe(32);
    expect(region.mask[2 * 10 + 2]).toBe(1);
    expect(region.mask[7 * 10 + 7]).toBe(0);
    expect(importantRegion(grid, maps.probOfTrue, 0.25).rows).toEqual([4, 7]);
    const none = importantRegion(grid, maps.probOfTrue, 0.1);
    expect(none).toMatchObject({ placements: 0, pixels: 0, rows: null, cols: null });
  });

  test('adversarial: every placement with another label, and counts per new label', () => {
    const adversarial = adversarialPlacements(grid, maps);
    expect(adversarial).toEqual([
      {
        position: 5,
        row: 2,
        col: 2,
        newLabel: 7,
        newLabelProb: expect.closeTo(0.6, 6),
        trueProb: expect.closeTo(0.3, 6),
      },
      {
        position: 9,
        row: 4,
        col: 2,
        newLabel: 1,
        newLabelProb: expect.closeTo(0.5, 6),
        trueProb: expect.closeTo(0.2, 6),
      },
    ]);
    expect(positionAt(grid, 9)).toEqual({ row: 4, col: 2 });
    const counts = countsByNewLabel(adversarial, 10, trueLabel);
    expect(counts.map((c) => c.label)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
    expect(counts.filter((c) => c.placements > 0)).toEqual([
      { label: 1, placements: 1 },
      { label: 7, placements: 1 },
    ]);
  });
});
