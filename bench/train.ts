// Training and inference throughput of the Figure 1 CNN on the wasm backend, one thread
// (= one core): training images/s at batch 32 and 128, inference images/s, peak memory.
// Each figure is the median of several repeats on real MNIST.
// Bench `train-overhead` (benchTrainingOverhead): a training job's CPU ÷ the fused step's CPU for
// the images it trains. The job is the Figure 1 training of configs/all.json (one seed, EPOCHS
// epochs, default 12) through the CLI on one worker, its CPU from the journal; the step is the bare
// fused step on batches gathered beforehand; alternating, ROUNDS rounds (default 3).
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../src/data/datasets';
import { rangeTensor } from '../src/data/batches';
import { buildFigure1Cnn } from '../src/models/cnn';
import { train } from '../src/models/train-loop';
import { TRAINING_DEFAULTS, trainingSpecSchema } from '../src/models/training-spec';
import { useBackend } from '../src/tf/backend';
import { median } from '../src/statistics';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Split } from '../src/data/datasets';
import { gatherPixels } from '../src/data/pixels';
import { EPSILON, makeOptimizer, validationIndices } from '../src/models/train-loop';
import { mulberry32 } from '../src/random';
import { FusedTraining } from '../src/tf/fused-training';
import { ROOT } from './paths';

const REPEATS = 3;
const TRAIN_IMAGES = 4000;
const INFER_IMAGES = 10000;

export async function benchTrain(): Promise<Record<string, string | number>[]> {
  await useBackend('wasm');
  const data = loadDataset({ source: 'mnist', train: { first: TRAIN_IMAGES } });
  const rows: Record<string, string | number>[] = [];
  for (const batchSize of [32, 128]) {
    const spec = trainingSpecSchema.parse({ epochs: 1, batchSize, validationSplit: 0 });
    const rates: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const model = buildFigure1Cnn({ dropout: spec.dropout, seed: r });
      const started = performance.now();
      train(model, data, spec, { seed: r });
      rates.push(TRAIN_IMAGES / ((performance.now() - started) / 1000));
      model.dispose();
    }
    rows.push({
      measure: `training, batch ${batchSize}`,
      'images/s (median)': Math.round(median(rates)),
      repeats: REPEATS,
      'min..max': `${Math.round(Math.min(...rates))}..${Math.round(Math.max(...rates))}`,
    });
  }
  const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
  const x = rangeTensor(data.train, 28, 28, 0, Math.min(INFER_IMAGES, data.train.count));
  for (const batchSize of [441, 1000]) {
    const rates: number[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const started = performance.now();
      tf.tidy(() => (model.predict(x, { batchSize }) as tf.Tensor).dataSync());
      rates.push(x.shape[0] / ((performance.now() - started) / 1000));
    }
    rows.push({
      measure: `inference, batch ${batchSize}`,
      'images/s (median)': Math.round(median(rates)),
      repeats: REPEATS,
      'min..max': `${Math.round(Math.min(...rates))}..${Math.round(Math.max(...rates))}`,
    });
  }
  x.dispose();
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  rows.push({
    measure: 'peak resident memory (MiB)',
    'images/s (median)': Math.round(peakMiB),
    repeats: '',
    'min..max': '',
  });
  console.log(`\nFigure 1 CNN on wasm, one thread, ${TRAIN_IMAGES} real MNIST training images per repeat`);
  console.table(rows);
  return rows;
}

const EPOCHS = Number(process.env.EPOCHS ?? 12);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const STEP_BATCHES = 200;
/** Passes over the ready batches per measurement: 32,000 images, seconds of CPU, so that a moment's load weighs little. */
const STEP_REPEATS = 5;
const MNIST_TRAIN_IMAGES = 60000;

