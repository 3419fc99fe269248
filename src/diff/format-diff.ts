// `diff` as text: a headline of counts, then each differing table with how far each column moved,
// the tables on one side only, and the tables where only wall-clock timings moved.
import { formatTable } from '../runner/text-table';
import type { ColumnChange, TableChange } from './compare-tables';
import type { RunDiff, TableState } from './compare-runs';
import type { Breach } from './fail-on';

const readable = (x: number) => (Number.isFinite(x) ? String(+x.toPrecision(3)) : 'inf');
const percent = (x: number) => `${readable(x * 100)}%`;

function columnRow(c: ColumnChange): string[] {
  const numbers = c.maxAbs === undefined ? ['', ''] : [readable(c.maxAbs), percent(c.maxRel!)];
  return [c.column, `${c.changed} of ${c.rows}`, ...numbers, c.text ? 'text changed' : ''];
}

function shapeNotes(change: TableChange): string[] {
  const notes: string[] = [];
  if (change.rowsA !== change.rowsB) notes.push(`rows: ${change.rowsA} in A, ${change.rowsB} in B`);
  if (change.columnsOnlyA.length) notes.push(`columns only in A: ${change.columnsOnlyA.join(', ')}`);
  if (change.columnsOnlyB.length) notes.push(`columns only in B: ${change.columnsOnlyB.join(', ')}`);
  return notes;
}

function headline(diff: RunDiff, count: (state: TableState) => number): string {
  const total = diff.tables.length;
  const parts = [
    `${count('identical')} identical`,
    count('timings') ? `${count('timings')} identical but for timings` : '',
    `${count('differs')} differ`,
    count('only-a') ? `${count('only-a')} only in A` : '',
    count('only-b') ? `${count('only-b')} only in B` : '',
  ].filter(Boolean);
  const same = count('identical') + count('timings') === total;
  const verdict =
    total === 0
      ? 'no published tables in either run'
      : same
        ? `identical: all ${total} tables`
        : parts.join(', ');
  return `A ${diff.a}\nB ${diff.b}\n${verdict}${same || total === 0 ? '' : ` (of ${total} tables)`}`;
}

export function formatDiff(diff: RunDiff, breached: Breach[] = []): string[] {
  const of = (state: TableState) => diff.tables.filter((t) => t.state === state);
  const lines = [headline(diff, (state) => of(state).length)];
  if (of('differs').length)
    lines.push('', 'differ (max abs and relative difference of the numbers in each changed column):');
  for (const { table, change } of of('differs')) {
    lines.push(`  ${table}`);
    for (const note of shapeNotes(change!)) lines.push(`    ${note}`);
    if (change!.columns.length)
      lines.push(
        ...formatTable(['column', 'changed', 'max abs', 'max rel', ''], change!.columns.map(columnRow)).map(
          (line) => `    ${line.trimEnd()}`,
        ),
      );
  }
  for (const [state, title] of [
    ['only-a', 'only in A'],
    ['only-b', 'only in B'],
  ] as const)
    if (of(state).length) lines.push('', `${title}:`, ...of(state).map((t) => `  ${t.table}`));
  if (of('timings').length) {
    lines.push('', 'identical but for wall-clock timings:');
    for (const { table, change } of of('timings'))
      lines.push(`  ${table} (${change!.columns.map((c) => c.column).join(', ')})`);
  }
  if (breached.length) {
    lines.push('', 'watched metrics that moved too far (--fail-on):');
    for (const b of breached) lines.push(`  ${b.watch.text}: ${b.table}: ${b.reason}`);
  }
  return lines;
}
