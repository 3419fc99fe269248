// Speed of the visual probes and the report, as medians (wall ms, and this process's CPU ms,
// which other load on the machine does not inflate; tfjs-wasm computes on this one thread):
//   - one shift-accuracy job: the full 10,000-image test set shifted horizontally and
//     vertically (20,000 predictions), at several predict batch sizes (the jobs use 1000);
//   - one feature-maps job's work (2 digits, 6 layers, 8 grids) and one filters job's 3 grids;
//   - building report.html for a small run of every visual experiment.
// Speed does not depend on the weights: the one-thread part uses an untrained Figure 1 CNN.
import type * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDataset } from '../src/data/datasets';
import { buildFigure1Cnn } from '../src/models/cnn';
import { plainWeights } from '../src/models/persist';
import { predictBatch } from '../src/models/predict';
import { layerActivations } from '../src/probes/activations';
import { shiftedPixels } from '../src/probes/shift';
import { compareImagesGrid, imageLayersGrid } from '../src/render/feature-map-grid';
import { filterGrid } from '../src/render/filter-grid';
import { convKernels } from '../src/kinds/filters';
import { buildReport } from '../src/report/build-report';
import { runExperiments } from '../src/runner/run';
import { useBackend } from '../src/tf/backend';
import { median } from '../src/statistics';

const REPEATS = 5;

function time(work: () => void, repeats = REPEATS): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    work();
    const used = process.cpuUsage(cpuStarted);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

function shiftAccuracy(
  model: tf.LayersModel,
  images: Uint8Array,
  labels: Uint8Array,
  shift: number,
  batch: number,
): number {
  let hits = 0;
  for (const [dx, dy] of [
    [shift, 0],
    [0, shift],
  ]) {
    for (let start = 0; start < labels.length; start += batch) {
      const end = Math.min(labels.length, start + batch);
      const probs = predictBatch(
        model,
        shiftedPixels(images, 28, 28, start, end, dx, dy),
        end - start,
        28,
        28,
      );
      for (let i = start; i < end; i++) {
        let best = 0;
        for (let k = 1; k < 10; k++)
          if (probs[(i - start) * 10 + k] > probs[(i - start) * 10 + best]) best = k;
        if (best === labels[i]) hits++;
      }
    }
  }
  return hits;
}

export async function benchVisuals(): Promise<void> {
  await useBackend('wasm');
  const data = loadDataset({ source: 'mnist' });
  const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
  const rows: Record<string, string | number>[] = [];
  const add = (what: string, t: { wall: number; cpu: number }) =>
    rows.push({ what, 'wall ms': t.wall.toFixed(1), 'cpu ms': t.cpu.toFixed(1) });

  for (const batch of [250, 1000, 10_000])
    add(
      `shift job, 2×10,000 images, predict batch ${batch}`,
      time(() => shiftAccuracy(model, data.test.images, data.test.labels, 3, batch)),
    );

  const pixels = new Float32Array(2 * 784);
  for (const [k, index] of [3, 61].entries())
    for (let p = 0; p < 784; p++) pixels[k * 784 + p] = data.test.images[index * 784 + p] / 255;
  const probed = [3, 61].map((index, k) => ({
    index,
    label: data.test.labels[index],
    rows: 28,
    cols: 28,
    pixels: pixels.subarray(k * 784, (k + 1) * 784),
  }));
  add(
    'feature maps: activations of 2 digits',
    time(() => layerActivations(model, pixels, 2, 28, 28)),
  );
  const activations = layerActivations(model, pixels, 2, 28, 28);
  add(
    'feature maps: 6 layer grids + 2 digit grids',
    time(() => {
      activations.forEach((a, i) => compareImagesGrid(a, probed, i + 1));
      probed.forEach((image, i) => imageLayersGrid(activations, image, i));
    }),
  );
  const kernels = convKernels(plainWeights(model));
  add(
    'filters: 3 layer grids',
    time(() => kernels.forEach(({ kernel }) => filterGrid(kernel, { scale: 14 }))),
  );

  const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-bench-visuals-'));
  try {
    const config = path.join(out, 'bench.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'bench',
        defaults: {
          data: { source: 'mnist', train: { first: 1000 }, test: { first: 500 } },
          seeds: [1, 2],
          training: { epochs: 1 },
        },
        experiments: [
          { name: 'train', kind: 'train' },
          { name: 'curves', kind: 'curves', model: 'train' },
          { name: 'filters', kind: 'filters', model: 'train' },
          { name: 'feature-maps', kind: 'feature-maps', model: 'train' },
          { name: 'shift', kind: 'shift', model: 'train' },
        ],
      }),
    );
    const summary = await runExperiments({ config, out, workers: 2, progress: 'none', log: () => {} });
    let built = { images: 0, tables: 0 };
    add(
      `report.html of a run with ${summary.counts.total} jobs`,
      time(() => (built = buildReport(path.join(out, 'bench')))),
    );
    rows[rows.length - 1].what += ` (${built.images} pictures, ${built.tables} tables)`;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.log('\nvisual probes and report (medians of %d)', REPEATS);
  console.table(rows);
}
