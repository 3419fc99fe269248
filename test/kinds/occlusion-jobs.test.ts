// The occlusion experiment end to end on a real small model: planned jobs run in order in this
// thread (the runner's own test runs them on the pool).
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { occlusionExperiment, occlusionConfigSchema } from '../../src/kinds/occlusion/occlusion';
import type { OcclusionChunkResult } from '../../src/kinds/occlusion/occlusion-maps';
import type { NeededJob, PlannedJob } from '../../src/jobs/kind';
import { loadDataset } from '../../src/data/datasets';
import { loadModel } from '../../src/models/persist';
import { occlusionGrid } from '../../src/occlusion/grid';
import { patchChangesImage, predictOcclusions } from '../../src/occlusion/predict';
import { layersClassifier } from '../../src/models/classifier';
import { mulberry32 } from '../../src/random';
import { SMALL_TRAIN, trainSmallModel } from '../helpers/small-model';
import { expandContext, runPlanned } from '../helpers/run-occlusion-jobs';

const MODEL_KEY = 'train/seed=1';
const defaults = { data: SMALL_TRAIN.data, backend: 'wasm' } as never;
const ctx = expandContext(defaults, { train: [{ key: MODEL_KEY, seed: 1, label: 'seed=1' }] });
const plan = (config: object): PlannedJob[] =>
  occlusionExperiment.expand(occlusionConfigSchema.parse({ model: 'train', ...config }), ctx);
const data = loadDataset(SMALL_TRAIN.data);

let trained: NeededJob;
let model: tf.LayersModel;
beforeAll(async () => {
  trained = await trainSmallModel();
  model = await loadModel(path.join(trained.dir, 'model'));
}, 60_000);

/** The model's probabilities for one explicitly occluded copy, predicted on its own. */
function predictOccluded(index: number, row: number, col: number, patch: number, fill: number): number[] {
  const image = Array.from(data.test.images.subarray(index * 784, (index + 1) * 784), (b) => b / 255);
  for (let r = row; r < row + patch; r++) for (let c = col; c < col + patch; c++) image[r * 28 + c] = fill;
  return tf.tidy(() =>
    Array.from((model.predict(tf.tensor4d(image, [1, 28, 28, 1])) as tf.Tensor).dataSync()),
  );
}

const readCsv = (file: string) =>
  readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
const mapJob = (finished: Record<string, NeededJob>, index: number) => finished[`occ/seed=1/image=${index}`];

