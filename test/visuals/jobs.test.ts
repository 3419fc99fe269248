// The probe jobs on a real small model: filters, feature maps, shift strip and accuracy, curves.
// Pictures are checked against the layer shapes; the shift accuracy at 0 against the model's own
// test accuracy on the same images.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { PNG } from 'pngjs';
import { curvesExperiment } from '../../src/experiments/curves';
import { featureMapsExperiment } from '../../src/experiments/feature-maps';
import { filtersExperiment } from '../../src/experiments/filters';
import type { NeededJob } from '../../src/experiments/kind';
import { shiftExperiment } from '../../src/experiments/shift';
import type { TrainResult } from '../../src/experiments/train';
import { divergingScale, maxAbs } from '../../src/render/colour';
import { filterGrid, filterLayout, filterWeights, kernelDims } from '../../src/render/filter-grid';
import { convKernels } from '../../src/experiments/filters';
import { expandContext, runPlanned } from '../occlusion/run-planned';
import { SMALL_TRAIN, trainSmallModel } from '../helpers/small-model';

const DEFAULTS = { data: SMALL_TRAIN.data, seeds: [1] } as never;
let model: NeededJob;
const models = () => ({ train: [{ key: 'train/seed=1', seed: 1, label: 'seed=1' }] });
const done = () => ({ 'train/seed=1': model });

beforeAll(async () => {
  model = await trainSmallModel();
}, 60_000);

function png(file: string): PNG {
  return PNG.sync.read(readFileSync(file));
}

function table(file: string): Record<string, string>[] {
  return parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
}

test('filters: one grid per conv layer, tiles as the kernel shapes say, colours map back to the weights', async () => {
  const config = filtersExperiment.schema.parse({ model: 'train' });
  const jobs = filtersExperiment.expand(config, expandContext(DEFAULTS, models(), 'filters'));
  expect(jobs.map((j) => j.key)).toEqual(['filters/seed=1']);
  const finished = await runPlanned(jobs, done());
  const job = finished['filters/seed=1'];
  const result = job.result as { layers: { layer: string; filters: number; inChannels: number }[] };
  expect(result.layers.map((l) => [l.layer, l.filters, l.inChannels])).toEqual([
    ['conv2d', 12, 1],
    ['conv2d_1', 12, 12],
    ['conv2d_2', 8, 12],
  ]);
  for (const file of jobs[0].publish!) expect(() => readFileSync(path.join(job.dir, file))).not.toThrow();
  const weights = table(path.join(job.dir, 'tables/filters.csv'));
  expect(weights).toHaveLength(3 * 3 * (12 + 12 * 12 + 12 * 8));

  // Rebuild each grid from the saved weights: same size as the PNG, and every tile's pixels,
  // read back from the PNG through the colour scale, give the weights in order.
  const kernels = convKernels(JSON.parse(readFileSync(path.join(model.dir, 'model/weights.json'), 'utf8')));
  const expectedTiles = [12, 144, 96];
  kernels.forEach(({ kernel }, k) => {
    const grid = filterGrid(kernel, { scale: config.scale });
    const picture = png(path.join(job.dir, jobs[0].publish![k]));
    expect([picture.width, picture.height]).toEqual([grid.picture.cols, grid.picture.rows]);
    const layout = filterLayout(kernelDims(kernel));
    expect(grid.boxes.flat().filter(Boolean)).toHaveLength(expectedTiles[k]);
    expect([grid.boxes.length, grid.boxes[0].length]).toEqual([layout.rows, layout.cols]);
    const colours = divergingScale(maxAbs(kernel.values));
    const step = (colours.domain[1] - colours.domain[0]) / 255; // one 8-bit level along the scale, roughly
    grid.boxes.forEach((row, r) =>
      row.forEach((box, c) => {
        const { filter, channel } = layout.at(r, c);
        const expected = filterWeights(kernel, filter, channel);
        const tileScale = box!.rows / 3;
        const decoded = Array.from(expected, (_, i) => {
          const y = box!.top + Math.floor(i / 3) * tileScale + Math.floor(tileScale / 2);
          const x = box!.left + (i % 3) * tileScale + Math.floor(tileScale / 2);
          const at = (y * picture.width + x) * 4;
          return colours.invert([picture.data[at] / 255, picture.data[at + 1] / 255, picture.data[at + 2] / 255]);
        });
        decoded.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(4 * step));
      }),
    );
  });
});

