import { PNG } from 'pngjs';
import {
  encodeGrayPng,
  encodeRgbPng,
  imagePicture,
  outlineRect,
  tint,
  upscale,
} from '../../src/render/picture';

describe('plain PNG pictures', () => {
  test('grayscale: upscaled by whole pixels, 0 black and 1 white', () => {
    const png = PNG.sync.read(encodeGrayPng([0, 0.5, 1, 0.25, 0, 1], 2, 3, 4));
    expect([png.width, png.height]).toEqual([12, 8]);
    const at = (r: number, c: number) => png.data[(r * 12 + c) * 4];
    expect([at(0, 0), at(3, 3), at(0, 4), at(0, 8), at(4, 0), at(7, 11)]).toEqual([0, 0, 128, 255, 64, 255]);
  });

  test('RGB: channels kept, tint and outline drawn where asked', () => {
    const base = imagePicture([0, 0, 0, 1], 2, 2);
    const tinted = tint(base, [1, 0, 0, 0], [1, 0, 0], 0.5);
    expect(Array.from(tinted.data.subarray(0, 3))).toEqual([0.5, 0, 0]);
    expect(Array.from(base.data.subarray(0, 3))).toEqual([0, 0, 0]);
    const big = upscale(tinted, 3);
    outlineRect(big, 0, 0, 5, 5, [0, 1, 0]);
    const png = PNG.sync.read(encodeRgbPng(big.data, big.rows, big.cols));
    const px = (r: number, c: number) => Array.from(png.data.subarray((r * 6 + c) * 4, (r * 6 + c) * 4 + 3));
    expect(px(0, 0)).toEqual([0, 255, 0]);
    expect(px(1, 1)).toEqual([128, 0, 0]);
    expect(px(4, 4)).toEqual([255, 255, 255]);
    expect(() => encodeRgbPng([0, 0], 1, 1)).toThrow(/2 values, expected 3/);
  });
});
