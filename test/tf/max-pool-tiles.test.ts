// The fused step's max pooling over tiles (maxPoolTiles, maxPoolTilesGrad) against the cpu
// backend: the maxima, and the gradient through the pooling and the ReLU below it (or none) with
// that layer's bias gradient, on random shapes, windows and channel counts (not only multiples of 4).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';
import { address, simdKernels } from '../../src/tf/simd-module';

const random = mulberry32(11);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

/** The cpu backend's pooled maxima, gradient with respect to the pre-activation a, and its column sums. */
async function onCpu(
  a: Float32Array,
  dy: Float32Array,
  [batch, h, w, c]: number[],
  window: [number, number],
  relu: boolean,
): Promise<{ y: Float32Array; dx: Float32Array; bias: Float32Array }> {
  await tf.setBackend('cpu');
  const result = tf.tidy(() => {
    const input = tf.tensor4d(a, [batch, h, w, c]);
    const pooled = (t: tf.Tensor) =>
      tf.maxPool((relu ? tf.relu(t) : t) as tf.Tensor4D, window, window, 'valid');
    const y = pooled(input);
    const dys = tf.tensor(dy, y.shape);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pooled(t), dys)))(input);
    return [y, dx, tf.sum(dx, [0, 1, 2])].map((t) => t.dataSync() as Float32Array);
  });
  await tf.setBackend('wasm');
  return { y: result[0], dx: result[1], bias: result[2] };
}

beforeAll(async () => {
  await useBackend('wasm');
});

test('maxPoolTiles and maxPoolTilesGrad match the cpu backend on 50 random shapes, windows and channel counts', async () => {
  for (let n = 0; n < 50; n++) {
    const window: [number, number] = [int(1, 3), int(1, 3)];
    const [batch, h, w, c] = [int(1, 3), int(window[0], 11), int(window[1], 11), int(1, 21)];
    const [outH, outW] = [Math.floor(h / window[0]), Math.floor(w / window[1])];
    const relu = random() < 0.6;
    // A quarter of the values at 0 and a few repeats: ties and ReLU's dead cells, as in training.
    const a = Float32Array.from({ length: batch * h * w * c }, () =>
      random() < 0.25 ? 0 : Math.round((random() * 2 - 1) * 64) / 16 + 0,
    );
    const dyValues = Float32Array.from({ length: batch * outH * outW * c }, () => random() * 2 - 1);
    const expected = await onCpu(a, dyValues, [batch, h, w, c], window, relu);

    const backend = tf.backend() as BackendWasm;
    const k = simdKernels(backend);
    const x = tf.tensor(relu ? a.map((v) => Math.max(v, 0)) : a);
    const dy = tf.tensor(dyValues);
    const [y, where] = [0, 1].map(() => tf.fill([batch * outH * outW * c], 7));
    const dx = tf.fill([batch * h * w * c], 7);
    const bias = tf.fill([c], 7);
    const at = (t: tf.Tensor) => address(backend, t);
    const geometry = [batch, h, w, c, outH, outW, ...window];
    k.maxPoolTiles(at(x), at(y), at(where), ...geometry);
    k.maxPoolTilesGrad(at(y), at(where), at(dy), at(dx), at(bias), ...geometry, +relu);
    // The pooled inputs are ReLU's outputs when relu: the same maxima as the cpu's.
    expect(Array.from(y.dataSync())).toEqual(Array.from(expected.y));
    // (+ 0: the cpu's ReLU gradient multiplies by 0, and so has −0 where ours has 0.)
    expect(Array.from(dx.dataSync(), (v) => v + 0)).toEqual(Array.from(expected.dx, (v) => v + 0));
    const sums = bias.dataSync();
    expected.bias.forEach((e, i) =>
      expect(Math.abs(sums[i] - e)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(e))),
    );
    tf.dispose([x, dy, y, where, dx, bias]);
  }
});
