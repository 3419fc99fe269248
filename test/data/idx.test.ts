import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataError, parseIdxImages, parseIdxLabels } from '../../src/data/idx';
import {
  loadDataset,
  loadIdxFolder,
  MNIST_SHA256,
  mnistDir,
  subsetIndices,
  takeSubset,
} from '../../src/data/datasets';
import { tempDir } from '../helpers/temp-dir';

function idxImages(count: number, rows: number, cols: number, fill = (i: number) => i % 256): Uint8Array {
  const bytes = new Uint8Array(16 + count * rows * cols);
  const view = new DataView(bytes.buffer);
  [2051, count, rows, cols].forEach((v, i) => view.setUint32(i * 4, v, false));
  for (let i = 16; i < bytes.length; i++) bytes[i] = fill(i - 16);
  return bytes;
}

function idxLabels(labels: number[]): Uint8Array {
  const bytes = new Uint8Array(8 + labels.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 2049, false);
  view.setUint32(4, labels.length, false);
  bytes.set(labels, 8);
  return bytes;
}

describe('IDX parsing', () => {
  test('reads images and labels, plain and gzipped', () => {
    const raw = idxImages(3, 2, 4);
    for (const bytes of [raw, new Uint8Array(gzipSync(raw))]) {
      const images = parseIdxImages(bytes, 'x');
      expect(images).toMatchObject({ count: 3, rows: 2, cols: 4 });
      expect(Array.from(images.pixels.subarray(0, 9))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    }
    expect(Array.from(parseIdxLabels(new Uint8Array(gzipSync(idxLabels([5, 0, 4]))), 'y'))).toEqual([
      5, 0, 4,
    ]);
  });

  test.each([
    [
      'a truncated header',
      idxImages(2, 2, 2).subarray(0, 10),
      /x\.idx: truncated: 10 bytes, shorter than the 16-byte IDX header/,
    ],
    [
      'truncated pixels',
      idxImages(2, 2, 2).subarray(0, 20),
      /x\.idx: truncated: 20 bytes, expected 24 for 2 images of 2×2/,
    ],
    [
      'trailing bytes',
      new Uint8Array([...idxImages(1, 2, 2), 9]),
      /x\.idx: 1 unexpected bytes after 1 images of 2×2/,
    ],
    ['labels given as images', idxLabels([1, 2]), /x\.idx: (truncated|wrong magic number)/],
    [
      'a wrong magic number',
      (() => {
        const b = idxImages(1, 2, 2);
        b[3] = 7;
        return b;
      })(),
      /x\.idx: wrong magic number 2055: expected 2051 for an IDX images file/,
    ],
    ['broken gzip', new Uint8Array([0x1f, 0x8b, 1, 2, 3]), /x\.idx: not a valid gzip file/],
  ])('names the file and the fault for %s', (_what, bytes, message) => {
    expect(() => parseIdxImages(bytes, 'x.idx')).toThrow(DataError);
    expect(() => parseIdxImages(bytes, 'x.idx')).toThrow(message);
  });

  test('labels: wrong magic and truncation', () => {
    expect(() => parseIdxLabels(idxImages(1, 1, 1), 'l')).toThrow(
      /l: wrong magic number 2051: expected 2049 for an IDX labels file/,
    );
    expect(() => parseIdxLabels(idxLabels([1, 2, 3]).subarray(0, 9), 'l')).toThrow(
      /l: truncated: 9 bytes, expected 11 for 3 labels/,
    );
  });
});

describe('data sets', () => {
  test('the bundled MNIST is the full, verified set', () => {
    const data = loadDataset({ source: 'mnist' });
    expect([data.train.count, data.test.count, data.rows, data.cols]).toEqual([60000, 10000, 28, 28]);
    expect(Array.from(data.train.labels.subarray(0, 3))).toEqual([5, 0, 4]);
    expect(Array.from(data.test.labels.subarray(0, 3))).toEqual([7, 2, 1]);
  });

  test('a damaged MNIST file fails its checksum, naming the file', () => {
    const dir = tempDir();
    for (const f of [
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ])
      copyFileSync(path.join(mnistDir(), f), path.join(dir, f));
    const labels = path.join(dir, 't10k-labels-idx1-ubyte');
    const bytes = idxLabels(Array.from(loadIdxFolder(dir).test.labels));
    bytes[100] = (bytes[100] + 1) % 10;
    writeFileSync(labels, bytes);
    expect(() => loadIdxFolder(dir, MNIST_SHA256)).toThrow(
      new RegExp(`${labels}: checksum mismatch: SHA-256 [0-9a-f]{64}, expected ff7bcfd4`),
    );
  });

  test('an IDX folder: gzipped files, missing files and mismatched counts are clear', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idxImages(4, 3, 3)));
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels([0, 1, 2, 3])));
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idxImages(2, 3, 3));
    expect(() => loadIdxFolder(dir)).toThrow(
      /t10k-labels-idx1-ubyte: missing: expected t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte\.gz in/,
    );
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxLabels([1, 2, 3]));
    expect(() => loadIdxFolder(dir)).toThrow(/t10k-labels-idx1-ubyte: 3 labels for 2 images/);
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxLabels([1, 3])); // classes 0..3, as in training
    const data = loadDataset({ source: 'idx', dir });
    expect([data.train.count, data.test.count, data.rows]).toEqual([4, 2, 3]);
  });

  test('the training split is read when first used: a damaged one fails then, the test split works without it', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), idxImages(4, 3, 3));
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxLabels([0, 1, 2, 7]));
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idxImages(2, 3, 3));
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idxLabels([1, 3]));
    const data = loadDataset({ source: 'idx', dir });
    expect([data.test.count, data.rows, data.cols]).toEqual([2, 3, 3]);
    expect(Array.from(data.test.labels)).toEqual([1, 3]);
    // Checked against the test labels as loadIdxFolder checks it, only later.
    expect(() => data.train).toThrow(/train-labels-idx1-ubyte: label 7 at index 3 is out of range/);
    expect(() => loadIdxFolder(dir)).toThrow(/train-labels-idx1-ubyte: label 7 at index 3 is out of range/);
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), idxLabels([0, 1, 2, 3]));
    const fixed = loadDataset({ source: 'idx', dir, train: { first: 3 } });
    expect(Array.from(fixed.train.labels)).toEqual([0, 1, 2]);
    expect(fixed.train).toBe(fixed.train);
  });

  test('subsets: first N, and N per class drawn by seed', () => {
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 10);
    expect(subsetIndices(labels, { first: 5 })).toEqual([0, 1, 2, 3, 4]);
    const a = subsetIndices(labels, { perClass: 3, seed: 1 });
    expect(a).toHaveLength(30);
    expect(a).toEqual(subsetIndices(labels, { perClass: 3, seed: 1 }));
    expect(a).not.toEqual(subsetIndices(labels, { perClass: 3, seed: 2 }));
    for (let d = 0; d < 10; d++) expect(a.filter((i) => labels[i] === d)).toHaveLength(3);
    const data = loadDataset({ source: 'mnist', train: { first: 100 }, test: { perClass: 2, seed: 0 } });
    expect(data.train.count).toBe(100);
    expect(Array.from(data.test.labels).sort()).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9,
    ]);
  });
});

// The fixture (the first 100 images of each split, cut from the real files) always; Debian's
// dataset-fashion-mnist as well where it is installed. Both must hold the same first 100 test images.
const FASHION_SOURCES = [
  { name: 'the fixture', dir: path.join(__dirname, '../fixtures/fashion-mnist-100'), counts: [100, 100] },
  { name: "Debian's package", dir: '/usr/share/datasets/fashion-mnist', counts: [60000, 10000] },
].filter((source) => existsSync(source.dir));

describe('Fashion-MNIST', () => {
  test.each(FASHION_SOURCES)('$name loads through the same IDX reader (gzipped)', ({ dir, counts }) => {
    const data = loadDataset({ source: 'idx', dir });
    expect([data.train.count, data.test.count, data.rows, data.cols]).toEqual([...counts, 28, 28]);
    const first = takeSubset(data.test, 28 * 28, subsetIndices(data.test.labels, { first: 100 }));
    expect(Array.from(first.labels.subarray(0, 12))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5]);
    expect(createHash('sha256').update(first.images).digest('hex')).toBe(
      'd8c9b85550f6c8fa33478e27cb3fe70fd34b4cc96e6ab91b911853b51fb3d527',
    );
  });
});
