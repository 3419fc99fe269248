// The fused Adam of the wasm backend against tf.train.adam on the same backend: the same weights,
// bit for bit, after several steps of a real network on random data.
import * as tf from '@tensorflow/tfjs';
import { buildFigure1Cnn } from '../../src/models/cnn';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';
import { FusedAdam } from '../../src/tf/fused-adam';

function trainedWeights(makeOptimizer: () => tf.Optimizer): Float32Array[] {
  const random = mulberry32(7);
  const model = buildFigure1Cnn({ rows: 28, cols: 28, dropout: 0, seed: 3 });
  const optimizer = makeOptimizer();
  for (let step = 0; step < 6; step++) {
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from({ length: 16 * 784 }, random), [16, 28, 28, 1]);
      const y = tf.oneHot(
        tf.tensor1d(
          Int32Array.from({ length: 16 }, () => Math.floor(random() * 10)),
          'int32',
        ),
        10,
      );
      optimizer.minimize(() => {
        const probs = model.apply(x) as tf.Tensor;
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.add(probs, 1e-7))), -1))) as tf.Scalar;
      });
    });
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  optimizer.dispose();
  model.dispose();
  return weights;
}

test('fused Adam gives bit-identical weights to tf.train.adam on wasm, and leaks no tensors', async () => {
  await useBackend('wasm');
  const stock = trainedWeights(() => tf.train.adam(0.01, 0.9, 0.999, 1e-7));
  const before = tf.memory().numTensors;
  const fused = trainedWeights(() => new FusedAdam(0.01, 0.9, 0.999, 1e-7));
  expect(tf.memory().numTensors).toBe(before);
  expect(fused.length).toBe(stock.length);
  let changed = 0;
  for (let i = 0; i < stock.length; i++) {
    expect(Array.from(fused[i])).toEqual(Array.from(stock[i]));
    changed += stock[i].some((w) => w !== 0) ? 1 : 0;
  }
  expect(changed).toBe(stock.length); // every weight, biases included, moved from its start
});
