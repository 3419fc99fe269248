// Numbers as the report shows them: the long ones (raw floats such as 0.8136111111111111)
// rounded for reading to 4 significant digits, or more where a table's distinct values would
// otherwise print alike (a loss before and after an update); integers and numbers a job wrote
// short on purpose (0.3720, 2.1368) as written. The CSV and JSON files keep every digit; a
// rounded table cell carries the full value in its tooltip.
const SIGNIFICANT = 4;
/** Numbers written with more significant digits than this are rounded. */
const LONG = 6;

/** A plain decimal or scientific number, as CSV cells hold them. */
export const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** `0.8136111111111111` → `0.8136`, `-1.000000208` → `-1.000`, `4.0125e-8` → `4.013e-8`, `12345.678` → `12346`. */
export function formatForReading(value: number): string {
  return withDigits(value, SIGNIFICANT);
}

/** Significant digits as written: `0.003720` has 4, `2.2412236012352835` 17, `4.0e-8` 2. */
function writtenDigits(text: string): number {
  return text
    .replace(/[eE].*$/, '')
    .replace(/[-+.]/g, '')
    .replace(/^0+/, '').length;
}

/** A CSV cell for reading: a long number rounded, anything else (and short numbers) as written. */
export function readableCell(text: string): { text: string; rounded: boolean } {
  if (!NUMBER.test(text) || writtenDigits(text) <= LONG) return { text, rounded: false };
  return { text: formatForReading(Number(text)), rounded: true };
}

/** JSON text with every long number in it rounded for reading. */
export function readableJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v) => (typeof v === 'number' ? Number(readableCell(String(v)).text) : v),
    indent,
  );
}

/**
 * The first `max` characters of readableJson(value), and "…" when it is longer. Only the first
 * `max` + 1 values in the JSON's order are kept (and strings cut to `max` + 1 characters): each
 * value writes at least one character before the next begins, so the kept part's JSON starts with
 * the same characters as the whole's and is longer than `max` whenever something was left out. A
 * job result of thousands of numbers (an occlusion chunk's sums) is then not rounded whole for a
 * one-line preview.
 */
export function readablePreview(value: unknown, max: number): string {
  const text = readableJson(firstValues(value, max + 1));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function firstValues(value: unknown, count: number): unknown {
  let left = count;
  const keep = (v: unknown): unknown => {
    left--;
    if (typeof v === 'string') return v.slice(0, count);
    if (v === null || typeof v !== 'object') return v;
    const entries: [string, unknown][] = [];
    for (const [key, item] of Object.entries(v)) {
      if (left <= 0) break;
      entries.push([key, keep(item)]);
    }
    return Array.isArray(v) ? entries.map(([, item]) => item) : Object.fromEntries(entries);
  };
  return keep(value);
}

/** The most significant digits the report prints: float64 holds about 17, and a reader needs fewer. */
const MAX_DIGITS = 12;

/** `value` with `digits` significant digits, in plain or scientific notation as formatForReading. */
export function withDigits(value: number, digits: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  const size = Math.abs(value);
  if (size >= 10 ** (digits - 1)) return String(Math.round(value));
  if (size >= 1e-3) return value.toPrecision(digits);
  return value.toExponential(digits - 1);
}

/**
 * The fewest significant digits, at least 4, at which distinct values print as distinct numbers:
 * a loss of 0.25547334 before an update and 0.25547330 after it take 8, where 4 would print both
 * as 0.2555.
 */
export function distinctDigits(values: readonly number[]): number {
  const distinct = [...new Set(values.filter(Number.isFinite))].sort((a, b) => a - b);
  for (let digits = SIGNIFICANT; digits < MAX_DIGITS; digits++) {
    const printed = distinct.map((v) => Number(withDigits(v, digits)));
    if (printed.every((p, i) => i === 0 || p !== printed[i - 1])) return digits;
  }
  return MAX_DIGITS;
}

/**
 * The cells of a table's rows as the report prints them: long numbers rounded, each column to the
 * fewest digits at which the distinct values of its column, and of each row, still print
 * differently; short numbers and text as written.
 */
export function readableRows(rows: readonly string[][]): string[][] {
  const long = (cell: string) => NUMBER.test(cell) && writtenDigits(cell) > LONG;
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const digits = Array.from({ length: columns }, (_, c) =>
    distinctDigits(rows.filter((row) => long(row[c] ?? '')).map((row) => Number(row[c]))),
  );
  for (const row of rows) {
    const numbers = row.map((cell) => (NUMBER.test(cell) ? Number(cell) : Number.NaN));
    const needed = distinctDigits(numbers);
    row.forEach((cell, c) => {
      if (long(cell) && clashes(numbers, c, digits[c])) digits[c] = Math.max(digits[c], needed);
    });
  }
  return rows.map((row) => row.map((cell, c) => (long(cell) ? withDigits(Number(cell), digits[c]) : cell)));
}

/** Whether cell `c`, printed with `digits`, reads as the same number as another, different cell of its row. */
function clashes(numbers: readonly number[], c: number, digits: number): boolean {
  const printed = (v: number) => Number(withDigits(v, digits));
  return numbers.some(
    (v, i) => i !== c && Number.isFinite(v) && v !== numbers[c] && printed(v) === printed(numbers[c]),
  );
}
