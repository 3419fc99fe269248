// The window kernels incremental occlusion uses to find and undo a patch's change (changedBox,
// copyBox in assembly/kernels.ts) against plain loops, on random images of 1–13 channels with a
// few changed values (NaN, −0 and values in the vector tails included) and random boxes.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { mulberry32 } from '../../src/random';
import { useBackend } from '../../src/tf/backend';
import { address, simdKernels } from '../../src/tf/simd-module';

const random = mulberry32(5);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

interface Image {
  h: number;
  w: number;
  c: number;
}

/** The bounding box [r0, r1, c0, c1] of cells in the box where some channel of a and b differs (!==), or null. */
function changedBoxByLoops(
  a: Float32Array,
  b: Float32Array,
  { w, c }: Image,
  box: number[],
): number[] | null {
  const [r0, r1, c0, c1] = box;
  const rows: number[] = [];
  const cols: number[] = [];
  for (let r = r0; r < r1; r++)
    for (let col = c0; col < c1; col++)
      for (let k = 0; k < c; k++)
        if (a[(r * w + col) * c + k] !== b[(r * w + col) * c + k]) {
          rows.push(r);
          cols.push(col);
        }
  if (rows.length === 0) return null;
  return [Math.min(...rows), Math.max(...rows) + 1, Math.min(...cols), Math.max(...cols) + 1];
}

function randomBox({ h, w }: Image): number[] {
  const r0 = int(0, h - 1);
  const c0 = int(0, w - 1);
  return [r0, int(r0 + 1, h), c0, int(c0 + 1, w)];
}

let backend: BackendWasm;
beforeAll(async () => {
  await useBackend('wasm');
  backend = tf.backend() as BackendWasm;
});

/** Two heap buffers of the image's size holding `a` and `b`, and a 4-int box, disposed after `use`. */
function onHeap(
  a: Float32Array,
  b: Float32Array,
  use: (at: number[], boxAt: number, box: Int32Array) => void,
): Float32Array[] {
  const infos = [a, b].map((v) => backend.makeOutput([v.length], 'float32'));
  const boxInfo = backend.makeOutput([4], 'int32');
  try {
    const views = infos.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    views[0].set(a);
    views[1].set(b);
    use(
      infos.map((t) => address(backend, t)),
      address(backend, boxInfo),
      backend.typedArrayFromHeap(boxInfo) as Int32Array,
    );
    return views.map((v) => v.slice());
  } finally {
    for (const t of [...infos, boxInfo]) backend.disposeData(t.dataId);
  }
}

test('changedBox finds the bounding box of the changed cells within the box, or reports none', () => {
  const kernels = simdKernels(backend);
  let none = 0;
  for (let trial = 0; trial < 300; trial++) {
    const image = { h: int(1, 12), w: int(1, 12), c: int(1, 13) };
    const clean = Float32Array.from({ length: image.h * image.w * image.c }, () => random() - 0.5);
    const work = clean.slice();
    for (let n = int(0, 4); n > 0; n--) {
      const at = int(0, work.length - 1);
      work[at] = [Number.NaN, work[at] + 1, -work[at]][int(0, 2)];
    }
    if (random() < 0.2) {
      const at = int(0, work.length - 1);
      clean[at] = 0;
      work[at] = -0; // equal as floats: not a change
    }
    const box = randomBox(image);
    const expected = changedBoxByLoops(work, clean, image, box);
    onHeap(work, clean, ([workAt, cleanAt], boxAt, found) => {
      const changed = kernels.changedBox(workAt, cleanAt, image.w, image.c, ...box, boxAt);
      expect({ trial, changed: changed === 1, box: changed ? [...found] : null }).toEqual({
        trial,
        changed: expected !== null,
        box: expected,
      });
    });
    if (expected === null) none++;
  }
  expect(none).toBeGreaterThan(20); // both outcomes were exercised
  expect(none).toBeLessThan(280);
});

test('copyBox copies exactly the box', () => {
  const kernels = simdKernels(backend);
  for (let trial = 0; trial < 100; trial++) {
    const image = { h: int(1, 12), w: int(1, 12), c: int(1, 13) };
    const from = Float32Array.from({ length: image.h * image.w * image.c }, () => random());
    const to = Float32Array.from({ length: from.length }, () => -random());
    const box = randomBox(image);
    const [, copied] = onHeap(from, to, ([fromAt, toAt]) =>
      kernels.copyBox(fromAt, toAt, image.w, image.c, ...box),
    );
    const expected = to.slice();
    for (let r = box[0]; r < box[1]; r++)
      for (let col = box[2]; col < box[3]; col++)
        for (let k = 0; k < image.c; k++)
          expected[(r * image.w + col) * image.c + k] = from[(r * image.w + col) * image.c + k];
    expect(copied).toEqual(expected);
  }
});
