// The report's section "Which attribution to trust": for every attribution-faithfulness
// experiment of the run, one table (method, deletion AUC, insertion AUC, sanity check, ms per
// image) from its published trust.csv, the sanity check's rule, and one sentence naming the best
// method, or no clear winner, from the pairwise comparisons of its ranking.csv. Built from the
// run folder's published tables alone.
import path from 'node:path';
import { RANKING_RULE, rankingSentence, readRankingCsv } from '../attribution/faithfulness/ranking';
import { readTrustCsv } from '../attribution/faithfulness/trust-table';
import { score, type TrustRow } from '../attribution/faithfulness/trust';
import { escapeHtml, link } from './html';
import type { RunContents } from './run-contents';

export const TRUST_ANCHOR = 'which-attribution-to-trust';
const TRUST_TABLE = 'tables/trust.csv';
const RANKING_TABLE = 'tables/ranking.csv';

const three = (v: number) => v.toFixed(3);

function sanityCell(row: TrustRow): string {
  if (row.sanity === 'reference') return 'the reference (not judged)';
  if (row.sanitySpearman === null) return row.sanity;
  return `${row.sanity} (ρ ${row.sanitySpearman.toFixed(2)})`;
}

/** The trust table's columns, in the report and in docs/results.md. */
export const TRUST_COLUMNS = [
  'method',
  'deletion AUC ↓ (mean ± sd)',
  'insertion AUC ↑ (mean ± sd)',
  'deletion − insertion ↓',
  'sanity check',
  'ms per image',
];

function trustTable(rows: readonly TrustRow[]): string {
  const header = TRUST_COLUMNS;
  const body = rows.map((r) => {
    const cells = [
      `<td>${escapeHtml(r.method)}</td>`,
      `<td class="num">${three(r.deletionAuc)} ± ${three(r.deletionSd)}</td>`,
      `<td class="num">${three(r.insertionAuc)} ± ${three(r.insertionSd)}</td>`,
      `<td class="num">${three(score(r))}</td>`,
      `<td${r.sanity === 'fails' ? ' class="error"' : ''}>${escapeHtml(sanityCell(r))}</td>`,
      `<td class="num">${r.msPerImage.toFixed(1)}</td>`,
    ];
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<div class="table-wrap"><table class="trust"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('\n')}</tbody></table></div>`;
}

/** The section's HTML, or '' when the run has no finished attribution-faithfulness job. */
export function trustSection(contents: RunContents): string {
  const parts: string[] = [];
  for (const experiment of contents.experiments) {
    for (const job of experiment.jobs) {
      if (job.job.kind !== 'attribution-faithfulness' || job.state !== 'done') continue;
      const file = job.files.find((f) => f.name === TRUST_TABLE);
      const ranking = job.files.find((f) => f.name === RANKING_TABLE);
      if (!file) continue;
      const inRun = (p: string) => path.join(contents.runDir, ...p.split('/'));
      parts.push(`<h3>${escapeHtml(job.job.key)}</h3>`);
      try {
        const { rows, sanityRule } = readTrustCsv(inRun(file.path));
        if (!ranking) throw new Error(`${file.path}: no ${RANKING_TABLE} beside it to rank the methods by`);
        const comparisons = readRankingCsv(inRun(ranking.path));
        parts.push(
          trustTable(rows),
          `<p class="headline">${escapeHtml(rankingSentence(rows, comparisons))}</p>`,
          `<p class="note">Area under the curve of the target's probability (x: the share of pixels removed or added, 0 to 1), mean ± sd over every probed model and image; ms per image as methods.csv measures it (a chunk's maps in one call). Best: ${escapeHtml(RANKING_RULE)}. Sanity check: ${escapeHtml(sanityRule)}. Sources: ${link(file.path)}, ${link(ranking.path)}.</p>`,
        );
      } catch (err) {
        parts.push(`<p class="error">${escapeHtml((err as Error).message)}</p>`);
      }
    }
  }
  if (parts.length === 0) return '';
  return `<section id="${TRUST_ANCHOR}"><h2>Which attribution to trust</h2>${parts.join('\n')}</section>`;
}
