// CSV tables: every table probelab writes goes through here (csv-stringify, RFC 4180 quoting).
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../files';

export type Cell = string | number | boolean | null | undefined;

/** Rows of cells (the first row usually the header) as CSV text with a final newline. */
export function csvText(rows: Cell[][]): string {
  return stringify(rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : cell))));
}

/** Objects as CSV, columns in the order of `columns` (defaults to the first object's keys). */
export function recordsCsvText<T extends { [K in keyof T]: Cell }>(
  records: T[],
  columns?: (keyof T & string)[],
): string {
  const keys = columns ?? (Object.keys(records[0] ?? {}) as (keyof T & string)[]);
  return csvText([keys, ...records.map((r) => keys.map((k) => r[k]))]);
}

export function writeCsv(file: string, rows: Cell[][]): void {
  writeFileAtomic(file, csvText(rows));
}

export function writeRecordsCsv<T extends { [K in keyof T]: Cell }>(
  file: string,
  records: T[],
  columns?: (keyof T & string)[],
): void {
  writeFileAtomic(file, recordsCsvText(records, columns));
}
