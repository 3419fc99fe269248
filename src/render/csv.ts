// CSV tables: every table probelab writes goes through here (csv-stringify, RFC 4180 quoting).
import { stringify } from 'csv-stringify/sync';
import { writeFileAtomic } from '../files';

export type Cell = string | number | boolean | null | undefined;

/** A table cell that is NaN or infinite: no table is published with one (it fails its job, not retried). */
export class NonFiniteCellError extends Error {
  override name = 'NonFiniteCellError';
  readonly code = 'ERR_NON_FINITE';
}

/** Rows of cells (the first row usually the header) as CSV text with a final newline. */
export function csvText(rows: Cell[][]): string {
  rows.forEach((row, r) =>
    row.forEach((cell, c) => {
      if (typeof cell === 'number' && !Number.isFinite(cell))
        throw new NonFiniteCellError(
          `a table would hold ${cell} in row ${r + 1}, column ${JSON.stringify(rows[0]?.[c] ?? c + 1)}`,
        );
    }),
  );
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
  writeFileAtomic(
    file,
    namingFile(file, () => csvText(rows)),
  );
}

export function writeRecordsCsv<T extends { [K in keyof T]: Cell }>(
  file: string,
  records: T[],
  columns?: (keyof T & string)[],
): void {
  writeFileAtomic(
    file,
    namingFile(file, () => recordsCsvText(records, columns)),
  );
}

function namingFile(file: string, text: () => string): string {
  try {
    return text();
  } catch (error) {
    if (error instanceof NonFiniteCellError) error.message = `${file}: ${error.message}`;
    throw error;
  }
}
