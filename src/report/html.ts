// Small HTML pieces of the report: escaping, links that work from the file system, CSV files
// as HTML tables (long ones cut, with a link to the whole file), JSON in a fold.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A relative URL for a run-folder path: each segment percent-encoded (`seed=1` → `seed%3D1`), `/` kept. */
export function href(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
}

export function link(relativePath: string, text = relativePath): string {
  return `<a href="${href(relativePath)}">${escapeHtml(text)}</a>`;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Rows of a CSV file (the first the header); throws with the file name when it cannot be parsed. */
export function readCsvRows(file: string): string[][] {
  try {
    return parse(readFileSync(file, 'utf8'), { relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/** Files larger than this are linked, not read into the page. */
export const MAX_TABLE_BYTES = 5_000_000;

/**
 * A CSV file as an HTML table with at most `maxRows` body rows; `source` (run-folder relative)
 * is kept on the table as `data-source` and linked under it.
 */
export function csvTable(runDir: string, source: string, bytes: number, maxRows: number): string {
  const linkLine = (note: string) => `<p class="source">${note}${link(source)}</p>`;
  if (bytes > MAX_TABLE_BYTES) return `<p class="note">Table too large to show (${(bytes / 1e6).toFixed(1)} MB).</p>${linkLine('')}`;
  let rows: string[][];
  try {
    rows = readCsvRows(path.join(runDir, ...source.split('/')));
  } catch (err) {
    return `<p class="error">Cannot read this table: ${escapeHtml((err as Error).message)}</p>${linkLine('')}`;
  }
  const [header = [], ...body] = rows;
  const shown = body.slice(0, maxRows);
  const cell = (value: string, tag: 'td' | 'th') => `<${tag}${tag === 'td' && NUMBER.test(value) ? ' class="num"' : ''}>${escapeHtml(value)}</${tag}>`;
  const more = body.length - shown.length;
  return [
    `<div class="table-wrap"><table data-source="${escapeHtml(source)}">`,
    `<thead><tr>${header.map((h) => cell(h, 'th')).join('')}</tr></thead>`,
    `<tbody>${shown.map((row) => `<tr>${row.map((v) => cell(v, 'td')).join('')}</tr>`).join('\n')}</tbody>`,
    '</table></div>',
    linkLine(more > 0 ? `First ${shown.length} of ${body.length} rows; all in ` : `${body.length} row${body.length === 1 ? '' : 's'}: `),
  ].join('\n');
}

/** JSON (file contents or a value) pretty-printed in a fold, cut after `maxChars`. */
export function jsonFold(summary: string, json: string, maxChars = 20_000): string {
  let text = json;
  try {
    text = JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    // not JSON after all: show it as it is
  }
  const cut = text.length > maxChars ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)` : text;
  return `<details><summary>${summary}</summary><pre>${escapeHtml(cut)}</pre></details>`;
}
