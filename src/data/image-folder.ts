// Reader for a folder of images in the class-per-folder layout (torchvision's ImageFolder): one
// sub-folder per class, named as the class, holding its PNG or JPEG images. Classes are numbered
// in the sorted order of their folder names, as ImageFolder numbers them, so a PyTorch model's
// outputs line up with the labels.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { readDataFile } from './data-file';
import { DataError } from './idx';

/** File name endings read as images; other files (a README, .DS_Store) are passed over, as ImageFolder does. */
const IMAGE_ENDINGS = /\.(png|jpe?g)$/i;

export interface FolderImages {
  /** Class names, in label order. */
  classes: string[];
  count: number;
  rows: number;
  cols: number;
  channels: 1 | 3;
  /** count × rows × cols × channels bytes, channel-last (RGB interleaved). */
  images: Uint8Array;
  labels: Uint8Array;
  /** Each image's path relative to the folder, in image order. */
  files: string[];
}

interface DecodedImage {
  rows: number;
  cols: number;
  /** rows × cols × 4 bytes (RGBA). */
  rgba: Uint8Array;
}

/** The class folders of `dir` and the image files in each, sorted; an empty class or a folder without classes is a DataError. */
export function listImageFolder(dir: string): { classes: string[]; files: string[][] } {
  const classes = subFolders(dir);
  if (classes.length === 0)
    throw new DataError(
      dir,
      'no class folders: expected one sub-folder per class holding its .png or .jpg images',
    );
  if (classes.length > 256)
    throw new DataError(dir, `${classes.length} class folders: at most 256 classes are supported`);
  const files = classes.map((name) => {
    const classDir = path.join(dir, name);
    const images = readdirSync(classDir)
      .filter((file) => IMAGE_ENDINGS.test(file))
      .sort();
    if (images.length === 0)
      throw new DataError(classDir, 'empty class folder: expected .png or .jpg images in it');
    return images.map((file) => path.join(name, file));
  });
  return { classes, files };
}

function subFolders(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new DataError(dir, `cannot be read as a folder (${(error as NodeJS.ErrnoException).code})`);
  }
  return entries
    .filter((name) => !name.startsWith('.') && statSync(path.join(dir, name)).isDirectory())
    .sort();
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8]);

/** Decodes one PNG or JPEG file; anything that does not decode is a DataError naming it. */
export function decodeImage(file: string): DecodedImage {
  const bytes = readDataFile(file);
  const png = /\.png$/i.test(file);
  // The decoders' own words for a file of another kind are obscure ("read requests waiting on finished stream").
  const signature = png ? PNG_SIGNATURE : JPEG_SIGNATURE;
  if (!bytes.subarray(0, signature.length).equals(signature))
    throw new DataError(
      file,
      `not a ${png ? 'PNG' : 'JPEG'} image: its first bytes are not the ${png ? 'PNG' : 'JPEG'} signature`,
    );
  try {
    if (png) {
      const png = PNG.sync.read(bytes);
      return { rows: png.height, cols: png.width, rgba: new Uint8Array(png.data) };
    }
    const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 50 });
    return { rows: image.height, cols: image.width, rgba: image.data };
  } catch (error) {
    throw new DataError(
      file,
      `not a readable ${path.extname(file).slice(1).toUpperCase()} image (${(error as Error).message})`,
    );
  }
}

const isGray = (rgba: Uint8Array): boolean => {
  for (let p = 0; p < rgba.length; p += 4)
    if (rgba[p] !== rgba[p + 1] || rgba[p] !== rgba[p + 2]) return false;
  return true;
};

/**
 * Reads every image of a class-per-folder `dir`. `channels` forces grayscale (1: the luminance of
 * colour images) or RGB (3: gray images repeated); by default the folder is RGB when any image
 * has colour. Alpha is dropped. Images of different sizes are a DataError naming the first odd one.
 */
export function readImageFolder(dir: string, channels?: 1 | 3): FolderImages {
  const { classes, files } = listImageFolder(dir);
  const decoded: DecodedImage[] = [];
  const labels: number[] = [];
  const relative: string[] = [];
  files.forEach((classFiles, label) => {
    for (const file of classFiles) {
      const image = decodeImage(path.join(dir, file));
      const first = decoded[0];
      if (first && (image.rows !== first.rows || image.cols !== first.cols))
        throw new DataError(
          path.join(dir, file),
          `is ${image.rows}×${image.cols} (rows × columns), but ${relative[0]} is ${first.rows}×${first.cols}: every image of a folder must have one size`,
        );
      decoded.push(image);
      labels.push(label);
      relative.push(file);
    }
  });
  const { rows, cols } = decoded[0];
  const depth = channels ?? (decoded.every((image) => isGray(image.rgba)) ? 1 : 3);
  const pixels = rows * cols;
  const images = new Uint8Array(decoded.length * pixels * depth);
  decoded.forEach((image, i) => writePixels(image.rgba, depth, images.subarray(i * pixels * depth)));
  return {
    classes,
    count: decoded.length,
    rows,
    cols,
    channels: depth,
    images,
    labels: Uint8Array.from(labels),
    files: relative,
  };
}

/** RGBA → RGB, or → gray by ITU-R 601 luminance (what PIL's convert('L') computes). */
function writePixels(rgba: Uint8Array, channels: 1 | 3, into: Uint8Array): void {
  const pixels = rgba.length / 4;
  for (let p = 0; p < pixels; p++) {
    const r = rgba[4 * p];
    const g = rgba[4 * p + 1];
    const b = rgba[4 * p + 2];
    if (channels === 3) {
      into[3 * p] = r;
      into[3 * p + 1] = g;
      into[3 * p + 2] = b;
    } else into[p] = Math.round((r * 299 + g * 587 + b * 114) / 1000);
  }
}
