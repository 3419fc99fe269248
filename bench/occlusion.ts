// Occlusion speed, against the targets:
//   - one thread: median ms per 441-position map (8×8 patch, stride 1), each map one batched
//     predict (target ≤ 25 ms); for comparison the same at tfjs' default batch of 32, and the
//     population job's way of predicting 1, 2 or 4 images' maps per call;
//   - through the runner and its worker pool: maps/s on 1 and 2 workers (population jobs) over
//     1,000 images, and the whole 10,000-image test set on 2 workers (target ≤ 3 minutes) and on 1.
// Speed does not depend on the weights: the one-thread part uses an untrained Figure 1 CNN, the
// runner part a model trained for one short epoch by the runner itself.
import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gatherPixels } from '../src/data/pixels';
import { loadDataset } from '../src/data/datasets';
import { buildFigure1Cnn } from '../src/models/cnn';
import { occlusionGrid } from '../src/occlusion/grid';
import { occludedCopies } from '../src/occlusion/occlude';
import { predictBatch } from '../src/models/predict';
import { predictOcclusions } from '../src/occlusion/predict';
import { runExperiments } from '../src/runner/run';
import { useBackend } from '../src/tf/backend';
import { median } from '../src/statistics';
import { layersClassifier } from '../src/models/classifier';

type Row = Record<string, string | number>;

const MAPS = 40;
const RUNNER_IMAGES = 1000;
const quiet = { progress: 'none' as const, log: () => {} };

const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/**
 * Median ms per map over calls of `oneCall(first)`, which computes the maps of images
 * first, first + 1, ... and returns how many it did: wall time, and this process's CPU time.
 */
function msPerMap(images: number, oneCall: (first: number) => number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < images; ) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const maps = oneCall(i);
    const used = process.cpuUsage(cpuStarted);
    wall.push((performance.now() - started) / maps);
    cpu.push((used.user + used.system) / 1000 / maps);
    i += maps;
  }
  // The first call includes wasm warm-up.
  return { wall: median(wall.slice(1)), cpu: median(cpu.slice(1)) };
}

