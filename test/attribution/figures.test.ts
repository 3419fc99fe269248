// Attribution maps drawn over the digit: where the map is zero the digit shows as it is; the
// strongest value covers it with the scale's end colour at the fixed opacity; the scale's kind
// follows the sign of the values.
import { methodScale, overlayCell, scaleKind } from '../../src/attribution/figures';
import type { ProbedImage } from '../../src/render/feature-map-grid';

const image: ProbedImage = {
  index: 0,
  label: 3,
  rows: 2,
  cols: 2,
  pixels: Float32Array.from([0, 1, 0.5, 0.25]),
};
const pixelAt = (data: Float32Array, cols: number, r: number, c: number) =>
  Array.from(data.subarray((r * cols + c) * 3, (r * cols + c) * 3 + 3));

test('a zero map leaves the digit as it is, at every upscaled pixel', () => {
  const map = new Float32Array(4);
  const { picture } = overlayCell(image, map, methodScale(Float32Array.from([0, 1])), 4);
  expect([picture.rows, picture.cols]).toEqual([4, 4]);
  for (let r = 0; r < 4; r++)
    for (let c = 0; c < 4; c++) {
      const gray = image.pixels[Math.floor(r / 2) * 2 + Math.floor(c / 2)];
      expect(pixelAt(picture.data, 4, r, c)).toEqual([gray, gray, gray]);
    }
});

test("values at the scale's end cover the digit at 85 % with their end colour; others by √ of their share", () => {
  const map = Float32Array.from([2, -2, 0, 1]);
  const scale = methodScale(map);
  expect(scaleKind(scale)).toBe('diverging: blue < 0 < red');
  const { picture } = overlayCell(image, map, scale, 2);
  const blend = (gray: number, colour: readonly number[], opacity: number) =>
    colour.map((c) => gray * (1 - opacity) + c * opacity);
  const close = (actual: number[], expected: number[]) =>
    actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  close(pixelAt(picture.data, 2, 0, 0), blend(0, scale.colour(2), 0.85));
  close(pixelAt(picture.data, 2, 0, 1), blend(1, scale.colour(-2), 0.85));
  close(pixelAt(picture.data, 2, 1, 1), blend(0.25, scale.colour(1), 0.85 * Math.sqrt(1 / scale.domain[1])));
});

test('the scale ends at the 99th percentile of |value|, so one outlier does not wash out the rest', () => {
  const values = Float32Array.from({ length: 1000 }, (_, i) => (i === 0 ? 1000 : (i % 10) - 5));
  const scale = methodScale(values);
  expect(scale.domain).toEqual([-5, 5]);
  expect(scale.colour(1000)).toEqual(scale.colour(5));
});

test('a map without negative values is drawn on a sequential scale; a wrong-sized map is refused', () => {
  expect(scaleKind(methodScale(Float32Array.from([0, 0.5, 3])))).toBe('sequential: viridis from 0');
  expect(() => overlayCell(image, new Float32Array(3), methodScale([1]), 2)).toThrow(
    /3 map values for a 2×2 image/,
  );
});
