// The report's comparison with a baseline run (`report --baseline RUN`): the same sorting as
// `diff` (compare-runs.ts), as a section of report.html: a sentence of counts, each differing
// table with how far each changed column moved, and the tables on one side only, folded.
import { escapeHtml } from './html';
import type { RunDiff, TableState } from '../diff/compare-runs';
import type { ColumnChange } from '../diff/compare-tables';

export const BASELINE_ANCHOR = 'baseline';
export const BASELINE_TITLE = 'Compared with the baseline run';

const readable = (x: number) => (Number.isFinite(x) ? String(+x.toPrecision(3)) : '∞');

function columnRow(c: ColumnChange): string {
  const numbers =
    c.maxAbs === undefined
      ? '<td></td><td></td>'
      : `<td>${readable(c.maxAbs)}</td><td>${readable(c.maxRel! * 100)}%</td>`;
  return `<tr><td>${escapeHtml(c.column)}${c.timing ? ' <small>(timing)</small>' : ''}</td><td>${c.changed} of ${c.rows}</td>${numbers}<td>${c.text ? 'text changed' : ''}</td></tr>`;
}

function tableList(diff: RunDiff, state: TableState, title: string): string {
  const tables = diff.tables.filter((t) => t.state === state);
  if (!tables.length) return '';
  const items = tables.map((t) => `<li>${escapeHtml(t.table)}</li>`).join('');
  return `<details><summary>${title}: ${tables.length}</summary><ul>${items}</ul></details>`;
}

/** The section; `diff` compares the baseline (A) with this run (B). */
export function baselineSection(diff: RunDiff): string {
  const count = (state: TableState) => diff.tables.filter((t) => t.state === state).length;
  const differing = diff.tables.filter((t) => t.state === 'differs');
  const sentence = `${diff.tables.length} published tables: ${count('identical')} identical, ${count('timings')} identical but for wall-clock timings, ${differing.length} differ, ${count('only-a')} only in the baseline, ${count('only-b')} only in this run.`;
  const tables = differing.map((t) => {
    const change = t.change!;
    const shape = [
      change.rowsA !== change.rowsB ? `rows: ${change.rowsA} in the baseline, ${change.rowsB} here` : '',
      change.columnsOnlyA.length ? `columns only in the baseline: ${change.columnsOnlyA.join(', ')}` : '',
      change.columnsOnlyB.length ? `columns only here: ${change.columnsOnlyB.join(', ')}` : '',
    ].filter(Boolean);
    const rows = change.columns.map(columnRow).join('');
    return `<h4>${escapeHtml(t.table)}</h4>${shape.map((s) => `<p class="source">${escapeHtml(s)}</p>`).join('')}${rows ? `<table><thead><tr><th>column</th><th>cells changed</th><th>max abs difference</th><th>max relative difference</th><th></th></tr></thead><tbody>${rows}</tbody></table>` : ''}`;
  });
  return [
    `<section id="${BASELINE_ANCHOR}"><h2>${BASELINE_TITLE}</h2>`,
    `<p>Baseline ${escapeHtml(diff.a)}. ${escapeHtml(sentence)} Relative differences are of the larger of the two values; <code>run-experiments diff</code> prints the same.</p>`,
    ...tables,
    tableList(diff, 'only-a', 'Only in the baseline'),
    tableList(diff, 'only-b', 'Only in this run'),
    tableList(diff, 'timings', 'Identical but for timings'),
    '</section>',
  ].join('\n');
}
