// No table holds NaN or an infinity: writing one fails (naming the file, row and column) and
// leaves no file; the failure carries a code the runner does not retry.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { csvText, writeCsv } from '../../src/render/csv';
import { isWorthRetrying } from '../../src/runner/transient';
import { tempDir } from '../helpers/temp-dir';

test('a NaN or infinite cell is refused, naming the row and column', () => {
  expect(
    csvText([
      ['a', 'b'],
      [1, 2.5],
    ]),
  ).toBe('a,b\n1,2.5\n');
  expect(() =>
    csvText([
      ['a', 'b'],
      [1, Number.NaN],
    ]),
  ).toThrow('a table would hold NaN in row 2, column "b"');
  const file = path.join(tempDir(), 'x.csv');
  let error: unknown;
  try {
    writeCsv(file, [['accuracy'], [Number.NEGATIVE_INFINITY]]);
  } catch (thrown) {
    error = thrown;
  }
  expect((error as Error).message).toBe(`${file}: a table would hold -Infinity in row 2, column "accuracy"`);
  expect(isWorthRetrying(error)).toBe(false);
  expect(existsSync(file)).toBe(false);
});
