// The mean drop maps use a diverging scale symmetric about 0: the legend shows its negative end
// as far out as its positive one, even when only a few positions raise the probability a little.
import { occlusionGrid } from '../../src/occlusion/grid';
import { meanDropMaps } from '../../src/occlusion/figures';
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
