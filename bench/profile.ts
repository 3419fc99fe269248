// Where the time goes, per kernel on the wasm backend, one thread: one training step of the Figure 1
// CNN at batch 32 (BATCH=n for another; after warm-up steps) through tfjs' tape (tf.profile) and
// through the fused step (each SIMD kernel call timed), one 441-position occlusion map, and
// inference of 10,000 images through predictBatch in passes of 256 (each kernel call timed, with
// the multiply-adds per second of each convolution). Prints each kernel's calls and time, largest
// first. `BATCH=128 node dist/bench/index.js profile`. NET=wide or NET=cifar (the networks of
// bench/shapes.ts): their fused step and their inference of BATCH images instead.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gatherPixels, pixelsPerImage } from '../src/data/pixels';
import { type Dataset, loadDataset, takeSubset } from '../src/data/datasets';
import { buildFigure1Cnn } from '../src/models/cnn';
import { train } from '../src/models/train-loop';
import { trainingSpecSchema } from '../src/models/training-spec';
import { occlusionGrid } from '../src/occlusion/grid';
import { predictOcclusions } from '../src/occlusion/predict';
import { useBackend } from '../src/tf/backend';
import { wrapKernels } from '../src/tf/simd-module';
import { layersClassifier } from '../src/models/classifier';
import { predictBatch } from '../src/models/predict';

type Row = Record<string, string | number>;

const STEPS = 40;
const BATCH = Number(process.env.BATCH ?? 32);
const NET = process.env.NET;
const INFER_N = 10000;

/** Per-kernel totals of what `f` ran, summed over `repeats` profiled runs and divided by them. */
async function perKernel(f: () => void, repeats: number, per = 1): Promise<{ rows: Row[]; wall: number }> {
  const totals = new Map<string, { calls: number; ms: number }>();
  let wall = 0;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const info = await tf.profile(f);
    wall += performance.now() - started;
    // Skip tfjs' op wrappers (name__op): they hold kernels that are counted themselves.
    for (const k of info.kernels.filter((kernel) => !kernel.name.endsWith('__op'))) {
      const t = totals.get(k.name) ?? { calls: 0, ms: 0 };
      t.calls += 1;
      t.ms += k.kernelTimeMs as number;
      totals.set(k.name, t);
    }
  }
  const rows = [...totals.entries()]
    .map(([kernel, t]) => ({ kernel, calls: t.calls / repeats / per, ms: t.ms / repeats / per }))
    .sort((a, b) => b.ms - a.ms);
  const sum = rows.reduce((s, r) => s + r.ms, 0);
  return {
    rows: [
      ...rows.map((r) => ({ kernel: r.kernel, calls: r.calls, ms: r.ms.toFixed(3) })),
      { kernel: '(all kernels)', calls: rows.reduce((s, r) => s + r.calls, 0), ms: sum.toFixed(3) },
    ],
    wall: wall / repeats,
  };
}

/** Median wall and CPU ms of `f` over `repeats` unprofiled runs (CPU time suffers less from a busy machine). */
function medianMs(f: () => void, repeats: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    f();
    const used = process.cpuUsage(cpuStarted);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(repeats / 2)];
  return { wall: median(wall), cpu: median(cpu) };
}

/** CPU ms of this process so far (on a shared machine it varies less than wall time). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Per-kernel CPU ms of the fused step's SIMD kernel calls while `f` runs, divided by `per`; the
 * rest is JavaScript.
 */
function fusedPerKernel(f: () => void, per: number): Row[] {
  const totals = new Map<string, { calls: number; ms: number }>();
  const timed = wrapKernels(tf.backend() as BackendWasm, (name, kernel) => (...args) => {
    const started = cpuMs();
    kernel(...args);
    const t = totals.get(name) ?? { calls: 0, ms: 0 };
    t.calls += 1;
    t.ms += cpuMs() - started;
    totals.set(name, t);
  });
  const started = cpuMs();
  try {
    f();
  } finally {
    timed.restore();
  }
  const wall = cpuMs() - started;
  const rows = [...totals.entries()]
    .map(([kernel, t]) => ({ kernel, calls: t.calls / per, ms: t.ms / per }))
    .sort((a, b) => b.ms - a.ms);
  const inKernels = rows.reduce((s, r) => s + r.ms, 0);
  return [
    ...rows.map((r) => ({ kernel: r.kernel, calls: r.calls, ms: r.ms.toFixed(3) })),
    { kernel: '(all kernels)', calls: rows.reduce((s, r) => s + r.calls, 0), ms: inKernels.toFixed(3) },
    { kernel: '(JavaScript: loss, dropout, copies)', calls: '', ms: (wall / per - inKernels).toFixed(3) },
  ];
}

