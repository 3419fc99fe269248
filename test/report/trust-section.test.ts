// The report's section "Which attribution to trust" from a run's published trust.csv and
// ranking.csv: the table, the sentence, and the file's own error when a table cannot be read or
// is missing; nothing without a finished faithfulness job.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeRankingCsv } from '../../src/attribution/faithfulness/ranking';
import { sanityVerdict, type TrustRow } from '../../src/attribution/faithfulness/trust';
import { writeTrustCsv } from '../../src/attribution/faithfulness/trust-table';
import type { RunContents } from '../../src/report/run-contents';
import { trustSection } from '../../src/report/trust-section';
import { tempDir } from '../helpers/temp-dir';

const FILE = 'tables/faith/trust.csv';
const RANKING = 'tables/faith/ranking.csv';

/** A run folder holding one published trust.csv of a done attribution-faithfulness job. */
function contents(state = 'done', kind = 'attribution-faithfulness', ranking = true): RunContents {
  const runDir = tempDir();
  mkdirSync(path.join(runDir, 'tables', 'faith'), { recursive: true });
  const job = { id: 'x', key: 'faith', kind, experiment: 'faith', publish: ['tables/trust.csv'] };
  const files = [
    { path: FILE, name: 'tables/trust.csv', kind: 'table' as const, bytes: 1 },
    ...(ranking ? [{ path: RANKING, name: 'tables/ranking.csv', kind: 'table' as const, bytes: 1 }] : []),
  ];
  return {
    runDir,
    plan: {} as RunContents['plan'],
    experiments: [{ name: 'faith', kinds: [kind], jobs: [{ job: job as never, state, files }] }],
  };
}

const row = (method: string, deletionAuc: number, insertionAuc: number, rho: number | null): TrustRow => ({
  method,
  deletionAuc,
  deletionSd: 0.01,
  insertionAuc,
  insertionSd: 0.02,
  sanitySpearman: rho,
  sanity: rho === null ? 'reference' : sanityVerdict(rho, 0.9),
  msPerImage: 2.5,
});

/** Paired comparisons: method − other, with its interval. */
const pair = (method: string, other: string, difference: number, low: number, high: number) => ({
  method,
  other,
  models: 1,
  images: 20,
  difference,
  low,
  high,
});

test('the table of every method and the sentence naming the best', () => {
  const run = contents();
  writeTrustCsv(
    path.join(run.runDir, FILE),
    [row('saliency', 0.1, 0.4, 0.6), row('smoothgrad', 0.05, 0.6, 0.95), row('random', 0.3, 0.3, null)],
    0.9,
  );
  writeRankingCsv(path.join(run.runDir, RANKING), [
    pair('saliency', 'smoothgrad', 0.25, 0.2, 0.3),
    pair('saliency', 'random', -0.3, -0.35, -0.25),
    pair('smoothgrad', 'random', -0.55, -0.6, -0.5),
  ]);
  const html = trustSection(run);
  expect(html).toContain('<h2>Which attribution to trust</h2><h3>faith</h3>');
  expect(html).toContain(
    '<tr><td>saliency</td><td class="num">0.100 ± 0.010</td><td class="num">0.400 ± 0.020</td><td class="num">-0.300</td><td>passes (ρ 0.60)</td><td class="num">2.5</td></tr>',
  );
  expect(html).toContain('<td class="error">fails (ρ 0.95)</td>');
  expect(html).toContain('<td>the reference (not judged)</td>');
  // smoothgrad scores better but fails the sanity check: saliency is the only candidate left.
  expect(html).toContain(
    'Best: saliency. Paired difference of its score from each other method&#39;s: smoothgrad +0.250 [+0.200, +0.300]; random −0.300 [−0.350, −0.250].',
  );
  expect(html).toContain('is still 0.9 or more');
});

test('a broken trust.csv is named in the section; no finished faithfulness job, no section', () => {
  const run = contents();
  writeFileSync(path.join(run.runDir, FILE), 'method\nsaliency\n');
  expect(trustSection(run)).toContain(
    `<p class="error">${path.join(run.runDir, FILE)}: expected the columns`,
  );
  const without = contents('done', 'attribution-faithfulness', false);
  writeTrustCsv(path.join(without.runDir, FILE), [row('saliency', 0.1, 0.4, 0.6)], 0.9);
  expect(trustSection(without)).toContain(`<p class="error">${FILE}: no tables/ranking.csv beside it`);
  expect(trustSection(contents('failed'))).toBe('');
  expect(trustSection(contents('done', 'occlusion-map'))).toBe('');
});
