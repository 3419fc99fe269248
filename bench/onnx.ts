// `node dist/bench/index.js onnx`: occlusion maps of the Figure 1 network exported from PyTorch
// (test/fixtures/onnx/figure1-mnist.onnx: torch.onnx.export of the trained network) through
// onnxruntime-web beside the same model on the fused kernels (its graph rebuilt as a tfjs model,
// so that maps take the incremental path), one thread each: median ms per 441-position map (8×8
// patch, stride 1, black) over the first test images, and the largest difference of the maps.
import path from 'node:path';
import { loadDataset } from '../src/data/datasets';
import { gatherPixels } from '../src/data/pixels';
import type { Classifier } from '../src/models/classifier';
import { loadOnnxClassifier, type OnnxEngine } from '../src/models/onnx-classifier';
import { readOnnxFile } from '../src/models/onnx-file';
import { occlusionGrid } from '../src/occlusion/grid';
import { predictOcclusions } from '../src/occlusion/predict';
import { median } from '../src/statistics';
import { useBackend } from '../src/tf/backend';
import { ROOT } from './paths';

const MAPS = 20;
const ROUNDS = 3;
const MODEL = path.join(ROOT, 'test', 'fixtures', 'onnx', 'figure1-mnist.onnx');

/** The maps of every image, all classes (positions × classes each), and the median ms per map after one warm-up. */
async function timedMaps(
  classifier: Classifier,
  images: Float32Array[],
): Promise<{ ms: number; maps: Float32Array[] }> {
  const grid = occlusionGrid(28, 28, 8, 1);
  await predictOcclusions(classifier, images[0], grid, 0, grid.count, 0);
  const times: number[] = [];
  const maps: Float32Array[] = [];
  for (const image of images) {
    const started = performance.now();
    const { occluded } = await predictOcclusions(classifier, image, grid, 0, grid.count, 0);
    times.push(performance.now() - started);
    maps.push(occluded);
  }
  return { ms: median(times), maps };
}

export async function benchOnnx(): Promise<void> {
  await useBackend('wasm');
  const data = loadDataset({ source: 'mnist', test: { first: MAPS } });
  const images = Array.from({ length: MAPS }, (_, i) => gatherPixels(data.test, 784, [i]));
  const shape = { rows: 28, cols: 28, channels: 1 };
  const { sha256, spec } = readOnnxFile(MODEL, {}, { ...shape, classes: 10, name: 'mnist' });
  const engines: OnnxEngine[] = ['onnxruntime', 'auto'];
  const classifiers = await Promise.all(
    engines.map((e) => loadOnnxClassifier(MODEL, sha256, spec, shape, e)),
  );
  const ms: number[][] = engines.map(() => []);
  let maps: Float32Array[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results = [];
    for (const classifier of classifiers) results.push(await timedMaps(classifier, images));
    results.forEach((r, e) => ms[e].push(r.ms));
    maps = results.map((r) => r.maps);
  }
  let largest = 0;
  maps[0].forEach((map, i) =>
    map.forEach((p, k) => {
      largest = Math.max(largest, Math.abs(p - maps[1][i][k]));
    }),
  );
  const label = (e: OnnxEngine) =>
    e === 'onnxruntime'
      ? 'onnxruntime-web (wasm, 1 thread)'
      : 'fused kernels (graph rebuilt as tfjs, incremental)';
  console.log(
    `\nOcclusion maps of ${path.relative(ROOT, MODEL)} (Figure 1 exported from PyTorch): 441 positions, 8×8 black patch, stride 1, the first ${MAPS} MNIST test images; median ms per map of each round (${ROUNDS} rounds)`,
  );
  console.table(
    engines.map((e, i) => ({
      engine: label(e),
      'ms per map, each round': ms[i].map((v) => v.toFixed(1)).join(' / '),
      median: median(ms[i]).toFixed(1),
    })),
  );
  console.log(
    `onnxruntime-web ÷ fused: ${(median(ms[0]) / median(ms[1])).toFixed(1)}×; largest |difference| of the two engines' maps (all classes, ${MAPS} maps): ${largest.toExponential(1)}`,
  );
}
