// Training and inference throughput of the Figure 1 CNN on the wasm backend, one thread
// (= one core): training images/s at batch 32 and 128, inference images/s, peak memory.
// Each figure is the median of several repeats on real MNIST.
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../src/data/datasets';
import { rangeTensor } from '../src/data/batches';
import { buildFigure1Cnn } from '../src/models/cnn';
import { train } from '../src/models/train-loop';
import { trainingSpecSchema } from '../src/models/training-spec';
import { useBackend } from '../src/tf/backend';
import { median } from '../src/statistics';

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

if (require.main === module) void benchTrain();