/** A convolution kernel call's layer, as `in h×w×c → out h×w×c`, and the multiply-adds it did. */
function convolutionOf(name: string, args: number[]): { layer: string; macs: number } | undefined {
  if (name !== 'conv2dForward' && name !== 'convMaxPool') return undefined;
  // Both take the batch and then conv2dForward's geometry; convMaxPool has a scratch address before them.
  const g = args.slice(name === 'convMaxPool' ? 5 : 4);
  const [batch, inH, inW, inC, outH, outW, outC, fh, fw] = g;
  // convMaxPool computes only the cells its pooling windows cover (poolH·ph × poolW·pw).
  const cells = name === 'convMaxPool' ? g[16] * g[18] * g[17] * g[19] : outH * outW;
  return {
    layer: `${inH}×${inW}×${inC} → ${outH}×${outW}×${outC}`,
    macs: batch * cells * outC * fh * fw * inC,
  };
}

/**
 * Per-kernel CPU µs per image of inference through predictBatch (the probes' path), each call
 * timed, over `passes` passes of `count` images; a convolution's GMAC/s beside it.
 */
function inferencePerKernel(predict: () => void, count: number, passes: number): Row[] {
  const totals = new Map<string, { calls: number; ms: number; macs: number }>();
  const timed = wrapKernels(tf.backend() as BackendWasm, (name, kernel) => (...args) => {
    const conv = convolutionOf(name, args);
    const started = cpuMs();
    kernel(...args);
    const key = conv ? `${name} ${conv.layer}` : name;
    const t = totals.get(key) ?? { calls: 0, ms: 0, macs: 0 };
    t.calls += 1;
    t.ms += cpuMs() - started;
    t.macs += conv?.macs ?? 0;
    totals.set(key, t);
  });
  const started = cpuMs();
  try {
    for (let pass = 0; pass < passes; pass++) predict();
  } finally {
    timed.restore();
  }
  const images = count * passes;
  const all = cpuMs() - started;
  const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = rows.reduce((sum, [, t]) => sum + t.ms, 0);
  const perImage = (ms: number) => ((ms * 1000) / images).toFixed(2);
  return [
    ...rows.map(([kernel, t]) => ({
      kernel,
      'calls per pass': t.calls / passes,
      'CPU µs per image': perImage(t.ms),
      'GMAC/s': t.macs ? (t.macs / (t.ms / 1000) / 1e9).toFixed(1) : '',
    })),
    { kernel: '(all kernels)', 'CPU µs per image': perImage(inKernels) },
    { kernel: '(JavaScript: copies, softmax, weights)', 'CPU µs per image': perImage(all - inKernels) },
  ];
}

const shown = (t: { wall: number; cpu: number }, per = 1) =>
  `${(t.wall / per).toFixed(2)} ms wall, ${(t.cpu / per).toFixed(2)} ms CPU`;

/** The network NET names (`wide` or `cifar` of bench/shapes.ts; Figure 1 when unset) and data of STEPS batches. */
function profiled(): { model: tf.LayersModel; data: Dataset } {
  if (!NET) {
    const data = loadDataset({ source: 'mnist', train: { first: BATCH * STEPS }, test: { first: 1 } });
    return { model: buildFigure1Cnn({ dropout: 0.2, seed: 1 }), data };
  }
  const { networks, build } = require('./shapes') as typeof import('./shapes');
  const net = networks().find((n) => n.name === NET);
  if (!net)
    throw new Error(
      `NET=${NET}: expected one of ${networks()
        .map((n) => n.name)
        .join(', ')}`,
    );
  const indices = Array.from({ length: Math.min(BATCH * STEPS, net.data.train.count) }, (_, i) => i);
  const train = takeSubset(net.data.train, pixelsPerImage(net.data), indices);
  return { model: build(net, 1), data: { ...net.data, train } };
}

