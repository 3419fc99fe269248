// A folder of IDX files of any image size, made in the test: class k is a bright horizontal bar
// at row ⌊k·rows/classes⌋ on seeded noise, so a small CNN learns it in a few epochs.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../../src/random';

function idxFile(magic: number, dims: number[], body: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + dims.length * 4);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + i * 4));
  return Buffer.concat([head, body]);
}

function split(count: number, rows: number, cols: number, classes: number, seed: number) {
  const random = mulberry32(seed);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  const images = new Uint8Array(count * rows * cols);
  labels.forEach((label, i) => {
    const bar = Math.floor((label * rows) / classes);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++)
        images[(i * rows + r) * cols + c] =
          r === bar ? 200 + Math.floor(random() * 55) : Math.floor(random() * 60);
  });
  return { images, labels };
}

export function writeBarImages(
  dir: string,
  rows: number,
  cols: number,
  train = 600,
  test = 200,
  classes = 10,
): string {
  mkdirSync(dir, { recursive: true });
  const write = (prefix: string, count: number, seed: number) => {
    const { images, labels } = split(count, rows, cols, classes, seed);
    writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), idxFile(2051, [count, rows, cols], images));
    writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), idxFile(2049, [count], labels));
  };
  write('train', train, 1);
  write('t10k', test, 2);
  return dir;
}