/** CPU seconds of a one-seed Figure 1 training job on full MNIST, and the images it trained. */
function trainingJobCpu(): { cpu: number; images: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'probelab-bench-'));
  try {
    const config = {
      name: 'overhead',
      defaults: { data: { source: 'mnist' }, seeds: [1], training: { epochs: EPOCHS } },
      experiments: [{ name: 'train', kind: 'train' }],
    };
    const file = path.join(dir, 'overhead.json');
    writeFileSync(file, JSON.stringify(config));
    const cli = path.join(ROOT, 'dist', 'src', 'cli.js');
    const run = spawnSync(
      process.execPath,
      [cli, file, '--workers', '1', '--progress', 'none', '--out', dir],
      {
        encoding: 'utf8',
      },
    );
    if (run.status !== 0) throw new Error(`training job exited with ${run.status}: ${run.stderr}`);
    const journal = readFileSync(path.join(dir, 'overhead', 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const finished = journal
      .map((line) => JSON.parse(line) as { event: string; kind?: string; cpuMs?: number })
      .find((e) => e.event === 'finished' && e.kind === 'train');
    if (finished?.cpuMs === undefined) throw new Error('the journal holds no CPU time of the training job');
    const trained = validationIndices(MNIST_TRAIN_IMAGES, TRAINING_DEFAULTS.validationSplit).train.length;
    return { cpu: finished.cpuMs / 1000, images: EPOCHS * trained };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU µs per image of the bare fused step (Figure 1, batch 32) on batches gathered beforehand: median of 3 passes after a warm-up. */
function fusedStepMicros(train: Split): number {
  const spec = trainingSpecSchema.parse({});
  const model = buildFigure1Cnn({ dropout: spec.dropout, seed: 1 });
  const optimizer = makeOptimizer(spec);
  const fused = FusedTraining.create(model, optimizer, { batchSize: 32, clip: EPSILON });
  if (!fused) throw new Error('the fused step does not apply to Figure 1 on this backend');
  const batches = Array.from({ length: STEP_BATCHES }, (_, b) => {
    const indices = Array.from({ length: 32 }, (_, i) => b * 32 + i);
    return {
      images: gatherPixels(train, 784, indices),
      labels: Int32Array.from(indices, (i) => train.labels[i]),
    };
  });
  const random = mulberry32(1);
  const pass = () => {
    for (let repeat = 0; repeat < STEP_REPEATS; repeat++)
      for (const { images, labels } of batches) fused.step(images, labels, 32, random);
  };
  pass();
  const micros: number[] = [];
  for (let r = 0; r < 3; r++) {
    const started = process.cpuUsage();
    pass();
    const used = process.cpuUsage(started);
    micros.push((used.user + used.system) / (STEP_REPEATS * STEP_BATCHES * 32));
  }
  fused.dispose();
  optimizer.dispose();
  model.dispose();
  return median(micros);
}

/** A training job's CPU ÷ the bare fused step's CPU for the images it trains, alternating, ROUNDS rounds. */
export async function benchTrainingOverhead(): Promise<void> {
  await useBackend('wasm');
  const data = loadDataset({ source: 'mnist', train: { first: STEP_BATCHES * 32 } });
  const jobs: { cpu: number; images: number }[] = [];
  const steps: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    jobs.push(trainingJobCpu());
    steps.push(fusedStepMicros(data.train));
  }
  const perImage = jobs.map((j) => (j.cpu * 1e6) / j.images);
  const ratios = perImage.map((p, i) => p / steps[i]);
  const show = (values: number[], digits = 1) => values.map((v) => v.toFixed(digits)).join(' · ');
  console.log(
    `\ntraining job CPU ÷ fused step CPU: Figure 1, full MNIST, ${EPOCHS} epochs, one seed, batch 32, through the CLI on one worker (CPU from the journal), alternating with the bare fused step (median of 3 measurements of ${STEP_REPEATS} passes over ${STEP_BATCHES} ready batches); ${ROUNDS} rounds`,
  );
  console.table([
    {
      figure: 'training job CPU (s)',
      rounds: show(jobs.map((j) => j.cpu)),
      median: median(jobs.map((j) => j.cpu)).toFixed(1),
    },
    { figure: 'job CPU per trained image (µs)', rounds: show(perImage), median: median(perImage).toFixed(1) },
    { figure: 'fused step CPU per image (µs)', rounds: show(steps), median: median(steps).toFixed(1) },
    {
      figure: 'training job CPU ÷ fused step CPU',
      rounds: show(ratios, 2),
      median: median(ratios).toFixed(2),
    },
  ]);
}

if (require.main === module) void benchTrain();
