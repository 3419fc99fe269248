// Networks beyond Figure 1 beside PyTorch (bench/torch_shapes.py), one thread each, alternating in
// the same run: the `wide` network of configs/architectures.json on real MNIST (28×28×1), and an
// RGB 32×32×3 CIFAR-shaped network (conv 32, conv 32, max pool, conv 64, conv 64, max pool: 3×3,
// relu, no padding; dense 10) on seeded synthetic images. For each, at batch 32 and 128: training
// images/s through train() (the fused step, as a train job trains) and inference images/s through
// predictBatch, one call per batch (as a probe of that many images predicts). Each figure is the
// median of ROUNDS rounds; the ratio is probelab / PyTorch; GMAC/s counts the network's
// multiply-adds (training: forward, weight gradients and input gradients but the first layer's).
// `ROUNDS=3 node dist/bench/index.js shapes`; where each one's time goes: `NET=cifar node dist/bench/index.js profile`.
import type * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Dataset, loadDataset, type Split, takeSubset } from '../src/data/datasets';
import { gatherPixels, pixelsPerImage } from '../src/data/pixels';
import { buildCnn } from '../src/models/cnn';
import { type LayerSpec, layersSchema } from '../src/models/layers';
import { predictBatch } from '../src/models/predict';
import { planLayers, type Shape } from '../src/models/shapes';
import { train } from '../src/models/train-loop';
import { trainingSpecSchema } from '../src/models/training-spec';
import { mulberry32 } from '../src/random';
import { median } from '../src/statistics';
import { useBackend } from '../src/tf/backend';
import { fusedProbabilities } from '../src/tf/fused-predict';
import { hasTorch, PYTHON, ROOT, runPeer } from './paths';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BATCHES = [32, 128];

export interface Shaped {
  /** NET of bench/torch_shapes.py. */
  name: string;
  layers: LayerSpec[];
  data: Dataset;
  /** Images per training pass and per inference pass (multiples of 128). */
  trainN: number;
  inferN: number;
}

function wideLayers(): LayerSpec[] {
  const config = JSON.parse(readFileSync(path.join(ROOT, 'configs', 'architectures.json'), 'utf8'));
  const wide = config.experiments.find((e: { name: string }) => e.name === 'wide');
  return layersSchema.parse(wide.layers);
}

const conv = (filters: number): LayerSpec => ({ type: 'conv2d', filters, kernelSize: 3, activation: 'relu' });
const pool: LayerSpec = { type: 'maxPooling2d', poolSize: 2 };
const CIFAR_LAYERS: LayerSpec[] = [
  conv(32),
  conv(32),
  pool,
  conv(64),
  conv(64),
  pool,
  { type: 'flatten' },
  { type: 'dense', units: 10 },
];

/** `count` RGB 32×32 images of seeded random bytes, with random labels 0..9. */
function syntheticSplit(count: number, seed: number): Split {
  const random = mulberry32(seed);
  const images = Uint8Array.from({ length: count * 32 * 32 * 3 }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: count }, () => Math.floor(random() * 10));
  return { count, images, labels };
}

export function networks(): Shaped[] {
  const mnist = loadDataset({ source: 'mnist', train: { first: 4096 }, test: { first: 1 } });
  const cifar: Dataset = {
    name: 'synthetic RGB 32×32',
    rows: 32,
    cols: 32,
    channels: 3,
    train: syntheticSplit(1024, 1),
    test: syntheticSplit(1, 2),
  };
  return [
    { name: 'wide', layers: wideLayers(), data: mnist, trainN: 2048, inferN: 2048 },
    { name: 'cifar', layers: CIFAR_LAYERS, data: cifar, trainN: 384, inferN: 512 },
  ];
}

/** Multiply-adds per image of a forward pass through each convolution and dense layer. */
function forwardMacs(net: Shaped): number[] {
  const { rows, cols, channels } = net.data;
  const planned = planLayers(net.layers, [rows, cols, channels], 10);
  let input: Shape = [rows, cols, channels];
  return net.layers.map((layer, i) => {
    const out = planned[i].outputShape;
    const inChannels = input.at(-1)!;
    input = out;
    if (layer.type === 'dense') return out[0] * inChannels;
    if (layer.type !== 'conv2d') return 0;
    const [kh, kw] =
      typeof layer.kernelSize === 'number' ? [layer.kernelSize, layer.kernelSize] : layer.kernelSize;
    return out[0] * out[1] * out[2] * kh * kw * inChannels;
  });
}

export const build = (net: Shaped, seed: number): tf.LayersModel =>
  buildCnn(net.layers, {
    rows: net.data.rows,
    cols: net.data.cols,
    channels: net.data.channels,
    classes: 10,
    seed,
  });

/** The first n training images of the data as a data set of their own. */
function firstImages(data: Dataset, n: number): Dataset {
  const indices = Array.from({ length: n }, (_, i) => i);
  return { ...data, train: takeSubset(data.train, pixelsPerImage(data), indices) };
}

