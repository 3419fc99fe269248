// The report's claims section: one line per verdict row of every published verdict.csv, in the
// homework's order; an unreadable verdict.csv is named with its error; no verdicts, no section.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { differenceVerdict, VERDICT_COLUMNS, VERDICT_FILE, writeVerdictCsv } from '../../src/claims/verdict';
import { CLAIMS_TITLE, claimsSection } from '../../src/report/claims';
import type { ReportExperiment, RunContents } from '../../src/report/run-contents';
import { tempDir } from '../helpers/temp-dir';

const runDir = tempDir('probelab-claims-report-');
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

function experiment(name: string, published: string): ReportExperiment {
  const file = { path: published, name: VERDICT_FILE, kind: 'table' as const, bytes: 1 };
  return { name, kinds: ['claim-x'], jobs: [{ job: {} as never, state: 'done', files: [file] }] };
}

const contents = (experiments: ReportExperiment[]) => ({ runDir, experiments }) as unknown as RunContents;

test('one line per verdict row, P1 before P2, verdicts counted; a bad file named; none, no section', () => {
  const judge = (claim: string, a: number[]) =>
    differenceVerdict({
      claim,
      measure: 'm <b>',
      unit: 'points',
      margin: 0.5,
      a,
      b: [0, 0, 0],
      direction: 'greater',
    });
  writeVerdictCsv(path.join(runDir, 'tables/p2/verdict.csv'), [
    judge('P2(2) pooling', [2, 2.1, 2.2]),
    judge('P2(4) deep', [-1, -1.1, -1.2]),
  ]);
  writeVerdictCsv(path.join(runDir, 'tables/p1/verdict.csv'), [judge('P1(1) dropout', [1, -1, 2])]);
  mkdirSync(path.join(runDir, 'tables/bad'), { recursive: true });
  writeFileSync(
    path.join(runDir, 'tables/bad/verdict.csv'),
    `${VERDICT_COLUMNS.join(',')}\nc,difference,m,u,greater,0,1,0,2,3,,maybe,r\n`,
  );
  const html = claimsSection(
    contents([
      experiment('p2', 'tables/p2/verdict.csv'),
      experiment('p1', 'tables/p1/verdict.csv'),
      experiment('bad', 'tables/bad/verdict.csv'),
    ]),
    (name) => `report-experiments.html#exp-${name}`,
  );
  expect(html).toContain(CLAIMS_TITLE);
  expect(html).toContain(
    '3 claims judged by computed rules from 3 verdict tables: 1 supported, 1 not supported, 1 inconclusive',
  );
  const claims = [...html.matchAll(/<td class="claim">([^<]*)<\/td>/g)].map((m) => m[1]);
  expect(claims).toEqual(['P1(1) dropout', 'P2(2) pooling', 'P2(4) deep']);
  expect([...html.matchAll(/<td class="verdict">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual([
    'inconclusive',
    'supported',
    'not supported',
  ]);
  expect(html).toContain('m &lt;b&gt;');
  // the effect with its interval and unit, and the claimed side of the margin
  expect(html).toContain('<strong>+2.1 [+1.852, +2.348] points</strong>, claimed &gt; +0.5');
  // each rule once, under the table, whatever the number of rows
  expect(html.match(/<strong>difference<\/strong>:/g)).toHaveLength(1);
  expect(html).not.toContain('<strong>trend</strong>');
  expect(html).toContain('<a href="report-experiments.html#exp-p2">p2</a>');
  expect(html).toMatch(
    /Cannot read <a href="tables\/bad\/verdict.csv">.*verdict &quot;maybe&quot; is not one of/,
  );
  expect(claimsSection(contents([]), (name) => name)).toBe('');
});
