// How the "Homework vs measured" table reads probelab's value of a homework line from published
// tables: a small vocabulary of readers, each named by the `read` of a line of ./homework.ts.
// Where an experiment publishes a table per seed, the value is the mean ± sd over seeds (every
// seed's value in the tooltip); a value that cannot be read says why instead of failing the report.
import { mean, sd } from '../statistics';
import { readCsvRows } from './html';
import { distinctDigits, withDigits } from './numbers';

type Where = Record<string, string>;

export type Measure =
  | { read: 'sum'; file: string; column: string; format: 'count' }
  | { read: 'seed-rows'; file: string; column: string; format: 'percent' }
  | { read: 'last-per-group'; file: string; group: string; column: string }
  | { read: 'count-by'; file: string; column: string }
  | { read: 'shifts-still-right'; file: string }
  | { read: 'row-at'; file: string; key: string; equals: string; column: string }
  | { read: 'grid-min'; file: string }
  | { read: 'region'; file: string }
  | { read: 'labels'; file: string }
  | { read: 'share-of-sums'; file: string; part: string; whole: string }
  | { read: 'quantity'; file: string; quantity: string; digits?: number }
  | { read: 'quantity-difference'; file: string; quantity: string; minus: string }
  | { read: 'vector'; file: string; column: string; where?: Where; decimals?: number }
  | { read: 'ratio'; file: string; column: string; over: string; where?: Where }
  | { read: 'checks'; file: string };

/** A published file of the experiment: which seed's (undefined for one shared by all) and where. */
export interface SeedFile {
  seed?: string;
  file: string;
}

export interface Measured {
  text: string;
  /** Every seed's value, for the tooltip. */
  title?: string;
}

type Row = Record<string, string>;

function readRows(file: string): Row[] {
  const [header, ...rows] = readCsvRows(file);
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
}

function column(rows: Row[], name: string, file: string): number[] {
  if (rows.length > 0 && !(name in rows[0])) throw new Error(`${file}: no column "${name}"`);
  return rows.map((row) => Number(row[name]));
}

const percent = (v: number) => `${(100 * v).toFixed(2)} %`;
const plain = (v: number) => withDigits(v, 4);

/** One value per seed → `v`, or `mean ± sd (n seeds)`; every seed's value in the title. */
function overSeeds(values: number[], seeds: (string | undefined)[], format: (v: number) => string): Measured {
  if (values.length === 1) return { text: format(values[0]) };
  const title = values.map((v, i) => `${seeds[i] ?? i + 1}: ${format(v)}`).join(', ');
  if (values.every((v) => v === values[0])) return { text: `${format(values[0])} (every seed)`, title };
  return { text: `${format(mean(values))} ± ${format(sd(values))} (${values.length} seeds)`, title };
}

/** One text per seed → the text, or `seed=1: …; seed=2: …`. */
function perSeed(texts: string[], seeds: (string | undefined)[]): Measured {
  if (texts.every((t) => t === texts[0])) return { text: texts[0] };
  return { text: texts.map((t, i) => `${seeds[i] ?? i + 1}: ${t}`).join('; ') };
}

/** A signed number with enough digits to show itself: `−4.134e-8`. */
function signed(v: number, digits = 4): string {
  return `${v > 0 ? '+' : ''}${withDigits(v, digits)}`.replace('-', '−');
}

function rowsWhere(rows: Row[], where: Where | undefined): Row[] {
  return rows.filter((row) => Object.entries(where ?? {}).every(([key, value]) => row[key] === value));
}

/** A number read from one file (one seed's copy). */
function perFile(measure: Measure, file: string): number {
  const rows = readRows(file);
  switch (measure.read) {
    case 'sum':
      return column(rows, measure.column, file).reduce((a, b) => a + b, 0);
    case 'row-at': {
      const row = rows.find((r) => r[measure.key] === measure.equals);
      if (!row) throw new Error(`${file}: no row with ${measure.key} = ${measure.equals}`);
      return Number(row[measure.column]);
    }
    case 'grid-min':
      // A grid: the header row and first column are positions, the rest probabilities.
      return Math.min(
        ...readCsvRows(file)
          .slice(1)
          .flatMap((row) => row.slice(1).map(Number)),
      );
    case 'share-of-sums': {
      const total = (name: string) => column(rows, name, file).reduce((a, b) => a + b, 0);
      return total(measure.part) / total(measure.whole);
    }
    default:
      throw new Error(`${measure.read} reads text, not a number`);
  }
}

