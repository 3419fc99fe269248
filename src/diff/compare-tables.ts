// How one published table moved between two runs: per column, how many cells changed and, where
// both values are numbers, the largest absolute and relative difference. Rows are compared in
// order (a config lays its tables out the same way every run); columns by name.

import type { Table } from './published-tables';

export interface ColumnChange {
  column: string;
  /** Cells that differ, of the rows both tables have. */
  changed: number;
  rows: number;
  /** Largest |b − a| over the cells where both are numbers (NaN beside a number counts as Infinity). */
  maxAbs?: number;
  /** Largest |b − a| / max(|a|, |b|) over the same cells: 0 to 2, the same either way round. */
  maxRel?: number;
  /** Some changed cell is text on one side or both. */
  text: boolean;
  /** Wall-clock time (seconds, ms): differs from run to run by nature, reported apart. */
  timing: boolean;
}

export interface TableChange {
  rowsA: number;
  rowsB: number;
  columnsOnlyA: string[];
  columnsOnlyB: string[];
  /** The columns with a changed cell, in the order of table A. */
  columns: ColumnChange[];
}

/** Columns that hold a duration measured by the clock, which no two runs share. */
export function isTimingColumn(column: string): boolean {
  return /(^|[._])(seconds|ms)$|[a-z](Ms|Seconds)$/.test(column);
}

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$|^\s*[-+]?(Infinity|NaN)\s*$/i;

export function asNumber(cell: string | undefined): number | undefined {
  return cell !== undefined && NUMBER.test(cell) ? Number(cell) : undefined;
}

/** The difference of two numeric cells, or undefined when either is text. */
function numericDifference(a: string, b: string): { abs: number; rel: number } | undefined {
  const [x, y] = [asNumber(a), asNumber(b)];
  if (x === undefined || y === undefined) return undefined;
  if (Number.isNaN(x) || Number.isNaN(y)) return { abs: Infinity, rel: 2 };
  if (x === y) return { abs: 0, rel: 0 };
  const abs = Math.abs(y - x);
  const scale = Math.max(Math.abs(x), Math.abs(y));
  return { abs, rel: Number.isFinite(abs) ? abs / scale : 2 };
}

function compareColumn(a: Table, b: Table, column: string, rows: number): ColumnChange {
  const [i, j] = [a.header.indexOf(column), b.header.indexOf(column)];
  const change: ColumnChange = { column, changed: 0, rows, text: false, timing: isTimingColumn(column) };
  for (let r = 0; r < rows; r++) {
    const [x, y] = [a.rows[r][i] ?? '', b.rows[r][j] ?? ''];
    if (x === y) continue;
    const difference = numericDifference(x, y);
    if (difference?.abs === 0) continue; // 1.0 and 1: the same number written two ways
    change.changed++;
    if (!difference) {
      change.text = true;
      continue;
    }
    change.maxAbs = Math.max(change.maxAbs ?? 0, difference.abs);
    change.maxRel = Math.max(change.maxRel ?? 0, difference.rel);
  }
  return change;
}

export function compareTables(a: Table, b: Table): TableChange {
  const rows = Math.min(a.rows.length, b.rows.length);
  const shared = a.header.filter((column) => b.header.includes(column));
  return {
    rowsA: a.rows.length,
    rowsB: b.rows.length,
    columnsOnlyA: a.header.filter((column) => !b.header.includes(column)),
    columnsOnlyB: b.header.filter((column) => !a.header.includes(column)),
    columns: shared.map((column) => compareColumn(a, b, column, rows)).filter((c) => c.changed > 0),
  };
}

/** Nothing but timing columns moved: the same results, measured on another day. */
export function onlyTimingsMoved(change: TableChange): boolean {
  return (
    change.rowsA === change.rowsB &&
    change.columnsOnlyA.length === 0 &&
    change.columnsOnlyB.length === 0 &&
    change.columns.every((c) => c.timing)
  );
}
