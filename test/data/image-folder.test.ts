import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { loadDataset } from '../../src/data/datasets';
import { DataError } from '../../src/data/idx';
import { readImageFolder } from '../../src/data/image-folder';
import { barPng, CLASS_COLOURS, writeBarFolder } from '../helpers/image-folders';
import { tempDir } from '../helpers/temp-dir';

const errorOf = (run: () => unknown): DataError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DataError) return error;
    throw error;
  }
  throw new Error('expected a DataError');
};

test('classes are the sorted sub-folders; RGB pixels keep their colours, channel-last', () => {
  const dir = writeBarFolder(tempDir('folder-rgb'), { perClass: 2, rows: 6, cols: 5 });
  const folder = readImageFolder(dir);
  expect(folder.classes).toEqual(['class-0', 'class-1', 'class-2']);
  expect(Array.from(folder.labels)).toEqual([0, 0, 1, 1, 2, 2]);
  expect([folder.count, folder.rows, folder.cols, folder.channels]).toEqual([6, 6, 5, 3]);
  expect(folder.images.length).toBe(6 * 6 * 5 * 3);
  // Image 2 is class 1: its bar is row ⌊1·6/3⌋ = 2, in class 1's colour.
  const pixel = (image: number, row: number, col: number) =>
    Array.from(
      folder.images.subarray(((image * 6 + row) * 5 + col) * 3, ((image * 6 + row) * 5 + col) * 3 + 3),
    );
  expect(pixel(2, 2, 3)).toEqual([...CLASS_COLOURS[1]]);
  expect(folder.files[2]).toBe(path.join('class-1', '000.png'));
});

test('a gray folder reads as one channel; channels: 3 repeats it, channels: 1 takes luminance', () => {
  const gray = writeBarFolder(tempDir('folder-gray'), { perClass: 1, colour: false });
  expect(readImageFolder(gray).channels).toBe(1);
  const asRgb = readImageFolder(gray, 3);
  expect(Array.from(asRgb.images.subarray(0, 3)).every((v) => v === asRgb.images[0])).toBe(true);
  const colour = writeBarFolder(tempDir('folder-luma'), { perClass: 1 });
  const luma = readImageFolder(colour, 1);
  const [r, g, b] = CLASS_COLOURS[0];
  // Class 0's bar is row 0: the first pixel.
  expect(luma.images[0]).toBe(Math.round((r * 299 + g * 587 + b * 114) / 1000));
});

test('JPEG images decode next to PNGs', () => {
  const dir = tempDir('folder-jpeg');
  mkdirSync(path.join(dir, 'a'));
  const data = Buffer.alloc(4 * 8 * 8, 255);
  writeFileSync(path.join(dir, 'a', 'x.jpg'), jpeg.encode({ width: 8, height: 8, data }, 95).data);
  const folder = readImageFolder(dir);
  expect([folder.rows, folder.cols, folder.channels]).toEqual([8, 8, 1]);
  expect(folder.images[0]).toBeGreaterThan(250);
});

test('bad folders name the path: no classes, an empty class, a corrupt image, mixed sizes', () => {
  const empty = tempDir('folder-none');
  expect(errorOf(() => readImageFolder(empty)).message).toMatch(/no class folders/);

  const emptyClass = writeBarFolder(tempDir('folder-empty-class'), { perClass: 1 });
  mkdirSync(path.join(emptyClass, 'class-9'));
  const error = errorOf(() => readImageFolder(emptyClass));
  expect(error.file).toBe(path.join(emptyClass, 'class-9'));
  expect(error.message).toMatch(/empty class folder/);

  const corrupt = writeBarFolder(tempDir('folder-corrupt'), { perClass: 2 });
  const bad = path.join(corrupt, 'class-1', '001.png');
  writeFileSync(bad, Buffer.from('not a png at all'));
  expect(errorOf(() => readImageFolder(corrupt)).message).toMatch(/001.png: not a PNG image/);
  const whole = readFileSync(path.join(corrupt, 'class-1', '000.png'));
  writeFileSync(bad, whole.subarray(0, whole.length - 20));
  const truncated = errorOf(() => readImageFolder(corrupt));
  expect(truncated.file).toBe(bad);
  expect(truncated.message).toMatch(/not a readable PNG image \(.+\)/);

  const mixed = writeBarFolder(tempDir('folder-mixed'), { perClass: 1 });
  writeFileSync(path.join(mixed, 'class-2', 'big.png'), barPng(2, { perClass: 1, rows: 13 }, Math.random));
  const odd = errorOf(() => readImageFolder(mixed));
  expect(odd.message).toMatch(/13×12.*every image of a folder must have one size/);
});

test('a data set of folders: the test folder, the training folder when used, subsets', () => {
  const root = tempDir('folder-dataset');
  const dir = writeBarFolder(path.join(root, 'test'), { perClass: 3, seed: 2 });
  const trainDir = writeBarFolder(path.join(root, 'train'), { perClass: 5 });
  const data = loadDataset({ source: 'folder', dir, trainDir, test: { first: 4 } });
  expect([data.rows, data.cols, data.channels, data.test.count]).toEqual([12, 12, 3, 4]);
  expect(data.classNames).toEqual(['class-0', 'class-1', 'class-2']);
  expect(data.train.count).toBe(15);
  // Shuffled once, so that a validation split of the last images holds every class.
  expect(new Set(data.train.labels.subarray(10)).size).toBeGreaterThan(1);

  const other = writeBarFolder(path.join(root, 'other'), { perClass: 1, classes: 2 });
  const mismatch = loadDataset({ source: 'folder', dir, trainDir: other });
  expect(errorOf(() => mismatch.train).message).toMatch(/class folders class-0, class-1 differ/);
  const noTrain = loadDataset({ source: 'folder', dir });
  expect(errorOf(() => noTrain.train).message).toMatch(/set data.trainDir/);
});
