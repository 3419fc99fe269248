// The shift test's batches (shiftedPixels) against shifting each image on its own (shiftInto):
// the same values to the bit, for shifts inside and beyond the image, gray and RGB.
import { shiftedPixels, shiftInto } from '../../src/probes/shift';
import { mulberry32 } from '../../src/random';

const random = mulberry32(5);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

test('shiftedPixels equals shiftInto image by image on 40 random shifts, sizes and channel counts', () => {
  for (let n = 0; n < 40; n++) {
    const [rows, cols, channels] = [int(1, 9), int(1, 9), random() < 0.5 ? 1 : 3];
    const [dx, dy] = [int(-cols - 1, cols + 1), int(-rows - 1, rows + 1)];
    const count = int(1, 4);
    const values = rows * cols * channels;
    const bytes = Uint8Array.from({ length: (count + 2) * values }, () => int(0, 255));
    const [start, end] = [1, 1 + count];
    const batch = shiftedPixels(bytes, rows, cols, start, end, dx, dy, channels);
    const expected = new Float32Array(count * values);
    for (let i = start; i < end; i++)
      shiftInto(
        bytes.subarray(i * values, (i + 1) * values),
        rows,
        cols * channels,
        dx * channels,
        dy,
        expected,
        (i - start) * values,
        1 / 255,
      );
    expect(Array.from(batch)).toEqual(Array.from(expected));
  }
});
