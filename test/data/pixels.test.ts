import { gatherPixels } from '../../src/data/pixels';
import { mulberry32 } from '../../src/random';

// The lookup table and the four-at-a-time loop must give exactly byte / 255 in float32, for any
// image size (a multiple of four or not) and any order of indices.
describe('gatherPixels', () => {
  it.each([1, 3, 75, 784, 785, 3072])('gives byte / 255 for images of %i values', (values) => {
    const random = mulberry32(values);
    const count = 20;
    const images = Uint8Array.from({ length: count * values }, () => Math.floor(random() * 256));
    images[0] = 255;
    images[images.length - 1] = 0;
    const indices = [19, 0, 7, 7, 3];
    const gathered = gatherPixels({ count, images, labels: new Uint8Array(count) }, values, indices);
    const expected = new Float32Array(indices.length * values);
    indices.forEach((image, k) => {
      for (let p = 0; p < values; p++) expected[k * values + p] = images[image * values + p] / 255;
    });
    expect(gathered).toEqual(expected);
  });

  it('writes into the buffer it is given, leaving the rest', () => {
    const images = Uint8Array.from({ length: 8 }, (_, i) => i * 30);
    const into = new Float32Array(12).fill(-1);
    gatherPixels({ count: 2, images, labels: new Uint8Array(2) }, 4, [1], into);
    expect(Array.from(into.subarray(0, 4))).toEqual([120, 150, 180, 210].map((b) => Math.fround(b / 255)));
    expect(Array.from(into.subarray(4))).toEqual(new Array(8).fill(-1));
  });
});
