// `--fail-on [TABLE:]COLUMN>TOLERANCE`: the metrics a nightly run watches. A tolerance is absolute
// (`0.01`) or relative (`2%`, of the larger of the two values); TABLE is a table's path under
// tables/ or a folder of them (`train/summary/accuracy.csv`, `train`). A watched column that
// moved more than its tolerance, or whose table vanished from run B, makes `diff` exit 1.
import { UsageError } from '../errors';
import { didYouMean } from '../suggest';
import type { RunDiff, TableDiff } from './compare-runs';
import { readTable } from './published-tables';

export interface Watch {
  /** As typed, for messages. */
  text: string;
  table?: string;
  column: string;
  tolerance: number;
  relative: boolean;
}

const WATCH =
  /^(?:(?<table>[^:>]+):)?(?<column>[^>]+)>(?<tolerance>\d+(?:\.\d+)?(?:e-?\d+)?)(?<percent>%)?$/i;

export function parseWatch(text: string): Watch {
  const match = WATCH.exec(text.trim());
  if (!match?.groups) {
    // Unquoted, the shell takes `>0.01` for a redirection and the flag arrives without it.
    const hint = text.includes('>') ? '' : " (quote it: the shell reads an unquoted '>' as a redirection)";
    throw new UsageError(
      `--fail-on ${JSON.stringify(text)}: expected [TABLE:]COLUMN>TOLERANCE, e.g. 'test_accuracy>0.01' or 'train/summary/accuracy.csv:test_accuracy>1%'${hint}`,
    );
  }
  const { table, column, tolerance, percent } = match.groups;
  return {
    text,
    ...(table ? { table: table.trim().replace(/\/$/, '') } : {}),
    column: column.trim(),
    tolerance: Number(tolerance) / (percent ? 100 : 1),
    relative: !!percent,
  };
}

function watchesTable(watch: Watch, table: string): boolean {
  if (!watch.table) return true;
  return table === watch.table || table === `${watch.table}.csv` || table.startsWith(`${watch.table}/`);
}

export interface Breach {
  watch: Watch;
  table: string;
  /** e.g. "moved 0.031 (more than 0.01)" or "missing from run B". */
  reason: string;
}

function breachOf(watch: Watch, diff: TableDiff): string | undefined {
  if (diff.state === 'only-a') return 'its table is missing from run B';
  const moved = diff.change?.columns.find((c) => c.column === watch.column);
  if (!moved) return undefined;
  if (moved.text) return `changed from or to text in ${moved.changed} of ${moved.rows} rows`;
  const value = watch.relative ? moved.maxRel! : moved.maxAbs!;
  if (value <= watch.tolerance) return undefined;
  const shown = (x: number) => (watch.relative ? `${+(x * 100).toPrecision(3)}%` : `${+x.toPrecision(4)}`);
  return `moved ${shown(value)} (more than ${shown(watch.tolerance)})`;
}

/**
 * The watched metrics that moved too far. A watch that matches no column of any table of either
 * run is a UsageError (exit code 2): a typo must not pass a nightly check in silence.
 */
export function breaches(diff: RunDiff, watches: Watch[]): Breach[] {
  const found: Breach[] = [];
  for (const watch of watches) {
    const tables = diff.tables.filter((t) => watchesTable(watch, t.table));
    const watched = tables.filter((t) => {
      const run = t.state === 'only-b' ? diff.b : diff.a;
      return readTable(run, t.table).header.includes(watch.column);
    });
    if (watched.length === 0) throw new UsageError(noSuchColumn(diff, watch, tables));
    for (const table of watched) {
      const reason = breachOf(watch, table);
      if (reason) found.push({ watch, table: table.table, reason });
    }
  }
  return found;
}

function noSuchColumn(diff: RunDiff, watch: Watch, tables: TableDiff[]): string {
  const where = watch.table ? `no table under tables/${watch.table}` : 'no published table';
  if (watch.table && tables.length === 0) {
    // Every folder and table a TABLE part could name: `train`, `train/summary`, `train/summary/accuracy`.
    const names = diff.tables.flatMap((t) => {
      const parts = t.table.replace(/\.csv$/, '').split('/');
      return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    });
    return `--fail-on ${watch.text}: ${diff.a} and ${diff.b} have ${where}${didYouMean(watch.table, [...new Set(names)])}`;
  }
  const columns = new Set(
    tables.flatMap((t) => readTable(t.state === 'only-b' ? diff.b : diff.a, t.table).header),
  );
  return `--fail-on ${watch.text}: ${where} has a column ${JSON.stringify(watch.column)}${didYouMean(watch.column, [...columns])}`;
}
