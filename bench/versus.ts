// probelab beside the PyTorch peer (../shared/peer/torch_peer.py, and bench/torch_inference.py for
// inference), one thread each, alternating in the same run so that both see the same machine:
// training images/s at batch 32 and 128, ms per 441-position occlusion map, inference images/s at
// batch 256 (PyTorch at batch 256 for both inference lines: probelab's probe path, and tfjs' own
// predict for comparison). Each figure is the median of ROUNDS rounds; the ratio is probelab / PyTorch (for
// the map: PyTorch's ms / probelab's ms, i.e. maps/s). Then the shift test's CPU µs per inference
// (its own path: shift, predict 1,000 at a time, count the hits), which has no PyTorch twin.
// Without torch it says how to install the peer and prints probelab's figures alone.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gatherPixels } from '../src/data/pixels';
import { loadDataset } from '../src/data/datasets';
import { buildFigure1Cnn } from '../src/models/cnn';
import { train } from '../src/models/train-loop';
import { trainingSpecSchema } from '../src/models/training-spec';
import { occlusionGrid } from '../src/occlusion/grid';
import { predictBatch } from '../src/models/predict';
import { predictOcclusions } from '../src/occlusion/predict';
import { useBackend } from '../src/tf/backend';
import { median } from '../src/statistics';
import { hasTorch, PYTHON, ROOT, runPeer } from './paths';
import { layersClassifier } from '../src/models/classifier';
import { correctWhenShifted } from '../src/kinds/shift';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const TRAIN_N = 4000;
const INFER_N = 10000;