/** A text read from one file (one seed's copy). */
function textOf(measure: Measure, file: string): string {
  const rows = readRows(file);
  switch (measure.read) {
    case 'count-by': {
      const counts = new Map<string, number>();
      for (const row of rows) counts.set(row[measure.column], (counts.get(row[measure.column]) ?? 0) + 1);
      return [...counts.values()].join(', ');
    }
    case 'shifts-still-right': {
      const moved = rows.filter((row) => row.pixels !== '0');
      return `${moved.filter((row) => row.correct === 'yes').length} of ${moved.length}`;
    }
    case 'region': {
      const r = rows[0];
      return `rows ${r.row_first}–${r.row_last}, columns ${r.col_first}–${r.col_last} (${r.placements} placements)`;
    }
    case 'labels': {
      const found = rows.filter((row) => Number(row.placements) > 0);
      found.sort((a, b) => Number(b.placements) - Number(a.placements));
      return found.map((row) => `${row.new_label}: ${row.placements}`).join(', ') || 'none';
    }
    case 'checks':
      return rows
        .map(
          (row) =>
            `${row.check}: largest relative error ${Number(row.max_relative_error).toExponential(1)}, ${row.passed === 'yes' ? 'passed' : 'FAILED'}`,
        )
        .join('; ');
    default:
      return exactText(measure, rows, file);
  }
}

/** The exact numbers of Problems 5 and 7, with as many digits as tell them apart. */
function exactText(measure: Measure, rows: Row[], file: string): string {
  const quantity = (name: string) => {
    const row = rows.find((r) => r.quantity === name);
    if (!row) throw new Error(`${file}: no quantity "${name}"`);
    return Number(row.value);
  };
  switch (measure.read) {
    case 'quantity': {
      // As many digits as the homework prints, and at least as tell the table's quantities apart.
      const all = column(rows, 'value', file);
      return withDigits(quantity(measure.quantity), Math.max(measure.digits ?? 9, distinctDigits(all)));
    }
    case 'quantity-difference':
      return `${signed(quantity(measure.quantity) - quantity(measure.minus))} (a difference)`;
    case 'vector': {
      const values = column(rowsWhere(rows, measure.where), measure.column, file);
      const decimals = measure.decimals;
      return `[${values.map((v) => (decimals === undefined ? withDigits(v, 8) : v.toFixed(decimals))).join(', ')}]`;
    }
    case 'ratio': {
      const kept = rowsWhere(rows, measure.where);
      const over = column(kept, measure.over, file);
      return column(kept, measure.column, file)
        .map((v, i) => `${(v / over[i]).toFixed(1)}×`)
        .join(', ');
    }
    default:
      throw new Error(`no reader for ${measure.read}`);
  }
}

/** The value of `measure` from the experiment's copies of its file (one per seed, or one). */
export function measure(measure: Measure, files: SeedFile[]): Measured {
  if (files.length === 0) return { text: `not published (${measure.file})` };
  const seeds = files.map((f) => f.seed);
  try {
    switch (measure.read) {
      case 'seed-rows': {
        const rows = readRows(files[0].file).filter((row) => /^\d+$/.test(row.seed));
        const values = column(rows, measure.column, files[0].file);
        return overSeeds(
          values,
          rows.map((row) => `seed=${row.seed}`),
          percent,
        );
      }
      case 'last-per-group': {
        const rows = readRows(files[0].file);
        const last = new Map<string, number>();
        for (const row of rows) last.set(row[measure.group], Number(row[measure.column]));
        return overSeeds([...last.values()], [...last.keys()], percent);
      }
      case 'sum':
        return overSeeds(
          files.map((f) => perFile(measure, f.file)),
          seeds,
          (v) => v.toLocaleString('en-US'),
        );
      case 'row-at':
      case 'share-of-sums':
        return overSeeds(
          files.map((f) => perFile(measure, f.file)),
          seeds,
          percent,
        );
      case 'grid-min':
        return overSeeds(
          files.map((f) => perFile(measure, f.file)),
          seeds,
          plain,
        );
      default:
        return perSeed(
          files.map((f) => textOf(measure, f.file)),
          seeds,
        );
    }
  } catch (error) {
    return { text: `cannot read: ${(error as Error).message}` };
  }
}