export async function benchProfile(): Promise<void> {
  await useBackend('wasm');
  const { model, data } = profiled();
  const steps = Math.ceil(data.train.count / BATCH);
  const spec = trainingSpecSchema.parse({ epochs: 1, batchSize: BATCH, validationSplit: 0 });
  // An epoch of `steps` steps per call (one optimizer per call), reported per step.
  const epoch = (fusedStep: boolean) => () => void train(model, data, spec, { seed: 1, fusedStep });
  const [tape, fused] = [epoch(false), epoch(true)];
  fused(); // warm-up
  const fusedProfile = fusedPerKernel(() => [0, 1, 2].forEach(fused), 3 * steps);
  const median = (values: number[]) => values.sort((a, b) => a - b)[2] / steps;
  if (NET) {
    // The tape is far slower on these networks; instead, inference through predictBatch per kernel.
    const fusedTimes = Array.from({ length: 5 }, () => medianMs(fused, 1).cpu);
    printFused(fusedProfile, median(fusedTimes), steps);
    profileInference(model, data, Math.min(BATCH, data.train.count));
    model.dispose();
    return;
  }
  tape(); // warm-up
  const tapeProfile = await perKernel(tape, 3, steps);
  // Unprofiled, alternating: the median of 5 epochs of each.
  const times = { tape: [] as number[], fused: [] as number[] };
  for (let r = 0; r < 5; r++) {
    times.tape.push(medianMs(tape, 1).cpu);
    times.fused.push(medianMs(fused, 1).cpu);
  }
  console.log(
    `\none training step, batch ${BATCH}, through tfjs' tape (per-kernel ms from tf.profile, mean over ${3 * steps} steps; unprofiled step ${median(times.tape).toFixed(2)} ms CPU, median of 5 epochs of ${steps} steps, alternating with the fused step)`,
  );
  console.table(tapeProfile.rows);
  printFused(fusedProfile, median(times.fused), steps);
  await profileMap(model, data);
  profileInference(model, loadDataset({ source: 'mnist', train: { first: INFER_N } }), INFER_N);
  model.dispose();
}

function printFused(rows: Row[], stepMs: number, steps: number): void {
  console.log(
    `\none training step${NET ? ` of ${NET}` : ''}, batch ${BATCH}, fused (per-kernel CPU ms, each call timed, mean over ${3 * steps} steps; unprofiled step ${stepMs.toFixed(2)} ms CPU, median of 5 epochs of ${steps} steps)`,
  );
  console.table(rows);
}

/** Inference of `count` training images through predictBatch (passes of 256), per kernel. */
function profileInference(model: tf.LayersModel, data: Dataset, count: number): void {
  const pixels = gatherPixels(
    data.train,
    pixelsPerImage(data),
    Array.from({ length: count }, (_, i) => i),
  );
  const predict = () => void predictBatch(model, pixels, count, data.rows, data.cols, data.channels);
  const passes = Math.max(3, Math.ceil(2000 / count));
  for (let i = 0; i < Math.min(5, passes); i++) predict();
  const rows = inferencePerKernel(predict, count, passes);
  const unprofiled = medianMs(predict, Math.max(5, passes) | 1);
  console.log(
    `\ninference of ${count.toLocaleString('en')} images through predictBatch, per kernel (CPU µs per image, each call timed, ${passes} passes; unprofiled ${((unprofiled.cpu * 1000) / count).toFixed(2)} µs CPU per image, median of ${Math.max(5, passes) | 1})`,
  );
  console.table(rows);
}

async function profileMap(model: tf.LayersModel, data: Dataset): Promise<void> {
  const image = gatherPixels(data.test, 784, [0]);
  const grid = occlusionGrid(28, 28, 8, 1);
  const buffer = new Float32Array(grid.count * 784 + 784);
  // Synchronous for a tfjs model: the incremental path awaits nothing.
  const classifier = layersClassifier(model, { rows: 28, cols: 28, channels: 1 });
  const map = () => void predictOcclusions(classifier, image, grid, 0, grid.count, 0, buffer);
  for (let i = 0; i < 5; i++) map();
  const mapProfile = await perKernel(map, 20);
  const mapMs = shown(medianMs(map, 41));
  console.log(
    `\none 441-position occlusion map (per-kernel ms from tf.profile, mean of 20 maps; unprofiled map ${mapMs}, median of 41)`,
  );
  console.table(mapProfile.rows);
}

if (require.main === module) void benchProfile();
