// What planning an occlusion experiment needs from the data: the image size and the test
// labels (to resolve `firstOfLabel`, `perClass`, ...), read from the labels file and the images
// file's 16-byte header only. Loading the whole data set here would add half a second to every
// run of a config, finished or not; the workers load (and checksum) the full files anyway.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { plannedFolderData } from '../data/check';
import { FILES, MNIST_SHA256, findFile, mnistDir, subsetIndices } from '../data/datasets';
import { DataError, maybeGunzip, parseIdxLabels } from '../data/idx';
import type { DataSpec } from '../data/spec';
import { createHash } from 'node:crypto';

export interface TestLabels {
  rows: number;
  cols: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: number;
  /** Labels of the spec's test split (its subset, when the spec takes one). */
  labels: Uint8Array;
  /** Number of classes: the largest label of the whole test file, plus one. */
  classes: number;
}

const LABELS = FILES.testLabels;
const IMAGES = FILES.testImages;

/** Rows and columns from an IDX images file's header (the whole file only when it is gzipped). */
function imageSize(file: string): { rows: number; cols: number } {
  let head = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head[0] === 0x1f && head[1] === 0x8b)
    head = Buffer.from(maybeGunzip(readFileSync(file), file).subarray(0, 16));
  if (head.readUInt32BE(0) !== 2051)
    throw new DataError(
      file,
      `wrong magic number ${head.readUInt32BE(0)}: expected 2051 for an IDX images file`,
    );
  return { rows: head.readUInt32BE(8), cols: head.readUInt32BE(12) };
}

const cache = new Map<string, TestLabels>();

export function testLabels(spec: DataSpec): TestLabels {
  const key = JSON.stringify(spec);
  const known = cache.get(key);
  if (known) return known;
  const result = spec.source === 'folder' ? folderTestLabels(spec) : idxTestLabels(spec);
  cache.set(key, result);
  return result;
}

/** An image folder's test labels: its images are decoded (the channels depend on their colours). */
function folderTestLabels(spec: DataSpec): TestLabels {
  const data = plannedFolderData(spec);
  return {
    rows: data.rows,
    cols: data.cols,
    channels: data.channels,
    labels: data.test.labels,
    classes: data.classNames!.length,
  };
}

function idxTestLabels(spec: DataSpec): TestLabels {
  const dir = spec.source === 'mnist' ? mnistDir() : path.resolve(spec.dir!);
  const labelsFile = findFile(dir, LABELS);
  const bytes = new Uint8Array(readFileSync(labelsFile));
  if (spec.source === 'mnist') {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== MNIST_SHA256[LABELS])
      throw new DataError(
        labelsFile,
        `checksum mismatch: SHA-256 ${actual}, expected ${MNIST_SHA256[LABELS]}`,
      );
  }
  const all = parseIdxLabels(bytes, labelsFile);
  const labels = spec.test ? Uint8Array.from(subsetIndices(all, spec.test), (i) => all[i]) : all;
  const classes = all.reduce((max, label) => Math.max(max, label), 0) + 1;
  return { ...imageSize(findFile(dir, IMAGES)), channels: 1, labels, classes };
}
