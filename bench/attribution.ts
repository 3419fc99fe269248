// Milliseconds per image of each attribution method (src/attribution/methods.ts) beside the same
// algorithm in plain PyTorch (bench/torch_attribution.py; Captum is not installed here), at the
// same settings: the Figure 1 CNN, the first N training images and their labels, gradient calls
// of at most 256 inputs, IG 64 steps from black, SmoothGrad 50 samples at noise 0.15, Grad-CAM on
// the last conv layer, occlusion 8×8 at stride 1. One thread each, alternating in the same run,
// each figure the median of ROUNDS rounds (each round's figure the median of 3 calls after a
// warm-up). Ratio > 1: probelab faster. Without torch it says how to install it and prints
// probelab's figures alone.
import type * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attribute, type ImageBatch, type MethodInput } from '../src/attribution/methods';
import { gatherPixels } from '../src/data/pixels';
import { loadDataset } from '../src/data/datasets';
import { buildFigure1Cnn } from '../src/models/cnn';
import { layersClassifier } from '../src/models/classifier';
import { useBackend } from '../src/tf/backend';
import { median } from '../src/statistics';
import { MNIST_DIR, PYTHON, ROOT } from './paths';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const N = Number(process.env.N ?? 16);
const REPS = 3;
const BATCH = 256;

const METHODS: Record<string, MethodInput> = {
  saliency: 'saliency',
  'gradient-x-input': 'gradient-x-input',
  'integrated-gradients': { method: 'integrated-gradients', steps: 64, baseline: 'black' },
  smoothgrad: { method: 'smoothgrad', samples: 50, noise: 0.15, seed: 0 },
  'grad-cam': 'grad-cam',
  occlusion: { method: 'occlusion', patch: 8, stride: 1, fill: 0 },
};

function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function torchRound(extra: Record<string, string> = {}): Record<string, number> {
  const out = execFileSync(PYTHON, [path.join(ROOT, 'bench', 'torch_attribution.py'), MNIST_DIR], {
    env: { ...process.env, THREADS: '1', N: String(N), BATCH: String(BATCH), REPS: String(REPS), ...extra },
    encoding: 'utf8',
  });
  return (JSON.parse(out.trim().split('\n').pop()!) as { ms_per_image: Record<string, number> }).ms_per_image;
}

/** The Figure 1 model's weights in Keras' layout, by the PyTorch network's layer names. */
function kerasWeights(model: tf.LayersModel): Record<string, { kernel: unknown; bias: unknown }> {
  const layers = model.layers.filter((l) => l.getWeights().length === 2);
  const names = ['c1', 'c2', 'c3', 'fc'];
  if (layers.length !== names.length) throw new Error(`expected 4 layers with weights, got ${layers.length}`);
  return Object.fromEntries(
    layers.map((layer, i) => {
      const [kernel, bias] = layer.getWeights();
      return [names[i], { kernel: kernel.arraySync(), bias: bias.arraySync() }];
    }),
  );
}

/**
 * Both sides on the same weights and images: the largest difference of each method's maps,
 * relative to the largest |value| of PyTorch's. SmoothGrad's noise comes from different
 * generators, so its maps agree only in the mean.
 */
async function compareMaps(
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: number[],
): Promise<Record<string, string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'probelab-attribution-bench-'));
  try {
    const weights = path.join(dir, 'weights.json');
    const maps = path.join(dir, 'maps.json');
    writeFileSync(weights, JSON.stringify(kerasWeights(model)));
    torchRound({ WEIGHTS: weights, MAPS: maps, REPS: '1' });
    const theirs = JSON.parse(readFileSync(maps, 'utf8')) as Record<string, number[]>;
    const classifier = layersClassifier(model, { rows: batch.rows, cols: batch.cols, channels: 1 });
    const agreement: Record<string, string> = {};
    for (const [name, method] of Object.entries(METHODS)) {
      const ours = (await attribute(classifier, batch, targets, method, { batchSize: BATCH })).maps;
      const scale = Math.max(...theirs[name].map(Math.abs)) || 1;
      let worst = 0;
      ours.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - theirs[name][i]));
      });
      agreement[name] = (worst / scale).toExponential(1);
    }
    return agreement;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchAttribution(): Promise<void> {
  await useBackend('wasm');
  const data = loadDataset({ source: 'mnist', train: { first: N } });
  const indices = Array.from({ length: N }, (_, i) => i);
  const batch = { pixels: gatherPixels(data.train, 784, indices), count: N, rows: 28, cols: 28 };
  const targets = indices.map((i) => data.train.labels[i]);
  const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
  const classifier = layersClassifier(model, { rows: 28, cols: 28, channels: 1 });
  const ours = async (method: MethodInput) => {
    await attribute(classifier, batch, targets, method, { batchSize: BATCH }); // warm-up
    const times: number[] = [];
    for (let r = 0; r < REPS; r++) {
      const started = performance.now();
      await attribute(classifier, batch, targets, method, { batchSize: BATCH });
      times.push((performance.now() - started) / N);
    }
    return median(times);
  };
  const peer = hasTorch();
  const agreement = peer ? await compareMaps(model, batch, targets) : {};
  if (!peer)
    console.log(
      `\nPyTorch is not available (${PYTHON} cannot import torch): install it with apt-get install -y python3-torch (Debian's PyTorch, CPU) to see the ratios. probelab alone:`,
    );
  const names = Object.keys(METHODS);
  const mine: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const theirs: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < ROUNDS; round++) {
    if (peer) {
      const figures = torchRound();
      for (const name of names) theirs[name].push(figures[name]);
    }
    for (const name of names) mine[name].push(await ours(METHODS[name]));
  }
  model.dispose();
  const shown = (values: number[]) => values.map((v) => v.toFixed(3)).join(' · ');
  console.log(
    `\nattribution, ms per image (${N} training images, Figure 1 CNN, one thread${peer ? ' each' : ''}, ${ROUNDS} alternating rounds of the median of ${REPS} calls after a warm-up; ratio > 1: probelab faster)`,
  );
  console.table(
    names.map((name) => ({
      method: name,
      ...(peer ? { 'PyTorch (rounds)': shown(theirs[name]) } : {}),
      'probelab (rounds)': shown(mine[name]),
      ...(peer
        ? {
            'ratio of medians': (median(theirs[name]) / median(mine[name])).toFixed(2),
            'maps differ by (rel.)': agreement[name],
          }
        : {}),
    })),
  );
}

if (require.main === module) void benchAttribution();