const ms = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(1)} ms (CPU ${t.cpu.toFixed(1)} ms)`;

export async function oneThread(rows: Row[]): Promise<void> {
  await useBackend('wasm');
  const data = loadDataset({ source: 'mnist', test: { first: MAPS * 4 } });
  const images = Array.from({ length: data.test.count }, (_, i) => gatherPixels(data.test, 784, [i]));
  const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
  const grid = occlusionGrid(28, 28, 8, 1);
  const buffer = new Float32Array(4 * grid.count * 784);
  /** All 441 copies of `perCall` images in one predict of the given batch size. */
  const allCopies = (perCall: number, batchSize?: number) => (first: number) => {
    for (let g = 0; g < perCall; g++)
      occludedCopies(images[first + g], grid, 0, grid.count, 0, buffer.subarray(g * grid.count * 784));
    const count = perCall * grid.count;
    if (batchSize === undefined) predictBatch(model, buffer, count, 28, 28);
    else
      tf.tidy(() =>
        (
          model.predict(tf.tensor4d(buffer.subarray(0, count * 784), [count, 28, 28, 1]), {
            batchSize,
          }) as tf.Tensor
        ).dataSync(),
      );
    return perCall;
  };

  // A tfjs model's map is computed synchronously (the incremental path awaits nothing).
  const classifier = layersClassifier(model, { rows: 28, cols: 28, channels: 1 });
  const jobs = msPerMap(MAPS, (first) => {
    void predictOcclusions(classifier, images[first], grid, 0, grid.count, 0, buffer);
    return 1;
  });
  rows.push({
    benchmark: 'one 441-position map as the jobs do it, 1 thread (clean + changed copies, one predict)',
    median: ms(jobs),
    target: '≤ 25 ms',
    verdict: verdict(jobs.wall <= 25),
  });
  const single = msPerMap(MAPS, allCopies(1));
  rows.push({
    benchmark: 'one map predicting all 441 copies (batch 441)',
    median: ms(single),
    target: '',
    verdict: '',
  });
  const batch32 = msPerMap(10, allCopies(1, 32));
  rows.push({
    benchmark: 'the same at predict batch size 32 (tfjs default)',
    median: ms(batch32),
    target: '',
    verdict: `${(batch32.cpu / single.cpu).toFixed(1)}× the CPU time`,
  });
  for (const perCall of [2, 4]) {
    rows.push({
      benchmark: `${perCall} maps per predict (batch ${perCall * 441}), per map`,
      median: ms(msPerMap(MAPS * perCall, allCopies(perCall))),
      target: '',
      verdict: '',
    });
  }
  model.dispose();
}

interface Prepared {
  root: string;
  runDir: string;
}

/** A run folder holding a model trained by the runner (one epoch on 2,000 images): copies of it skip training. */
async function prepareModel(): Promise<Prepared> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'probelab-bench-occlusion-'));
  const config = {
    name: 'bench',
    defaults: { data: { source: 'mnist', train: { first: 2000 } }, seeds: [1], training: { epochs: 1 } },
    experiments: [{ name: 'train', kind: 'train' }],
  };
  writeFileSync(path.join(root, 'train.json'), JSON.stringify(config));
  const summary = await runExperiments({
    config: 'train.json',
    out: path.join(root, 'base'),
    cwd: root,
    workers: 1,
    ...quiet,
  });
  if (summary.exitCode !== 0) throw new Error(`bench training failed: ${JSON.stringify(summary.failures)}`);
  return { root, runDir: path.join(root, 'base') };
}

/** CPU seconds of this process, all threads (the runner and its workers). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Where the wall time of one runner run went, in seconds, read from its job records. */
interface Phases {
  run: string;
  /** Run start → the first job's start: planning, the pool's threads starting. */
  'until first job': number;
  /** First chunk start → last chunk end (the first chunk of each thread loads tfjs, the data and the model). */
  chunks: number;
  /** The chunks' own time divided by the workers: `chunks` when they are busy all along. */
  'chunk work per worker': number;
  /** Last chunk end → the summary job's start. */
  'to summary job': number;
  /** The summary job: merging, tables, the two charts (one thread; the other waits). */
  'summary job': number;
  /** Its end → the run's end: publishing, summary.json, report.html, the threads ending. */
  'after last job': number;
  total: number;
}

const secondsOf = (ms: number) => Number((ms / 1000).toFixed(3));

function phasesOf(run: string, runDir: string, workers: number, startedAt: number, endedAt: number): Phases {
  const jobs = readdirSync(path.join(runDir, 'jobs'))
    .map((id) => path.join(runDir, 'jobs', id, 'result.json'))
    .filter((file) => existsSync(file))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as { kind: string; startedAt: string; ms: number })
    .map((job) => ({ kind: job.kind, start: Date.parse(job.startedAt), ms: job.ms }))
    .filter((job) => job.start >= startedAt);
  const chunks = jobs.filter((job) => job.kind === 'occlusion-population-chunk');
  const summary = jobs.find((job) => job.kind === 'occlusion-population');
  if (!summary || chunks.length === 0) throw new Error(`bench run ${run}: no population jobs ran`);
  const first = Math.min(...chunks.map((job) => job.start));
  const last = Math.max(...chunks.map((job) => job.start + job.ms));
  return {
    run,
    'until first job': secondsOf(first - startedAt),
    chunks: secondsOf(last - first),
    'chunk work per worker': secondsOf(chunks.reduce((sum, job) => sum + job.ms, 0) / workers),
    'to summary job': secondsOf(summary.start - last),
    'summary job': secondsOf(summary.ms),
    'after last job': secondsOf(endedAt - (summary.start + summary.ms)),
    total: secondsOf(endedAt - startedAt),
  };
}

/**
 * Wall and CPU seconds of a population run over `images` on `workers`, in a copy of the
 * prepared run folder (only the occlusion jobs run), and where its wall time went.
 */
async function populationSeconds(
  prepared: Prepared,
  images: unknown,
  workers: number,
  label: string,
): Promise<{ wall: number; cpu: number; phases: Phases }> {
  const out = path.join(prepared.root, label);
  cpSync(prepared.runDir, out, { recursive: true });
  const config = {
    name: 'bench',
    defaults: { data: { source: 'mnist', train: { first: 2000 } }, seeds: [1], training: { epochs: 1 } },
    experiments: [
      { name: 'train', kind: 'train' },
      { name: 'occlusion', kind: 'occlusion', model: 'train', mode: 'population', images },
    ],
  };
  writeFileSync(path.join(prepared.root, `${label}.json`), JSON.stringify(config));
  const startedAt = Date.now();
  const started = performance.now();
  const cpu = cpuSeconds();
  const summary = await runExperiments({
    config: `${label}.json`,
    out,
    cwd: prepared.root,
    workers,
    ...quiet,
  });
  const wall = (performance.now() - started) / 1000;
  const used = cpuSeconds() - cpu;
  if (summary.exitCode !== 0) throw new Error(`bench run failed: ${JSON.stringify(summary.failures)}`);
  if (summary.counts.ranNow === 0) throw new Error('bench run found its jobs already done');
  const phases = phasesOf(
    `${label}, ${workers} worker${workers === 1 ? '' : 's'}`,
    summary.runDir,
    workers,
    startedAt,
    startedAt + wall * 1000,
  );
  rmSync(out, { recursive: true, force: true });
  return { wall, cpu: used, phases };
}

export async function throughRunner(rows: Row[], phases: Phases[]): Promise<void> {
  const prepared = await prepareModel();
  try {
    const first = { first: RUNNER_IMAGES };
    const one = await populationSeconds(prepared, first, 1, 'one');
    phases.push(one.phases);
    const oneRate = RUNNER_IMAGES / one.wall;
    const cpu = (t: { cpu: number }, maps: number) =>
      `${t.cpu.toFixed(1)} s (${((t.cpu / maps) * 1000).toFixed(1)} ms/map)`;
    rows.push({
      benchmark: `maps/s through the runner, 1 worker (${RUNNER_IMAGES} images)`,
      median: `${oneRate.toFixed(1)} maps/s`,
      'cpu (all threads)': cpu(one, RUNNER_IMAGES),
      target: '',
      verdict: '',
    });
    const two = await populationSeconds(prepared, first, 2, 'two');
    phases.push(two.phases);
    const twoRate = RUNNER_IMAGES / two.wall;
    rows.push({
      benchmark: `maps/s through the runner, 2 workers (${RUNNER_IMAGES} images)`,
      median: `${twoRate.toFixed(1)} maps/s`,
      'cpu (all threads)': cpu(two, RUNNER_IMAGES),
      target: '',
      verdict: `${(twoRate / oneRate).toFixed(2)}× one worker`,
    });
    const all = await populationSeconds(prepared, 'all', 2, 'all');
    phases.push(all.phases);
    rows.push({
      benchmark: 'whole test set (10,000 maps + summary), 2 workers',
      median: `${all.wall.toFixed(1)} s`,
      'cpu (all threads)': cpu(all, 10_000),
      target: '≤ 180 s',
      verdict: verdict(all.wall <= 180),
    });
    // The population a user runs (all.json's): the whole test set on 1 worker too, for the speed-up
    // on that work; in a 1,000-map run the costs paid once per run weigh far more.
    const allOne = await populationSeconds(prepared, 'all', 1, 'all-one');
    phases.push(allOne.phases);
    rows.push({
      benchmark: 'whole test set (10,000 maps + summary), 1 worker',
      median: `${allOne.wall.toFixed(1)} s`,
      'cpu (all threads)': cpu(allOne, 10_000),
      target: '2 workers ≥ 1.85×',
      verdict: `2 workers ${(allOne.wall / all.wall).toFixed(2)}× one`,
    });
  } finally {
    rmSync(prepared.root, { recursive: true, force: true });
  }
}

export async function benchOcclusion(): Promise<Row[]> {
  const rows: Row[] = [];
  const phases: Phases[] = [];
  await oneThread(rows);
  await throughRunner(rows, phases);
  console.log(
    `\nocclusion (8×8 patch, stride 1, 441 positions per map; ${os.availableParallelism()} cores, load average ${os.loadavg()[0].toFixed(1)} at the end; runner times are wall times including pool start and publishing)`,
  );
  console.table(rows);
  console.log('\nwhere the wall time of each runner run went (seconds, from its job records)');
  console.table(phases);
  return rows;
}

if (require.main === module) void benchOcclusion();
