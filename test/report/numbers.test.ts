// The report shows numbers rounded for reading; the CSV files it links keep every digit.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { csvTable, jsonFold } from '../../src/report/html';
import {
  distinctDigits,
  formatForReading,
  readableCell,
  readableJson,
  readablePreview,
  readableRows,
} from '../../src/report/numbers';
import { mulberry32 } from '../../src/random';

test.each([
  ['0.8136111111111111', '0.8136'],
  ['4.012540466591339e-8', '4.013e-8'],
  ['0.0000017581287532123738', '1.758e-6'],
  ['-1.000000208646014', '-1.000'],
  ['0.0012345678', '0.001235'],
  ['2.2412236012352835', '2.241'],
  ['12345.6789', '12346'],
  ['2.1368', '2.1368'],
  ['0.010320', '0.010320'],
  ['123.456', '123.456'],
  ['0.3720', '0.3720'],
  ['0.16', '0.16'],
  ['60000', '60000'],
  ['seed=1', 'seed=1'],
  ['', ''],
])('the cell %s reads %s', (cell, shown) => {
  expect(readableCell(cell).text).toBe(shown);
  expect(readableCell(cell).rounded).toBe(shown !== cell);
});

test('rounding keeps 4 significant digits: within half a unit of the 4th digit, integers untouched', () => {
  const random = mulberry32(3);
  for (let i = 0; i < 2000; i++) {
    const value = (random() - 0.5) * 10 ** Math.floor(random() * 16 - 10);
    const rounded = Number(formatForReading(value));
    const unit = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 3);
    expect(Math.abs(rounded - value)).toBeLessThanOrEqual(Math.max(unit, 1) * 0.5 + 1e-12 * Math.abs(value));
    const digits = rounded.toExponential().replace(/e.*$/, '').replace(/[-.]/g, '');
    if (Math.abs(value) < 1000) expect(digits.length).toBeLessThanOrEqual(4);
  }
  expect(formatForReading(7)).toBe('7');
  expect(formatForReading(Number.NaN)).toBe('NaN');
  expect(readableJson({ accuracy: [0.8136111111111111, null], epochs: 3 })).toBe(
    '{"accuracy":[0.8136,null],"epochs":3}',
  );
});

test('a table in the report: rounded cells with the full value on hover; the CSV file unchanged', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'probelab-numbers-'));
  try {
    const csv = 'seed,test_accuracy,images\n1,0.8136111111111111,10000\nmean,0.3720,\n';
    writeFileSync(path.join(dir, 'accuracy.csv'), csv);
    const html = csvTable(dir, 'accuracy.csv', csv.length, 10);
    expect(html).toContain('<td class="num" title="0.8136111111111111">0.8136</td>');
    expect(html).toContain('<td class="num">0.3720</td><td></td>');
    expect(html).toContain('<td class="num">10000</td>');
    expect(html).not.toContain('>0.8136111111111111<');
    expect(readFileSync(path.join(dir, 'accuracy.csv'), 'utf8')).toBe(csv);
    expect(jsonFold('result', '{"loss":0.255473337380186}')).toContain('&quot;loss&quot;: 0.2555');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a preview is the start of the whole readable JSON, cut at max characters with "…", on random values', () => {
  const random = mulberry32(11);
  const pick = (n: number) => Math.floor(random() * n);
  const value = (depth: number): unknown => {
    const kind = pick(depth > 3 ? 4 : 6);
    if (kind === 0) return random() * 10 ** (pick(9) - 4) * (random() < 0.5 ? -1 : 1);
    if (kind === 1) return pick(1000);
    if (kind === 2) return ['', 'a', 'e\n"é"', '😀x'.repeat(pick(40)), 'long'.repeat(pick(100))][pick(5)];
    if (kind === 3) return [null, true, false][pick(3)];
    if (kind === 4)
      return Array.from({ length: depth === 0 && pick(2) ? pick(600) : pick(5) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: depth === 0 && pick(2) ? pick(300) : pick(5) }, (_, i) => [
        ['', 'k', `key${i}`][pick(3)] + i,
        value(depth + 1),
      ]),
    );
  };
  for (let i = 0; i < 300; i++) {
    const v = value(0);
    const whole = readableJson(v);
    for (const max of [1, 3, 17, 240]) {
      const expected = whole.length > max ? `${whole.slice(0, max)}…` : whole;
      expect(readablePreview(v, max)).toBe(expected);
    }
  }
});

test("Problem 5's loss before and after the update print differently, and so does b beside its old value", () => {
  expect(
    readableRows([
      ['loss', '0.255473337380186'],
      ['loss after update', '0.25547329603987234'],
    ]),
  ).toEqual([
    ['loss', '0.25547334'],
    ['loss after update', '0.25547330'],
  ]);
  // One row of update.csv: before, gradient, after. -1.000 would read as the unchanged -1.
  expect(readableRows([['b[0]', '-1', '0.00010432300703266527', '-1.000000208646014']])).toEqual([
    ['b[0]', '-1', '1.043e-4', '-1.0000002'],
  ]);
  expect(readableRows([['0.8136111111111111', '0.5']])).toEqual([['0.8136', '0.5']]);
});

test('near-equal values of a column never print as one number; equal ones stay at 4 digits', () => {
  const random = mulberry32(5);
  for (let i = 0; i < 500; i++) {
    const base = (random() - 0.5) * 10 ** Math.floor(random() * 8 - 4);
    const near = base * (1 + (random() < 0.5 ? -1 : 1) * 10 ** -(1 + Math.floor(random() * 9)));
    if (near === base) continue;
    const [[a], [b]] = readableRows([[String(base)], [String(near)]]);
    if (String(base).replace(/[-.e]/g, '').length > 6 || String(near).replace(/[-.e]/g, '').length > 6)
      expect([base, near, Number(a) === Number(b)]).toEqual([base, near, false]);
  }
  expect(distinctDigits([0.1234567, 0.1234567, 0.9])).toBe(4);
  expect(distinctDigits([0.1234567, 0.1234568])).toBe(7);
});
