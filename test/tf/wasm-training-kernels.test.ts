// The gradient kernels we register on wasm, against the cpu backend's own, on random shapes.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../../src/tf/wasm-training-kernels';
import { mulberry32 } from '../../src/random';

tf.enableProdMode();
const random = mulberry32(42);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `compute` on both backends with the same inputs; returns both results. */
async function onBothBackends(compute: () => tf.Tensor): Promise<{ cpu: tf.Tensor; wasm: tf.Tensor }> {
  await tf.setBackend('cpu');
  const cpu = tf.tidy(compute);
  const cpuCopy = { shape: cpu.shape, data: cpu.dataSync().slice() };
  await tf.setBackend('wasm');
  const wasm = tf.tidy(compute);
  return { cpu: tf.tensor(cpuCopy.data, cpuCopy.shape), wasm };
}

function expectClose(actual: tf.Tensor, expected: tf.Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i] - e[i])).toBeLessThan(1e-4 * (1 + Math.abs(e[i])));
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

test('Conv2D gradients (filter and input) match cpu on 40 random shapes, strides and paddings, one input channel included', async () => {
  for (let n = 0; n < 40; n++) {
    const k = [int(1, 4), int(1, 4)];
    const [batch, h, w, channels, co] = [
      int(1, 3),
      int(k[0] + 1, 12),
      int(k[1] + 1, 12),
      int(1, 21),
      int(1, 21),
    ];
    // Every fourth shape has one input channel, as a grayscale image's first layer (its own kernel path).
    const ci = n % 4 === 0 ? 1 : channels;
    const strides: [number, number] = random() < 0.6 ? [1, 1] : [int(1, 3), int(1, 3)];
    const pad = random() < 0.5 ? 'valid' : 'same';
    const x = values(batch * h * w * ci);
    const f = values(k[0] * k[1] * ci * co);
    const outShape = tf.conv2d(
      tf.zeros([batch, h, w, ci]) as tf.Tensor4D,
      tf.zeros([k[0], k[1], ci, co]) as tf.Tensor4D,
      strides,
      pad,
    ).shape;
    const dy = values(size(outShape));
    const gradients = (which: 0 | 1) => () => {
      const xs = tf.tensor4d(x, [batch, h, w, ci]);
      const fs = tf.tensor4d(f, [k[0], k[1], ci, co]);
      const dys = tf.tensor(dy, outShape);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad), dys)),
      )([xs, fs]);
      return g[which];
    };
    for (const which of [0, 1] as const) {
      const { cpu, wasm } = await onBothBackends(gradients(which));
      expectClose(wasm, cpu);
    }
  }
});

test('MaxPool gradient matches cpu on 60 random shapes, windows, strides and paddings', async () => {
  for (let n = 0; n < 60; n++) {
    const [batch, h, w, c] = [int(1, 3), int(2, 12), int(2, 12), int(1, 19)];
    const window: [number, number] = [int(1, Math.min(3, h)), int(1, Math.min(3, w))];
    const strides: [number, number] = [int(1, 3), int(1, 3)];
    const pad = random() < 0.5 ? 'valid' : 'same';
    const x = values(batch * h * w * c);
    const grad = () => {
      const xs = tf.tensor4d(x, [batch, h, w, c]);
      const out = tf.maxPool(xs, window, strides, pad);
      const dys = tf.tensor(
        values(size(out.shape)).map((_, i) => Math.sin(i + 1)),
        out.shape,
      );
      return tf.grad((a: tf.Tensor) =>
        tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, window, strides, pad), dys)),
      )(xs);
    };
    const { cpu, wasm } = await onBothBackends(grad);
    expectClose(wasm, cpu);
    const forward = await onBothBackends(() =>
      tf.maxPool(tf.tensor4d(x, [batch, h, w, c]), window, strides, pad),
    );
    expectClose(forward.wasm, forward.cpu);
  }
});

test('Sum matches cpu over every axis but the last (bias gradients) and falls back for other axes', async () => {
  for (let n = 0; n < 30; n++) {
    const shape = Array.from({ length: int(1, 4) }, () => int(1, 9));
    const x = values(size(shape));
    const rank = shape.length;
    const axes = [
      Array.from({ length: rank - 1 }, (_, i) => i),
      [rank - 1],
      Array.from({ length: rank }, (_, i) => i),
    ];
    for (const axis of axes) {
      for (const keepDims of [false, true]) {
        const { cpu, wasm } = await onBothBackends(() => tf.sum(tf.tensor(x, shape), axis, keepDims));
        expectClose(wasm, cpu);
      }
    }
  }
});