function peerScript(): string | undefined {
  const candidates = [
    process.env.PROBELAB_PEER,
    path.resolve(ROOT, '..', 'shared', 'peer', 'torch_peer.py'),
    path.resolve(ROOT, '..', '..', 'shared', 'peer', 'torch_peer.py'),
  ];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

interface Probelab {
  trainRate(batchSize: number): number;
  msPerMap(): number;
  inferRate(): number;
  tfjsInferRate(): number;
  shiftMicroseconds(): Promise<number>;
}

/** Images/s predicting the first INFER_N training images with `predict`: median of 5 passes after a warm-up, as the peer. */
function inferenceRate(
  data: ReturnType<typeof loadDataset>,
  predict: (model: tf.LayersModel, pixels: Float32Array) => void,
): number {
  const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
  const pixels = gatherPixels(
    data.train,
    784,
    Array.from({ length: INFER_N }, (_, i) => i),
  );
  const rates: number[] = [];
  for (let pass = 0; pass < 6; pass++) {
    const started = performance.now();
    predict(model, pixels);
    if (pass > 0) rates.push(INFER_N / ((performance.now() - started) / 1000));
  }
  model.dispose();
  return median(rates);
}

async function probelab(): Promise<Probelab> {
  await useBackend('wasm');
  const data = loadDataset({ source: 'mnist', train: { first: INFER_N }, test: { first: INFER_N } });
  const trainData = loadDataset({ source: 'mnist', train: { first: TRAIN_N } });
  const warmData = loadDataset({ source: 'mnist', train: { first: 1600 } });
  const image = gatherPixels(data.train, 784, [0]); // the peer's map is of training image 0 too
  const grid = occlusionGrid(28, 28, 8, 1);
  return {
    // As the peer: a warm-up, then the median of 3 passes over the images, one model throughout.
    trainRate(batchSize) {
      const spec = trainingSpecSchema.parse({ epochs: 1, batchSize, validationSplit: 0 });
      const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
      train(model, warmData, spec, { seed: 1 });
      const rates: number[] = [];
      for (let pass = 0; pass < 3; pass++) {
        const started = performance.now();
        train(model, trainData, spec, { seed: pass });
        rates.push(TRAIN_N / ((performance.now() - started) / 1000));
      }
      model.dispose();
      return median(rates);
    },
    // As the peer: 3 warm-up maps, then the median of 20.
    msPerMap() {
      const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
      // Synchronous for a tfjs model: the incremental path awaits nothing.
      const classifier = layersClassifier(model, { rows: 28, cols: 28, channels: 1 });
      const times: number[] = [];
      for (let i = 0; i < 23; i++) {
        const started = performance.now();
        void predictOcclusions(classifier, image, grid, 0, grid.count, 0);
        if (i >= 3) times.push(performance.now() - started);
      }
      model.dispose();
      return median(times);
    },
    // Through predictBatch, the path every probe predicts by (the fused network, passes of 256).
    inferRate: () => inferenceRate(data, (model, pixels) => predictBatch(model, pixels, INFER_N, 28, 28)),
    // tfjs' own predict at batch 1,000, its best batch on wasm, for the profile.
    tfjsInferRate: () =>
      inferenceRate(data, (model, pixels) => {
        const x = tf.tensor4d(pixels, [INFER_N, 28, 28, 1]);
        tf.tidy(() => (model.predict(x, { batchSize: 1000 }) as tf.Tensor).dataSync());
        x.dispose();
      }),
    // CPU µs per inference of the shift test's loop over the test images moved 3 pixels right:
    // median of 5 passes after a warm-up.
    async shiftMicroseconds() {
      const model = buildFigure1Cnn({ dropout: 0.2, seed: 1 });
      const classifier = layersClassifier(model, { rows: 28, cols: 28, channels: 1 });
      const times: number[] = [];
      for (let pass = 0; pass < 6; pass++) {
        const started = process.cpuUsage();
        await correctWhenShifted(classifier, data, 3, 0);
        const used = process.cpuUsage(started);
        if (pass > 0) times.push((used.user + used.system) / data.test.count);
      }
      model.dispose();
      return median(times);
    },
  };
}

interface Figure {
  name: string;
  unit: string;
  /** probelab / PyTorch, as "times as fast". */
  ratio: (ours: number, theirs: number) => number;
  ours: number[];
  theirs: number[];
}

export async function benchVersus(): Promise<void> {
  const ours = await probelab();
  const script = peerScript();
  const peer = script !== undefined && hasTorch();
  if (!peer) {
    console.log(
      `\nThe PyTorch peer is not available (${script ? `${PYTHON} cannot import torch` : 'no ../shared/peer/torch_peer.py; set PROBELAB_PEER'}): ` +
        `install it with apt-get install -y python3-torch (Debian's PyTorch, CPU) to see the ratios. probelab alone:`,
    );
  }
  const faster = (a: number, b: number) => a / b;
  const figures: Figure[] = [
    { name: 'training, batch 32', unit: 'images/s', ratio: faster, ours: [], theirs: [] },
    { name: 'training, batch 128', unit: 'images/s', ratio: faster, ours: [], theirs: [] },
    { name: 'one 441-position occlusion map', unit: 'ms', ratio: (a, b) => b / a, ours: [], theirs: [] },
    {
      name: "inference, batch 256 (the probes' path)",
      unit: 'images/s',
      ratio: faster,
      ours: [],
      theirs: [],
    },
    { name: 'inference, tfjs predict at batch 1,000', unit: 'images/s', ratio: faster, ours: [], theirs: [] },
  ];
  const [train32, train128, map, infer, tfjsInfer] = figures;
  const inference = path.join(ROOT, 'bench', 'torch_inference.py');
  const shift: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (peer) {
      const first = runPeer(script, { BS: '32', TRAIN_N: String(TRAIN_N) });
      train32.theirs.push(first.train_images_per_s);
      map.theirs.push(first.occlusion_ms_per_map);
    }
    train32.ours.push(ours.trainRate(32));
    map.ours.push(ours.msPerMap());
    if (peer)
      train128.theirs.push(runPeer(script, { BS: '128', TRAIN_N: String(TRAIN_N) }).train_images_per_s);
    train128.ours.push(ours.trainRate(128));
    if (peer) {
      const rate = runPeer(inference, { BS: '256', INFER_N: String(INFER_N) }).infer_images_per_s;
      infer.theirs.push(rate);
      tfjsInfer.theirs.push(rate);
    }
    infer.ours.push(ours.inferRate());
    tfjsInfer.ours.push(ours.tfjsInferRate());
    shift.push(await ours.shiftMicroseconds());
  }
  const shown = (values: number[], unit: string) =>
    values.map((v) => (unit === 'ms' ? v.toFixed(2) : Math.round(v).toLocaleString('en'))).join(' · ');
  const rows = figures.map((f) => ({
    figure: `${f.name} (${f.unit})`,
    ...(peer ? { 'PyTorch (rounds)': shown(f.theirs, f.unit) } : {}),
    'probelab (rounds)': shown(f.ours, f.unit),
    ...(peer
      ? {
          'ratio per round': f.ours.map((v, i) => f.ratio(v, f.theirs[i]).toFixed(2)).join(' · '),
          'ratio of medians': f.ratio(median(f.ours), median(f.theirs)).toFixed(2),
        }
      : {}),
  }));
  console.log(
    `\nprobelab${peer ? ' beside PyTorch' : ''}, one thread each, ${ROUNDS} alternating rounds (training: median of 3 passes over ${TRAIN_N} images after a warm-up; map: median of 20; ratio > 1: probelab faster)`,
  );
  console.table(rows);
  console.log(
    `\nthe shift test's path (${INFER_N.toLocaleString('en')} test images moved 3 pixels, predicted 1,000 at a time, hits counted): CPU µs per inference, rounds ${shift.map((v) => v.toFixed(1)).join(' · ')}, median ${median(shift).toFixed(1)}`,
  );
}

if (require.main === module) void benchVersus();