describe('occlusion maps on a real model', () => {
  test('each map entry equals the prediction on an explicitly occluded copy, whatever the chunking', async () => {
    const random = mulberry32(42);
    const images = Array.from({ length: 2 }, () => Math.floor(random() * data.test.count));
    const chunked = await runPlanned(plan({ images, chunkSize: 100 }), { [MODEL_KEY]: trained });
    // The whole map as one chunk: only the chunk jobs are needed to compare.
    const whole = await runPlanned(
      plan({ images, chunkSize: 441 }).filter((j) => j.kind === 'occlusion-chunk'),
      { [MODEL_KEY]: trained },
    );
    expect(Object.keys(chunked).filter((k) => k.includes('chunk=')).length).toBe(2 * 5);
    for (const index of images) {
      const label = data.test.labels[index];
      const [probsChunked, probsWhole] = [chunked, whole].map((finished) =>
        Object.keys(finished)
          .filter((k) => k.startsWith(`occ/seed=1/image=${index}/chunk=`))
          .flatMap((k) => (finished[k].result as unknown as OcclusionChunkResult).probabilities),
      );
      expect(probsChunked).toHaveLength(441 * 10);
      expect(Math.max(...probsChunked.map((p, i) => Math.abs(p - probsWhole[i])))).toBeLessThanOrEqual(1e-6);
      const table = readCsv(path.join(mapJob(chunked, index).dir, `tables/prob_of_${label}.csv`));
      for (let n = 0; n < 12; n++) {
        const row = Math.floor(random() * 21);
        const col = Math.floor(random() * 21);
        const k = row * 21 + col;
        const expected = predictOccluded(index, row, col, 8, 0);
        for (let c = 0; c < 10; c++)
          expect(Math.abs(probsChunked[k * 10 + c] - expected[c])).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(Number(table[row + 1][col + 1]) - expected[label])).toBeLessThanOrEqual(5e-7 + 1e-6);
      }
    }
  });

  test('positions whose patch changes no pixel are not predicted again, and still equal the prediction on their copy', async () => {
    const index = 11;
    const image = Float32Array.from(
      data.test.images.subarray(index * 784, (index + 1) * 784),
      (b) => b / 255,
    );
    const grid = occlusionGrid(28, 28, 8, 1);
    const unchanged = Array.from({ length: grid.count }, (_, k) => k).filter(
      (k) => !patchChangesImage(image, grid, k, 0),
    );
    expect(unchanged.length).toBeGreaterThan(10); // blank corners of the digit
    expect(patchChangesImage(image, grid, unchanged[0], 0.5)).toBe(true);
    const classifier = layersClassifier(model, { rows: 28, cols: 28, channels: 1 });
    const result = await predictOcclusions(classifier, image, grid, 0, grid.count, 0);
    expect(result.predicted).toBe(grid.count - unchanged.length);
    for (const k of [unchanged[0], unchanged.at(-1)!]) {
      const expected = predictOccluded(index, Math.floor(k / 21), k % 21, 8, 0);
      for (let c = 0; c < 10; c++)
        expect(Math.abs(result.occluded[k * 10 + c] - expected[c])).toBeLessThanOrEqual(1e-6);
      expect(Array.from(result.occluded.subarray(k * 10, k * 10 + 10))).toEqual(Array.from(result.clean));
    }
  });

  test('other fills and strides: image mean fill, 5×5 patch with stride 2 → 12×12 tables', async () => {
    const index = 11;
    const finished = await runPlanned(plan({ images: [index], patch: 5, stride: 2, fill: 'image-mean' }), {
      [MODEL_KEY]: trained,
    });
    const dir = mapJob(finished, index).dir;
    const table = readCsv(path.join(dir, 'tables/label.csv'));
    expect(table).toHaveLength(13);
    expect(table[0]).toEqual(['label', ...Array.from({ length: 12 }, (_, i) => String(i * 2))]);
    expect(table.map((r) => r[0]).slice(1)).toEqual(Array.from({ length: 12 }, (_, i) => String(i * 2)));
    const mean =
      Array.from(data.test.images.subarray(index * 784, (index + 1) * 784)).reduce((a, b) => a + b / 255, 0) /
      784;
    const probs = readCsv(path.join(dir, 'tables/prob_of_6.csv'));
    const expected = predictOccluded(index, 10, 14, 5, mean)[6];
    expect(Math.abs(Number(probs[6][8]) - expected)).toBeLessThanOrEqual(1.5e-6);
  });

  test('one image: published files, important region, adversarial placements and their pictures', async () => {
    const jobs = plan({ images: { firstOfLabel: 6 }, threshold: 0.9 });
    const map = jobs.find((j) => j.kind === 'occlusion-map')!;
    expect(map.key).toBe('occ/seed=1/image=11');
    const finished = await runPlanned(jobs, { [MODEL_KEY]: trained });
    const job = finished[map.key];
    for (const file of map.publish!) expect(existsSync(path.join(job.dir, file))).toBe(true);
    const dir = job.dir;
    const probs = readCsv(path.join(dir, 'tables/prob_of_6.csv'))
      .slice(1)
      .flatMap((r) => r.slice(1).map(Number));
    const labels = readCsv(path.join(dir, 'tables/label.csv'))
      .slice(1)
      .flatMap((r) => r.slice(1).map(Number));

    // Region: covered by the placements below 0.9 (on 6-decimal values, away from the threshold).
    const region = JSON.parse(readFileSync(path.join(dir, 'tables/important_region.json'), 'utf8'));
    const below = probs.map((p, k) => [p, k] as const).filter(([p]) => p < 0.9);
    expect(region.placements).toBe(below.length);
    if (below.length) {
      const rows = below.map(([, k]) => Math.floor(k / 21));
      const cols = below.map(([, k]) => k % 21);
      expect(region.rows).toEqual([Math.min(...rows), Math.max(...rows) + 7]);
      expect(region.cols).toEqual([Math.min(...cols), Math.max(...cols) + 7]);
    }
    expect(readCsv(path.join(dir, 'tables/important_region.csv'))[0]).toEqual([
      'threshold',
      'placements',
      'pixels',
      'row_first',
      'row_last',
      'col_first',
      'col_last',
    ]);

    // Adversarial: one row and one upscaled picture per placement whose label is not 6.
    const adversarial = readCsv(path.join(dir, 'tables/adversarial.csv'));
    expect(adversarial[0]).toEqual(['row', 'col', 'new_label', 'new_label_prob', 'true_prob', 'image']);
    const flips = labels.filter((l) => l !== 6).length;
    expect(adversarial.length - 1).toBe(flips);
    expect(readdirSync(path.join(dir, 'figures/adv_img'))).toHaveLength(flips);
    const counts = readCsv(path.join(dir, 'tables/adversarial_counts.csv'));
    expect(counts.slice(1).map((r) => r[0])).toEqual(['0', '1', '2', '3', '4', '5', '7', '8', '9']);
    expect(counts.slice(1).reduce((a, r) => a + Number(r[1]), 0)).toBe(flips);
    for (const [row, col, newLabel, , , file] of adversarial.slice(1)) {
      expect(labels[Number(row) * 21 + Number(col)]).toBe(Number(newLabel));
      const png = PNG.sync.read(readFileSync(path.join(dir, 'figures', file)));
      expect([png.width, png.height]).toEqual([280, 280]);
      // The patch is black at its centre and outlined in orange at its corner, upscaled.
      const pixel = (r: number, c: number) => [
        ...png.data.subarray((r * 280 + c) * 4, (r * 280 + c) * 4 + 3),
      ];
      expect(pixel((Number(row) + 4) * 10, (Number(col) + 4) * 10)).toEqual([0, 0, 0]);
      expect(pixel(Number(row) * 10, Number(col) * 10)).toEqual([255, 140, 0]);
    }
    // The sheet: 84-pixel copies, 12 to a row, each with its caption under it.
    const sheet = PNG.sync.read(readFileSync(path.join(dir, 'figures/adversarial.png')));
    expect(sheet.width).toBeGreaterThan(Math.min(12, flips) * 84);
    expect(sheet.height).toBeGreaterThan(Math.ceil(flips / 12) * (84 + 11));
    expect(job.result).toMatchObject({
      image: 11,
      label: 6,
      positions: 441,
      adversarial: flips,
      region: { placements: below.length },
    });
    const heat = PNG.sync.read(readFileSync(path.join(dir, 'figures/prob_of_6.png')));
    expect(heat.width).toBeGreaterThan(300);
  });

  test('planning errors name the field: a patch larger than the image, unknown images, too many maps', () => {
    expect(() => plan({ patch: 30 })).toThrow('patch: a 30×30 patch does not fit in the 28×28 images');
    expect(() => plan({ images: [5, 1000] })).toThrow(
      'images[1]: test index 1000 is out of range (the test set has 1000 images, 0..999)',
    );
    expect(() => plan({ images: 'all' })).toThrow(/use mode "population"/);
    expect(() => plan({ images: { firstOfLabel: 12 } })).toThrow(
      /images.firstOfLabel: no test image has label 12/,
    );
    expect(() => plan({ seeds: [2] })).toThrow(
      'seeds: experiment "train" trains no model with seed 2 (its seeds: 1)',
    );
    expect(plan({ seeds: [1] }).map((j) => j.key)).toEqual(plan({}).map((j) => j.key));
  });
});