/** As the peer: a warm-up of 20 steps, then the median of 3 passes over trainN images, one model throughout. */
function trainRate(net: Shaped, batchSize: number): number {
  const spec = trainingSpecSchema.parse({ epochs: 1, batchSize, validationSplit: 0 });
  const model = build(net, 1);
  const images = firstImages(net.data, net.trainN);
  train(model, firstImages(net.data, 20 * batchSize), spec, { seed: 1 });
  const rates: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const started = performance.now();
    train(model, images, spec, { seed: pass });
    rates.push(net.trainN / ((performance.now() - started) / 1000));
  }
  model.dispose();
  return median(rates);
}

/** As the peer: one predictBatch per batch of `batchSize` images, a warm-up pass, then the median of 5 passes over inferN images. */
function inferRate(net: Shaped, batchSize: number): number {
  const model = build(net, 1);
  const values = pixelsPerImage(net.data);
  const indices = Array.from({ length: net.inferN }, (_, i) => i);
  const pixels = gatherPixels(net.data.train, values, indices);
  const { rows, cols, channels } = net.data;
  const pass = () => {
    for (let start = 0; start < net.inferN; start += batchSize) {
      const batch = pixels.subarray(start * values, (start + batchSize) * values);
      predictBatch(model, batch, batchSize, rows, cols, channels);
    }
  };
  const rates: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    pass();
    if (i > 0) rates.push(net.inferN / ((performance.now() - started) / 1000));
  }
  model.dispose();
  return median(rates);
}

/** Whether the fused network runs the model (else train and predictBatch go through tfjs, and the bench says so). */
function fusedCovers(net: Shaped): boolean {
  const model = build(net, 1);
  const covered = fusedProbabilities(model, new Float32Array(pixelsPerImage(net.data)), 1) !== undefined;
  model.dispose();
  return covered;
}

interface Figure {
  net: Shaped;
  what: 'training' | 'inference';
  batchSize: number;
  ours: number[];
  theirs: number[];
}

export async function benchShapes(): Promise<void> {
  await useBackend('wasm');
  const peer = hasTorch();
  if (!peer)
    console.log(
      `\n${PYTHON} cannot import torch: install it with apt-get install -y python3-torch (Debian's PyTorch, CPU) to see the ratios. probelab alone:`,
    );
  const nets = networks();
  const figures: Figure[] = nets.flatMap((net) =>
    (['training', 'inference'] as const).flatMap((what) =>
      BATCHES.map((batchSize) => ({ net, what, batchSize, ours: [], theirs: [] })),
    ),
  );
  const figure = (net: Shaped, what: Figure['what'], batchSize: number) =>
    figures.find((f) => f.net === net && f.what === what && f.batchSize === batchSize)!;
  const script = path.join(ROOT, 'bench', 'torch_shapes.py');
  for (let round = 0; round < ROUNDS; round++) {
    for (const net of nets)
      for (const batchSize of BATCHES) {
        if (peer) {
          const env = {
            NET: net.name,
            BS: String(batchSize),
            TRAIN_N: String(net.trainN),
            INFER_N: String(net.inferN),
          };
          const theirs = runPeer(script, env);
          figure(net, 'training', batchSize).theirs.push(theirs.train_images_per_s);
          figure(net, 'inference', batchSize).theirs.push(theirs.infer_images_per_s);
        }
        figure(net, 'training', batchSize).ours.push(trainRate(net, batchSize));
        figure(net, 'inference', batchSize).ours.push(inferRate(net, batchSize));
      }
  }
  const shown = (values: number[]) => values.map((v) => Math.round(v).toLocaleString('en')).join(' · ');
  const rows = figures.map((f) => {
    const macs = forwardMacs(f.net);
    const perImage =
      f.what === 'training' ? 3 * macs.reduce((a, b) => a + b, 0) - macs[0] : macs.reduce((a, b) => a + b, 0);
    return {
      figure: `${f.net.name}, ${f.what}, batch ${f.batchSize} (images/s)`,
      ...(peer ? { 'PyTorch (rounds)': shown(f.theirs) } : {}),
      'probelab (rounds)': shown(f.ours),
      ...(peer ? { 'ratio of medians': (median(f.ours) / median(f.theirs)).toFixed(2) } : {}),
      'probelab GMAC/s': ((median(f.ours) * perImage) / 1e9).toFixed(2),
    };
  });
  const paths = nets.map(
    (net) => `${net.name}: ${fusedCovers(net) ? 'fused network' : 'tfjs (not covered by the fused network)'}`,
  );
  console.log(
    `\nwide (MNIST 28×28×1) and CIFAR-shaped (synthetic 32×32×3) networks${peer ? ' beside PyTorch' : ''}, one thread each, ${ROUNDS} alternating rounds (training: median of 3 passes over ${nets.map((n) => `${n.trainN} ${n.name}`).join(' / ')} images after a warm-up; inference: median of 5 passes; ratio > 1: probelab faster; ${paths.join(', ')})`,
  );
  console.table(rows);
}

if (require.main === module) void benchShapes();