test('feature maps: a side-by-side grid per conv and pooling layer, a grid per digit, sizes from the layer shapes', async () => {
  const config = featureMapsExperiment.schema.parse({ model: 'train' });
  const jobs = featureMapsExperiment.expand(config, expandContext(DEFAULTS, models(), 'maps'));
  const params = jobs[0].params as { images: { index: number; label: number }[] };
  expect(params.images.map((i) => i.label)).toEqual([0, 8]);
  const finished = await runPlanned(jobs, done());
  const job = finished['maps/seed=1'];
  const result = job.result as { layers: { layer: string; shape: number[] }[] };
  expect(result.layers.map((l) => l.shape)).toEqual([
    [26, 26, 12],
    [13, 13, 12],
    [11, 11, 12],
    [5, 5, 12],
    [3, 3, 8],
    [1, 1, 8],
  ]);
  const stats = table(path.join(job.dir, 'tables/activations.csv'));
  expect(stats).toHaveLength(2 * (12 * 4 + 8 * 2));
  for (const file of jobs[0].publish!.filter((f) => f.endsWith('.png'))) {
    const picture = png(path.join(job.dir, file));
    expect(picture.width).toBeGreaterThan(600);
  }
  console.log(job.dir);
});

test('shift: strip of the first test 7, and accuracy at shift 0 equals the model\'s test accuracy', async () => {
  const config = shiftExperiment.schema.parse({ model: 'train', maxShift: 3, accuracyRange: 2 });
  const jobs = shiftExperiment.expand(config, expandContext(DEFAULTS, models(), 'shift'));
  expect(jobs.map((j) => j.key)).toEqual([
    'shift/seed=1/strip',
    ...[-2, -1, 0, 1, 2].map((s) => `shift/seed=1/accuracy/shift=${s}`),
    'shift/seed=1/accuracy',
  ]);
  const finished = await runPlanned(jobs, done());
  const strip = finished['shift/seed=1/strip'];
  const rows = table(path.join(strip.dir, 'tables/shifted_predictions.csv'));
  expect(rows).toHaveLength(4 * 4);
  expect((strip.result as { label: number }).label).toBe(7);
  const accuracy = table(path.join(finished['shift/seed=1/accuracy'].dir, 'tables/accuracy_vs_shift.csv'));
  const atZero = accuracy.find((r) => r.shift === '0')!;
  const testAccuracy = (model.result as unknown as TrainResult).testAccuracy;
  const chunk = finished['shift/seed=1/accuracy/shift=0'].result as { horizontalCorrect: number; images: number };
  expect(chunk.images).toBe(1000);
  expect(chunk.horizontalCorrect / chunk.images).toBe(testAccuracy);
  expect(Number(atZero.horizontal_accuracy)).toBeCloseTo(testAccuracy, 4);
  console.log(strip.dir, finished['shift/seed=1/accuracy'].dir);
});

test('curves: one chart per model and one overlaid, from the train jobs\' histories', async () => {
  const second = { ...model, id: 'test-train-copy' };
  const refs = { train: [{ key: 'train/seed=1', seed: 1, label: 'seed=1' }, { key: 'train/seed=2', seed: 2, label: 'seed=2' }] };
  const jobs = curvesExperiment.expand(curvesExperiment.schema.parse({ model: 'train' }), expandContext(DEFAULTS, refs, 'curves'));
  const finished = await runPlanned(jobs, { 'train/seed=1': model, 'train/seed=2': second });
  const job = finished.curves;
  for (const file of jobs[0].publish!) expect(() => readFileSync(path.join(job.dir, file))).not.toThrow();
  const history = table(path.join(job.dir, 'tables/history.csv'));
  expect(history).toHaveLength(2 * SMALL_TRAIN.training.epochs);
  console.log(job.dir);
});
