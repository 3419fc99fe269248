// Plain pictures as PNG (pngjs): grayscale or RGB pixels in 0..1, upscaled by whole pixels so
// that a 28×28 digit is big enough to look at. For charts with axes and legends use chart.ts.
import { writeFileAtomic } from '../files';

/** An RGB picture: rows × cols × 3 values in 0..1, row-major. */
export interface RgbPicture {
  rows: number;
  cols: number;
  data: Float32Array;
}

export type Rgb = readonly [number, number, number];

// Plain comparisons rather than Math.min/max/round: this runs once per output pixel.
const byte = (v: number) => (v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0);

function checkSize(what: string, length: number, expected: number): void {
  if (length !== expected) throw new Error(`${what}: ${length} values, expected ${expected}`);
}

/** Nearest-neighbour upscaling of rows × cols pixels of `channels` values each: every source row is widened once, then copied. */
function upscaleValues(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  channels: number,
  scale: number,
): Float32Array {
  if (!Number.isInteger(scale) || scale < 1)
    throw new Error(`scale: expected a positive integer, got ${scale}`);
  const width = cols * scale * channels;
  const out = new Float32Array(rows * scale * width);
  for (let r = 0; r < rows; r++) {
    const first = r * scale * width;
    for (let c = 0; c < cols; c++) {
      for (let ch = 0; ch < channels; ch++) {
        const v = values[(r * cols + c) * channels + ch];
        for (let s = 0; s < scale; s++) out[first + (c * scale + s) * channels + ch] = v;
      }
    }
    for (let s = 1; s < scale; s++) out.copyWithin(first + s * width, first, first + width);
  }
  return out;
}

/** Nearest-neighbour upscaling by a whole factor. */
export function upscale(picture: RgbPicture, scale: number): RgbPicture {
  return {
    rows: picture.rows * scale,
    cols: picture.cols * scale,
    data: upscaleValues(picture.data, picture.rows, picture.cols, 3, scale),
  };
}

/** The size of an image of the data: `channels` 1 (gray, the default) or 3 (RGB interleaved). */
export interface ImageShape {
  rows: number;
  cols: number;
  channels?: number;
}

/** An image of the data (values 0..1; `channels` 1: gray, 3: RGB interleaved) as a picture. */
export function imagePicture(
  pixels: ArrayLike<number>,
  rows: number,
  cols: number,
  channels = 1,
): RgbPicture {
  checkSize(channels === 3 ? 'rgb picture' : 'gray picture', pixels.length, rows * cols * channels);
  if (channels === 3) return { rows, cols, data: Float32Array.from(pixels) };
  const data = new Float32Array(rows * cols * 3);
  for (let i = 0; i < rows * cols; i++) data.fill(pixels[i], i * 3, i * 3 + 3);
  return { rows, cols, data };
}

/** Blends `color` over the pixels where mask is non-zero (alpha 0..1). */
export function tint(picture: RgbPicture, mask: ArrayLike<number>, color: Rgb, alpha: number): RgbPicture {
  checkSize('mask', mask.length, picture.rows * picture.cols);
  const data = Float32Array.from(picture.data);
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let ch = 0; ch < 3; ch++) data[i * 3 + ch] = data[i * 3 + ch] * (1 - alpha) + color[ch] * alpha;
  }
  return { ...picture, data };
}

/** Draws the outline of rows top..bottom, columns left..right (inclusive) in place. */
export function outlineRect(
  picture: RgbPicture,
  top: number,
  left: number,
  bottom: number,
  right: number,
  color: Rgb,
  thickness = 1,
): void {
  const set = (r: number, c: number) => {
    if (r < 0 || c < 0 || r >= picture.rows || c >= picture.cols) return;
    picture.data.set(color, (r * picture.cols + c) * 3);
  };
  for (let t = 0; t < thickness; t++) {
    for (let c = left; c <= right; c++) {
      set(top + t, c);
      set(bottom - t, c);
    }
    for (let r = top; r <= bottom; r++) {
      set(r, left + t);
      set(r, right - t);
    }
  }
}

// The input is handed to pngjs in the output's own colour type and rows are not filtered: pngjs'
// colour conversion and adaptive filtering are pure JavaScript and cost ~100× the deflate itself
// (and worse under jest); nearest-neighbour upscaled pictures deflate well unfiltered anyway.
function encode(values: Float32Array, rows: number, cols: number, colorType: 0 | 2): Buffer {
  const options = { colorType, inputColorType: colorType, inputHasAlpha: false, filterType: 0 } as const;
  // Loaded when first drawn: every worker thread loads the job kinds, not all draw.
  const { PNG } = require('pngjs') as typeof import('pngjs');
  const png = new PNG({ width: cols, height: rows, ...options });
  const data = Buffer.alloc(values.length);
  for (let i = 0; i < values.length; i++) data[i] = byte(values[i]);
  png.data = data;
  return PNG.sync.write(png, options);
}

/** PNG bytes of a grayscale picture (pixels 0..1, 0 = black), each pixel drawn as scale × scale. */
export function encodeGrayPng(pixels: ArrayLike<number>, rows: number, cols: number, scale = 1): Buffer {
  checkSize('gray picture', pixels.length, rows * cols);
  return encode(upscaleValues(pixels, rows, cols, 1, scale), rows * scale, cols * scale, 0);
}

/** PNG bytes of an RGB picture (rows × cols × 3 values 0..1), each pixel drawn as scale × scale. */
export function encodeRgbPng(rgb: ArrayLike<number>, rows: number, cols: number, scale = 1): Buffer {
  checkSize('rgb picture', rgb.length, rows * cols * 3);
  return encode(upscaleValues(rgb, rows, cols, 3, scale), rows * scale, cols * scale, 2);
}

/** An image of the data (values 0..1, gray or RGB interleaved) as a PNG file. */
export function writeImagePng(
  file: string,
  pixels: ArrayLike<number>,
  rows: number,
  cols: number,
  scale = 1,
  channels = 1,
): void {
  const bytes =
    channels === 3 ? encodeRgbPng(pixels, rows, cols, scale) : encodeGrayPng(pixels, rows, cols, scale);
  writeFileAtomic(file, bytes);
}

export function writePicture(file: string, picture: RgbPicture, scale = 1): void {
  writeFileAtomic(file, encodeRgbPng(picture.data, picture.rows, picture.cols, scale));
}
