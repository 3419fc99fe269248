// The wasm Conv2DBackpropFilter kernel we register, against the cpu backend's own kernel.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerConv2DBackpropFilterForWasm } from '../../src/tf/conv2d-backprop-filter';

tf.enableProdMode();
import { mulberry32 } from '../../src/random';

type Case = { batch: number; h: number; w: number; ci: number; co: number; k: [number, number]; strides: [number, number]; pad: 'valid' | 'same' };

function randomCase(random: () => number): Case {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const k: [number, number] = [int(1, 4), int(1, 4)];
  return {
    batch: int(1, 4), h: int(k[0] + 1, 12), w: int(k[1] + 1, 12), ci: int(1, 5), co: int(1, 6), k,
    strides: random() < 0.7 ? [1, 1] : [int(1, 3), int(1, 3)],
    pad: random() < 0.5 ? 'valid' : 'same',
  };
}

async function filterGradient(backend: string, c: Case, x: Float32Array, dy: (shape: number[]) => Float32Array): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = tf.tensor4d(x, [c.batch, c.h, c.w, c.ci]);
    const outShape = tf.conv2d(xs, tf.zeros([...c.k, c.ci, c.co]) as tf.Tensor4D, c.strides, c.pad).shape;
    const dys = tf.tensor4d(dy(outShape), outShape);
    const grad = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xs, f as tf.Tensor4D, c.strides, c.pad), dys)));
    const g = grad(tf.zeros([...c.k, c.ci, c.co]));
    return { values: g.dataSync() as Float32Array, shape: g.shape };
  });
}

test('matches the cpu kernel on 40 random shapes, strides and paddings', async () => {
  registerConv2DBackpropFilterForWasm();
  const random = mulberry32(42);
  for (let n = 0; n < 40; n++) {
    const c = randomCase(random);
    const x = Float32Array.from({ length: c.batch * c.h * c.w * c.ci }, () => random() * 2 - 1);
    const dyValues = new Map<string, Float32Array>();
    const dy = (shape: number[]) => {
      const key = shape.join('x');
      if (!dyValues.has(key)) dyValues.set(key, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1));
      return dyValues.get(key)!;
    };
    const cpu = await filterGradient('cpu', c, x, dy);
    const wasm = await filterGradient('wasm', c, x, dy);
    expect(wasm.shape).toEqual(cpu.shape);
    for (let i = 0; i < cpu.values.length; i++) expect(Math.abs(wasm.values[i] - cpu.values[i])).toBeLessThan(1e-4 * (1 + Math.abs(cpu.values[i])));
  }
});
