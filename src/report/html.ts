// Small HTML pieces of the report: escaping, links that work from the file system, CSV files
// as HTML tables (long ones cut, with a link to the whole file, numbers rounded for reading),
// JSON in a fold.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { NUMBER, readableJson, readableRows } from './numbers';

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** A relative URL for a run-folder path: each segment percent-encoded (`seed=1` → `seed%3D1`), `/` kept. */
export function href(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
}

export function link(relativePath: string, text = relativePath): string {
  return `<a href="${href(relativePath)}">${escapeHtml(text)}</a>`;
}

/** Rows of a CSV file (the first the header); throws with the file name when it cannot be parsed. */
export function readCsvRows(file: string): string[][] {
  return parseCsv(file, readFileSync(file, 'utf8'));
}

function parseCsv(file: string, text: string, maxRecords?: number): string[][] {
  try {
    return parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      ...(maxRecords ? { to: maxRecords } : {}),
    }) as string[][];
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/**
 * The first `maxRows` body rows of a CSV file after its header, and how many body rows it has:
 * long tables (one row per test image) are not parsed whole just to show their start.
 */
function readCsvHead(file: string, maxRows: number): { rows: string[][]; bodyRows: number } {
  const text = readFileSync(file, 'utf8');
  // Without quotes no field holds a line break, so non-empty lines are records.
  if (text.includes('"')) {
    const all = parseCsv(file, text);
    return { rows: all.slice(0, maxRows + 1), bodyRows: Math.max(all.length - 1, 0) };
  }
  const records = text.split('\n').filter((line) => line.trim() !== '').length;
  return { rows: parseCsv(file, text, maxRows + 1), bodyRows: Math.max(records - 1, 0) };
}

/** Files larger than this are linked, not read into the page. */
export const MAX_TABLE_BYTES = 5_000_000;

/**
 * A CSV file as an HTML table with at most `maxRows` body rows; `source` (run-folder relative)
 * is kept on the table as `data-source` and linked under it.
 */
export function csvTable(runDir: string, source: string, bytes: number, maxRows: number): string {
  const linkLine = (note: string) => `<p class="source">${note}${link(source)}</p>`;
  if (bytes > MAX_TABLE_BYTES)
    return `<p class="note">Table too large to show (${(bytes / 1e6).toFixed(1)} MB).</p>${linkLine('')}`;
  let head: ReturnType<typeof readCsvHead>;
  try {
    head = readCsvHead(path.join(runDir, ...source.split('/')), maxRows);
  } catch (err) {
    return `<p class="error">Cannot read this table: ${escapeHtml((err as Error).message)}</p>${linkLine('')}`;
  }
  const [header = [], ...shown] = head.rows;
  const total = head.bodyRows;
  const headerCell = (value: string) => `<th>${escapeHtml(value)}</th>`;
  const cell = (value: string, text: string) => {
    if (!NUMBER.test(value)) return `<td>${escapeHtml(value)}</td>`;
    return `<td class="num"${text !== value ? ` title="${escapeHtml(value)}"` : ''}>${escapeHtml(text)}</td>`;
  };
  const readable = readableRows(shown);
  const more = total - shown.length;
  return [
    `<div class="table-wrap"><table data-source="${escapeHtml(source)}">`,
    `<thead><tr>${header.map(headerCell).join('')}</tr></thead>`,
    `<tbody>${shown.map((row, r) => `<tr>${row.map((value, c) => cell(value, readable[r][c])).join('')}</tr>`).join('\n')}</tbody>`,
    '</table></div>',
    linkLine(
      more > 0
        ? `First ${shown.length} of ${total} rows; all in `
        : `${total} row${total === 1 ? '' : 's'}: `,
    ),
  ].join('\n');
}

/** JSON (file contents or a value) pretty-printed in a fold, numbers rounded, cut after `maxChars`. */
export function jsonFold(summary: string, json: string, maxChars = 20_000): string {
  let text = json;
  try {
    text = readableJson(JSON.parse(json), 2);
  } catch {
    // not JSON after all: show it as it is
  }
  const cut =
    text.length > maxChars
      ? `${text.slice(0, maxChars)}\n… (${text.length - maxChars} more characters)`
      : text;
  return `<details><summary>${summary}</summary><pre>${escapeHtml(cut)}</pre></details>`;
}
