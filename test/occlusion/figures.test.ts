// The mean drop maps use a diverging scale symmetric about 0: the legend shows its negative end
// as far out as its positive one, even when only a few positions raise the probability a little.
import { occlusionGrid } from '../../src/occlusion/grid';
import { meanDropMaps } from '../../src/occlusion/figures';
import { chartSvg, svgToPng, type ChartSpec } from '../../src/render/chart';
import { chartScene } from '../helpers/chart-scene';

test('a tiny negative mean drop: the legend runs from −m to +m, m the largest size of drop', async () => {
  const grid = occlusionGrid(28, 28, 8, 4);
  const drop = Array.from({ length: grid.count }, (_, k) => (k === 3 ? -0.0007 : (k / grid.count) * 0.06));
  const scene = await chartScene(meanDropMaps(grid, [{ label: 7, drop }], 'mean drop'));
  const [legend] = scene.legends;
  expect(legend.title).toBe('mean drop');
  const values = legend.entries.map((e) => Number(e.label.replace('−', '-')));
  expect(values.every(Number.isFinite)).toBe(true);
  expect(Math.min(...values)).toBeCloseTo(-Math.max(...values), 10);
  expect(Math.max(...values)).toBeGreaterThanOrEqual(0.04);
});

test('the mean drop cells carry no aria-label each, and leaving them out does not change the picture', async () => {
  const grid = occlusionGrid(28, 28, 8, 4);
  const drops = [3, 8].map((label) => ({
    label,
    drop: Array.from({ length: grid.count }, (_, k) => Math.sin(k * label) * 0.2),
  }));
  const spec = meanDropMaps(grid, drops, 'mean drop');
  const svg = await chartSvg(spec);
  const facetted = spec as ChartSpec & { spec: object };
  const labelled = await chartSvg({ ...facetted, spec: { ...facetted.spec, mark: 'rect' } } as ChartSpec);
  // Each labelled cell says its place and value ("patch left edge (px): 0; patch top edge (px): 4;
  // mean drop: 0.1"); the axes and legend keep their labels.
  const cellLabels = (text: string) =>
    (text.match(/aria-label="patch left edge \(px\): [^"]*mean drop: /g) ?? []).length;
  expect(cellLabels(labelled)).toBe(drops.length * grid.count);
  expect(cellLabels(svg)).toBe(0);
  expect(svg).toContain('aria-label="X-axis');
  expect(svg.length).toBeLessThan(labelled.length * 0.8);
  expect(Buffer.from(svgToPng(svg)).equals(Buffer.from(svgToPng(labelled)))).toBe(true);
});
