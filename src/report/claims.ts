// The report's section "Problems 1–2: claims measured": every verdict.csv the run published
// (src/claims/verdict.ts), one line per verdict with the effect, its interval and unit, what it
// is a difference of, the seeds and images, linked to its file and its experiment's section;
// each rule used is stated once, under the table.
import path from 'node:path';
import {
  claimedWords,
  effectWords,
  PRECONDITION_WORDS,
  RULE_WORDS,
  readVerdictCsv,
  type RuleName,
  VERDICT_FILE,
  type VerdictRow,
} from '../claims/verdict';
import { escapeHtml, link } from './html';
import type { ReportFile, RunContents } from './run-contents';

export const CLAIMS_SECTION_ID = 'claims';
export const CLAIMS_TITLE = 'Problems 1–2: claims measured';

/** Every verdict.csv a finished job of the run published, with its experiment's name. */
export function verdictFiles(contents: RunContents): { experiment: string; file: ReportFile }[] {
  return contents.experiments.flatMap((experiment) =>
    experiment.jobs.flatMap((job) =>
      job.files.filter((f) => f.name === VERDICT_FILE).map((file) => ({ experiment: experiment.name, file })),
    ),
  );
}

function verdictLine(row: VerdictRow, source: string, experimentLink: string): string {
  const effect = `<strong>${escapeHtml(effectWords(row))}</strong>, ${escapeHtml(claimedWords(row))}<br>${escapeHtml(row.measure)}`;
  const verdictClass = `verdict-${row.verdict.replaceAll(' ', '-')}`;
  return [
    `<tr class="${verdictClass}"><td class="claim">${escapeHtml(row.claim)}</td>`,
    `<td class="verdict">${escapeHtml(row.verdict)}</td>`,
    `<td class="detail">${effect}</td>`,
    `<td>${row.seeds}</td><td>${row.images ?? ''}</td>`,
    `<td class="detail">${escapeHtml(row.rule)}: ${escapeHtml(row.reason)}</td>`,
    `<td>${experimentLink} · ${link(source, 'csv')}</td></tr>`,
  ].join('');
}

/** Each rule the rows used, once, with what every rule shares. */
function ruleList(rules: ReadonlySet<RuleName>): string {
  const items = [...rules].sort().map((r) => `<li><strong>${r}</strong>: ${escapeHtml(RULE_WORDS[r])}</li>`);
  return `<ul class="rules">${items.join('')}<li>${escapeHtml(PRECONDITION_WORDS)}</li></ul>`;
}

/**
 * The section's HTML, or '' when the run published no verdict.csv. `hrefOf` gives the link to an
 * experiment's section. A file that cannot be read is named with its error.
 */
export function claimsSection(contents: RunContents, hrefOf: (experiment: string) => string): string {
  const files = verdictFiles(contents);
  if (files.length === 0) return '';
  const lines: { claim: string; html: string }[] = [];
  const errors: string[] = [];
  const counts = new Map<string, number>();
  const rules = new Set<RuleName>();
  for (const { experiment, file } of files) {
    const experimentLink = `<a href="${escapeHtml(hrefOf(experiment))}">${escapeHtml(experiment)}</a>`;
    try {
      for (const row of readVerdictCsv(path.join(contents.runDir, ...file.path.split('/')))) {
        lines.push({ claim: row.claim, html: verdictLine(row, file.path, experimentLink) });
        counts.set(row.verdict, (counts.get(row.verdict) ?? 0) + 1);
        rules.add(row.rule);
      }
    } catch (error) {
      errors.push(
        `<p class="error">Cannot read ${link(file.path)}: ${escapeHtml((error as Error).message)}</p>`,
      );
    }
  }
  // In the homework's order: claims are named `P1(1) …`, `P2(4) …`.
  const rows = lines.sort((a, b) => a.claim.localeCompare(b.claim)).map((line) => line.html);
  const tally = [...counts].map(([verdict, n]) => `${n} ${verdict}`).join(', ');
  return [
    `<section id="${CLAIMS_SECTION_ID}"><h2>${escapeHtml(CLAIMS_TITLE)}</h2>`,
    `<p>${rows.length} claim${rows.length === 1 ? '' : 's'} judged by computed rules from ${files.length} verdict table${files.length === 1 ? '' : 's'}${tally ? `: ${escapeHtml(tally)}` : ''}.</p>`,
    '<div class="table-wrap"><table class="claims"><thead><tr><th>claim</th><th>verdict</th><th>effect [95 % interval], and what it is a difference of</th><th>seeds</th><th>images</th><th>why</th><th>from</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody></table></div>`,
    rules.size ? ruleList(rules) : '',
    ...errors,
    '</section>',
  ].join('\n');
}
