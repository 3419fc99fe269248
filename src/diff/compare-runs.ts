// `diff RUN_A RUN_B`: every published table of either run, sorted into identical, differing
// (with how much each column moved) and present on one side only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compareTables, onlyTimingsMoved, type TableChange } from './compare-tables';
import { publishedTables, readTable } from './published-tables';

export type TableState = 'identical' | 'timings' | 'differs' | 'only-a' | 'only-b';

export interface TableDiff {
  table: string;
  /** `identical`: the same values (byte for byte, or the same numbers written two ways); `timings`: only wall-clock columns moved. */
  state: TableState;
  change?: TableChange;
}

export interface RunDiff {
  a: string;
  b: string;
  tables: TableDiff[];
}

function sameBytes(a: string, b: string, table: string): boolean {
  const file = (run: string) => path.join(run, 'tables', ...table.split('/'));
  return readFileSync(file(a)).equals(readFileSync(file(b)));
}

export function compareRuns(a: string, b: string): RunDiff {
  const [inA, inB] = [publishedTables(a), publishedTables(b)];
  const [setA, setB] = [new Set(inA), new Set(inB)];
  const tables: TableDiff[] = [...new Set([...inA, ...inB])].sort().map((table) => {
    if (!setB.has(table)) return { table, state: 'only-a' };
    if (!setA.has(table)) return { table, state: 'only-b' };
    if (sameBytes(a, b, table)) return { table, state: 'identical' };
    const change = compareTables(readTable(a, table), readTable(b, table));
    const state = !onlyTimingsMoved(change) ? 'differs' : change.columns.length ? 'timings' : 'identical';
    return { table, state, change };
  });
  return { a, b, tables };
}
