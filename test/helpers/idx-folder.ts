// A small folder of real IDX files: the first images of the bundled MNIST, for tests of data
// checks and content ids that need a folder they may break, move or replace.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mnistDir } from '../../src/data/datasets';

export const IDX = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

function firstImages(file: string, count: number): Buffer {
  const bytes = readFileSync(path.join(mnistDir(), file));
  const header = Buffer.from(bytes.subarray(0, 16));
  header.writeUInt32BE(count, 4);
  return Buffer.concat([header, bytes.subarray(16, 16 + count * 28 * 28)]);
}

function firstLabels(file: string, count: number): Buffer {
  const bytes = readFileSync(path.join(mnistDir(), file));
  const header = Buffer.from(bytes.subarray(0, 8));
  header.writeUInt32BE(count, 4);
  return Buffer.concat([header, bytes.subarray(8, 8 + count)]);
}

/** Writes the first `train` training and `test` test images of MNIST, with their labels, to `dir`. */
export function writeSmallMnist(dir: string, train = 200, test = 100): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, IDX.trainImages), firstImages(IDX.trainImages, train));
  writeFileSync(path.join(dir, IDX.trainLabels), firstLabels(IDX.trainLabels, train));
  writeFileSync(path.join(dir, IDX.testImages), firstImages(IDX.testImages, test));
  writeFileSync(path.join(dir, IDX.testLabels), firstLabels(IDX.testLabels, test));
  return dir;
}

/** Sets byte `offset` past the header of an IDX file (a label, or a pixel) to `value`. */
export function patchIdx(file: string, headerBytes: number, offset: number, value: number): void {
  const bytes = readFileSync(file);
  bytes[headerBytes + offset] = value;
  writeFileSync(file, bytes);
}
