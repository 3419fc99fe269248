// Every chart says what its axes count and names every series it draws: an axis title on each
// axis of each panel, and a legend entry with a visible swatch for each line or colour.
import { seriesChart } from '../../src/claims/batch-norm-chart';
import { variancesChart } from '../../src/kinds/claims/dropout-variance-shift';
import { poolingChart } from '../../src/kinds/claims/pooling-claim';
import { fieldsChart } from '../../src/kinds/claims/receptive-fields-claim';
import { curvesChart } from '../../src/kinds/curves';
import type { ChartSpec } from '../../src/render/chart';
import { chartScene } from '../helpers/chart-scene';

const axisTitles = async (spec: ChartSpec) =>
  (await chartScene(spec)).texts.filter((t) => t.role === 'axis-title').map((t) => t.text);

test('training curves: each panel titles its y axis with its measure, and its x axis', async () => {
  const rows = [1, 2].map((epoch) => ({
    model: 'seed=1',
    epoch,
    loss: 1 / epoch,
    accuracy: 0.9,
    valLoss: 1.1 / epoch,
    valAccuracy: 0.88,
  }));
  expect((await axisTitles(curvesChart(rows, 'curves', false))).sort()).toEqual(
    ['accuracy', 'epoch', 'epoch', 'loss'].sort(),
  );
});

test('batch-size charts: one y title per measure', async () => {
  const points = ['test accuracy', 'step time (ms)'].flatMap((panel) =>
    [32, 64].map((batchSize) => ({ panel, series: 'batch-norm', batchSize, mean: 1, sd: 0.1 })),
  );
  const titles = await axisTitles(seriesChart(points, { title: 't', xTitle: 'batch size' }));
  expect(titles.sort()).toEqual(['batch size', 'batch size', 'step time (ms)', 'test accuracy'].sort());
});

test('variance shift: ratios on a titled log axis, the orders on a titled axis', async () => {
  const rows = ['dropout → BN', 'BN → dropout'].flatMap((order) =>
    ['training ÷ inference', 'moving ÷ inference'].map((ratio, i) => ({
      order,
      ratio,
      seed: 1,
      value: 1 + i,
    })),
  );
  expect(await axisTitles(variancesChart(rows))).toHaveLength(2);
});

test('pooling against strides: both legends show a visible swatch for every entry', async () => {
  const points = ['pooling', 'strided'].flatMap((network) =>
    [-1, 0, 1].map((shift) => ({ network, seed: 1, shift, horizontal: 0.9, vertical: 0.8, images: 10 })),
  );
  const scene = await chartScene(poolingChart(points));
  expect(scene.legends.map((l) => l.title).sort()).toEqual(['network', 'shift']);
  for (const legend of scene.legends)
    for (const entry of legend.entries) {
      expect(entry.stroke).toBeDefined();
      expect(entry.stroke).not.toBe('transparent');
    }
});

test('receptive fields: every field a legend entry, each series drawn at its own x beside its layer', async () => {
  const points = ['conv2d', 'max_pooling2d'].flatMap((layer, depth) =>
    ['theoretical', 'measured seed=1', 'measured seed=2'].map((field) => ({
      layer,
      depth,
      field,
      pixels: 3,
    })),
  );
  const spec = fieldsChart(points) as ChartSpec & { data: { values: { field: string; x: number }[] } };
  const scene = await chartScene(spec);
  expect(scene.legends.flatMap((l) => l.entries.map((e) => e.label))).toEqual([
    'theoretical',
    'measured seed=1',
    'measured seed=2',
  ]);
  const xs = spec.data.values.map((v) => v.x);
  expect(new Set(xs).size).toBe(xs.length);
  expect(await axisTitles(spec)).toEqual(['layer (input first)', 'receptive field (rows, pixels)']);
});
