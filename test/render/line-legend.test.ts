// Each legend entry of a line chart looks like the line it names: a short line of the same
// colour and dash (train solid, validation dashed), never a filled circle.
import { curvesChart, type EpochRow } from '../../src/kinds/curves';
import { accuracyChart } from '../../src/kinds/shift';
import type { ChartSpec } from '../../src/render/chart';
import { chartScene, type LegendEntry } from '../helpers/chart-scene';

const SOLID = [1, 0];
const VISIBLE = (entry: LegendEntry) => entry.stroke !== undefined && entry.stroke !== 'transparent';

const history: EpochRow[] = ['seed=1', 'seed=2'].flatMap((model, m) =>
  [1, 2, 3].map((epoch) => ({
    model,
    epoch,
    loss: 1 / epoch + m / 10,
    accuracy: 0.8 + epoch / 50,
    valLoss: 1.1 / epoch,
    valAccuracy: 0.78 + epoch / 50 - m / 100,
  })),
);
const one = history.filter((r) => r.model === 'seed=1');
const key = (l: { stroke?: string; strokeDash?: number[] }) =>
  `${l.stroke} ${JSON.stringify(l.strokeDash ?? SOLID)}`;

test('curves of one model: one legend whose entries are the two lines, train solid and validation dashed', async () => {
  const scene = await chartScene(curvesChart(one, 'one', false));
  expect(scene.legends).toHaveLength(1);
  const [{ entries }] = scene.legends;
  expect(entries.map((e) => [e.label, e.shape])).toEqual([
    ['train', 'stroke'],
    ['validation', 'stroke'],
  ]);
  expect(entries[0].strokeDash ?? SOLID).toEqual(SOLID);
  expect(entries[1].strokeDash).not.toEqual(SOLID);
  // Every line drawn is one of the entries, and every entry is a line drawn.
  expect(new Set(scene.lines.map(key))).toEqual(new Set(entries.map(key)));
});

test('curves of several models: colour names the model, dash names the data, each entry a visible line', async () => {
  const scene = await chartScene(curvesChart(history, 'all', true));
  const byTitle = Object.fromEntries(scene.legends.map((l) => [l.title, l.entries]));
  expect(Object.keys(byTitle).sort()).toEqual(['data', 'model']);
  for (const entry of [...byTitle.model, ...byTitle.data])
    expect({ label: entry.label, shape: entry.shape, visible: VISIBLE(entry) }).toEqual({
      label: entry.label,
      shape: 'stroke',
      visible: true,
    });
  expect(new Set(byTitle.model.map((e) => e.stroke))).toEqual(new Set(scene.lines.map((l) => l.stroke)));
  const dashOf = Object.fromEntries(
    byTitle.data.map((e) => [e.label, JSON.stringify(e.strokeDash ?? SOLID)]),
  );
  expect(dashOf.train).toBe(JSON.stringify(SOLID));
  expect(dashOf.validation).not.toBe(JSON.stringify(SOLID));
  expect(new Set(scene.lines.map((l) => JSON.stringify(l.strokeDash ?? SOLID)))).toEqual(
    new Set(Object.values(dashOf)),
  );
});

test('accuracy against shift: each direction an entry of the line colour', async () => {
  const rows = [-1, 0, 1].map((shift) => ({ shift, horizontal: 1 - Math.abs(shift) / 10, vertical: 0.95 }));
  const scene = await chartScene(accuracyChart(rows, 'shift') as ChartSpec);
  const [{ entries }] = scene.legends;
  expect(entries.map((e) => e.shape)).toEqual(['stroke', 'stroke']);
  expect(new Set(scene.lines.map(key))).toEqual(new Set(entries.map(key)));
});
