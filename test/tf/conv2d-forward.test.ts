// The fused step's convolution (conv2dForward: convWindow on every image) against the cpu
// backend's conv2d + bias + ReLU on random shapes, strides, paddings and channel counts: one
// input channel as the first layer has, channel counts that are and are not multiples of 4, and
// more than 12 output channels (more than one block of vectors).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';
import { address, simdKernels } from '../../src/tf/simd-module';
import { convGeometry } from '../../src/tf/wasm-kernel-utils';

const random = mulberry32(19);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(...options: T[]): T => options[Math.floor(random() * options.length)];
const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);

beforeAll(async () => {
  await useBackend('wasm');
});

test('conv2dForward matches the cpu backend on 60 random shapes, strides, paddings and channel counts', async () => {
  for (let n = 0; n < 60; n++) {
    const [kh, kw] = [int(1, 4), int(1, 4)];
    const [batch, h, w] = [int(1, 3), int(kh, 14), int(kw, 14)];
    const [inC, outC] = [pick(1, 2, 3, 5, 8, 12, 13), pick(1, 4, 7, 8, 10, 12, 16, 20, 24)];
    const strides: [number, number] = random() < 0.6 ? [1, 1] : [int(1, 3), int(1, 3)];
    const pad = pick<'valid' | 'same'>('valid', 'same');
    const [relu, withBias] = [random() < 0.5, random() < 0.7];
    const [x, f, b] = [values(batch * h * w * inC), values(kh * kw * inC * outC), values(outC)];

    await tf.setBackend('cpu');
    const expected = tf.tidy(() => {
      let y: tf.Tensor = tf.conv2d(
        tf.tensor4d(x, [batch, h, w, inC]),
        tf.tensor4d(f, [kh, kw, inC, outC]),
        strides,
        pad,
      );
      if (withBias) y = tf.add(y, tf.tensor1d(b));
      return (relu ? tf.relu(y) : y).dataSync() as Float32Array;
    });
    await tf.setBackend('wasm');

    const info = tf.backend_util.computeConv2DInfo([batch, h, w, inC], [kh, kw, inC, outC], strides, 1, pad);
    const backend = tf.backend() as BackendWasm;
    const [xs, fs, bs] = [tf.tensor(x), tf.tensor(f), tf.tensor(b)];
    const y = tf.fill([expected.length], 7);
    const at = (t: tf.Tensor) => address(backend, t);
    simdKernels(backend).conv2dForward(
      at(xs),
      at(fs),
      withBias ? at(bs) : 0,
      at(y),
      ...convGeometry(info),
      +relu,
    );
    const actual = y.dataSync();
    expected.forEach((e, i) => expect(Math.abs(actual[i] - e)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(e))));
    tf.dispose([xs, fs, bs, y]);
  }
});
