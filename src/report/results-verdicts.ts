// docs/results.md's sections for the claims of Problems 1–2 (every published verdict.csv) and for
// "which attribution to trust" (every published trust.csv with its ranking.csv): read from a run
// folder's tables alone, as the report reads them.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { RANKING_RULE, rankingSentence, readRankingCsv } from '../attribution/faithfulness/ranking';
import { score } from '../attribution/faithfulness/trust';
import { readTrustCsv } from '../attribution/faithfulness/trust-table';
import {
  claimedWords,
  effectWords,
  PRECONDITION_WORDS,
  RULE_WORDS,
  readVerdictCsv,
  type RuleName,
  VERDICT_FILE,
} from '../claims/verdict';
import { CLAIMS_TITLE } from './claims';
import type { Section } from './results-section';
import { TRUST_COLUMNS } from './trust-section';

/** Paths under `tables` (with `/`) of every file named `name`, sorted. */
function tablesNamed(tables: string, name: string): string[] {
  return readdirSync(tables, { recursive: true, encoding: 'utf8' })
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => path.posix.basename(file) === name)
    .sort();
}

export function claimsResultsSection(tables: string): Section | undefined {
  const files = tablesNamed(tables, path.posix.basename(VERDICT_FILE));
  if (files.length === 0) return undefined;
  const rules = new Set<RuleName>();
  const rows = files.flatMap((file) =>
    readVerdictCsv(path.join(tables, file)).map((row) => {
      rules.add(row.rule);
      return { row, file };
    }),
  );
  // In the homework's order: claims are named `P1(1) …`, `P2(4) …`.
  rows.sort((a, b) => a.row.claim.localeCompare(b.row.claim));
  return {
    title: CLAIMS_TITLE,
    header: ['claim', 'verdict', 'effect [95 % interval], and what it is a difference of', 'seeds', 'table'],
    lines: rows.map(({ row, file }) => [
      row.claim,
      row.verdict,
      `${effectWords(row)} (${claimedWords(row)}): ${row.measure}`,
      String(row.seeds),
      `\`${file}\``,
    ]),
    notes: [...[...rules].sort().map((rule) => `**${rule}**: ${RULE_WORDS[rule]}`), PRECONDITION_WORDS],
  };
}

const three = (v: number) => v.toFixed(3).replace('-', '−');

export function trustResultsSection(tables: string): Section | undefined {
  const files = tablesNamed(tables, 'trust.csv');
  if (files.length === 0) return undefined;
  const lines: string[][] = [];
  const notes: string[] = [];
  for (const file of files) {
    const { rows, sanityRule } = readTrustCsv(path.join(tables, file));
    const ranking = path.posix.join(path.posix.dirname(file), 'ranking.csv');
    const comparisons = readRankingCsv(path.join(tables, ranking));
    for (const r of rows)
      lines.push([
        r.method,
        `${three(r.deletionAuc)} ± ${three(r.deletionSd)}`,
        `${three(r.insertionAuc)} ± ${three(r.insertionSd)}`,
        three(score(r)),
        r.sanity === 'reference' || r.sanitySpearman === null
          ? r.sanity
          : `${r.sanity} (ρ ${r.sanitySpearman.toFixed(2).replace('-', '−')})`,
        r.msPerImage.toFixed(1),
        `\`${file}\``,
      ]);
    notes.push(`\`${ranking}\`: ${rankingSentence(rows, comparisons)}`);
    notes.push(`Sanity check: ${sanityRule}.`);
  }
  notes.push(`Best: ${RANKING_RULE}.`);
  return {
    title: 'Which attribution to trust',
    header: [...TRUST_COLUMNS, 'table'],
    lines,
    notes,
  };
}
