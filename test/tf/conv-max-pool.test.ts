// Inference's convolution + max pooling in one pass (convMaxPool, image by image) against the
// training path's two passes (conv2dForward, then maxPoolTiles) on random shapes: the same values
// to the bit, with one and three input channels, strides, 'same' padding, output channels that
// are and are not multiples of 4, and convolution outputs that the pooling windows do not cover
// wholly (the cells left out are not computed).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';
import { address, simdKernels } from '../../src/tf/simd-module';
import { convGeometry } from '../../src/tf/wasm-kernel-utils';

const random = mulberry32(29);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(...options: T[]): T => options[Math.floor(random() * options.length)];
const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);

beforeAll(async () => {
  await useBackend('wasm');
});

test('convMaxPool gives conv2dForward then maxPoolTiles to the bit on 60 random shapes', () => {
  const backend = tf.backend() as BackendWasm;
  const k = simdKernels(backend);
  const at = (t: tf.Tensor) => address(backend, t);
  for (let n = 0; n < 60; n++) {
    const [kh, kw] = [int(1, 4), int(1, 4)];
    const [batch, h, w] = [int(1, 5), int(kh + 1, 16), int(kw + 1, 16)];
    const [inC, outC] = [pick(1, 3, 12), pick(1, 4, 7, 8, 12, 16, 20)];
    const strides: [number, number] = random() < 0.6 ? [1, 1] : [int(1, 2), int(1, 2)];
    const pad = pick<'valid' | 'same'>('valid', 'same');
    const [relu, withBias] = [random() < 0.7, random() < 0.8];
    const info = tf.backend_util.computeConv2DInfo([batch, h, w, inC], [kh, kw, inC, outC], strides, 1, pad);
    const window = [int(1, Math.min(3, info.outHeight)), int(1, Math.min(3, info.outWidth))];
    const [poolH, poolW] = [Math.floor(info.outHeight / window[0]), Math.floor(info.outWidth / window[1])];
    const pooled = batch * poolH * poolW * outC;

    const [x, f, b] = [values(batch * h * w * inC), values(kh * kw * inC * outC), values(outC)].map((v) =>
      tf.tensor(v),
    );
    const conv = tf.fill([batch * info.outHeight * info.outWidth * outC], 7);
    const [twoPasses, where, onePass] = [0, 1, 2].map(() => tf.fill([pooled], 7));
    const work = tf.fill([info.outHeight * info.outWidth * outC], 7);
    const bias = withBias ? at(b) : 0;
    k.conv2dForward(at(x), at(f), bias, at(conv), ...convGeometry(info), +relu);
    const poolGeometry = [info.outHeight, info.outWidth, outC, poolH, poolW, ...window];
    k.maxPoolTiles(at(conv), at(twoPasses), at(where), batch, ...poolGeometry);
    k.convMaxPool(
      at(x),
      at(f),
      bias,
      at(onePass),
      at(work),
      ...convGeometry(info),
      +relu,
      poolH,
      poolW,
      ...window,
    );
    // (+ 0: ReLU may leave −0 on one path and 0 on the other.)
    expect(Array.from(onePass.dataSync(), (v) => v + 0)).toEqual(
      Array.from(twoPasses.dataSync(), (v) => v + 0),
    );
    tf.dispose([x, f, b, conv, twoPasses, where, onePass, work]);
  }
});