describe('occlusion over a population of images', () => {
  test('per-image outcomes and class totals agree with the per-image maps', async () => {
    const images = { first: 40 };
    const population = await runPlanned(plan({ mode: 'population', images, imagesPerJob: 15 }), {
      [MODEL_KEY]: trained,
    });
    const summary = population['occ/seed=1/population'];
    const dir = summary.dir;
    const rows = readCsv(path.join(dir, 'tables/images.csv'));
    expect(rows[0]).toEqual([
      'index',
      'label',
      'clean_label',
      'clean_true_prob',
      'min_true_prob',
      'min_row',
      'min_col',
      'flipping_placements',
    ]);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(Array.from({ length: 40 }, (_, i) => i));

    // Image 11 (a 6) against its own maps; the maps of every 6 for the mean drop map below.
    const sixes = rows
      .slice(1)
      .filter((r) => r[1] === '6')
      .map((r) => Number(r[0]));
    expect(sixes).toContain(11);
    const maps = await runPlanned(plan({ images: sixes }), { [MODEL_KEY]: trained });
    const mapDir = mapJob(maps, 11).dir;
    const probs = readCsv(path.join(mapDir, 'tables/prob_of_6.csv'))
      .slice(1)
      .flatMap((r) => r.slice(1));
    const row11 = rows[12];
    expect(row11[4]).toBe(probs.reduce((a, b) => (Number(b) < Number(a) ? b : a)));
    expect(Number(row11[7])).toBe(readCsv(path.join(mapDir, 'tables/adversarial.csv')).length - 1);
    expect(Number(row11[3])).toBeCloseTo(
      (mapJob(maps, 11).result as { cleanTrueProb: number }).cleanTrueProb,
      6,
    );

    // Class totals from the per-image rows.
    const table = readCsv(path.join(dir, 'tables/population.csv'));
    expect(table[0]).toEqual([
      'label',
      'images',
      'correct_clean',
      'flipped',
      'flip_share',
      'mean_clean_true_prob',
      'mean_min_true_prob',
    ]);
    expect(table.map((r) => r[0]).slice(1)).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      'all',
    ]);
    for (const [label, n, correct, flipped] of table.slice(1, -1)) {
      const mine = rows.slice(1).filter((r) => r[1] === label);
      expect(Number(n)).toBe(mine.length);
      expect(Number(correct)).toBe(mine.filter((r) => r[2] === label).length);
      expect(Number(flipped)).toBe(mine.filter((r) => r[2] === label && Number(r[7]) > 0).length);
    }
    expect(table.at(-1)!.slice(0, 2)).toEqual(['all', '40']);

    // The mean drop map of class 6 is the mean over the 6s of (clean − occluded) probabilities.
    const drop6 = readCsv(path.join(dir, 'tables/mean_drop_of_6.csv'));
    expect(drop6).toHaveLength(22);
    expect(drop6[0][0]).toBe('mean_drop_of_6');
    // At every position: the mean over the 6s of clean minus occluded probability of 6.
    expect(sixes.length).toBeGreaterThan(1);
    const sixMaps = sixes.map((index) => ({
      clean: Number(rows[index + 1][3]),
      occluded: readCsv(path.join(mapJob(maps, index).dir, 'tables/prob_of_6.csv')),
    }));
    for (let row = 1; row < drop6.length; row++) {
      for (let col = 1; col < drop6[row].length; col++) {
        const drops = sixMaps.map(({ clean, occluded }) => clean - Number(occluded[row][col]));
        expect(Number(drop6[row][col])).toBeCloseTo(drops.reduce((a, b) => a + b) / drops.length, 5);
      }
    }
    expect(summary.result).toMatchObject({ images: 40 });
  });
});
