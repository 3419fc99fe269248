// configs/claims-smoke.json at a tiny scale (600 training and 200 test images, its own seeds and
// experiments) through the CLI: every claim experiment publishes a verdict.csv of the contract's
// shape, Problem 2's tables have their expected shapes, and the report's "Problems 1–2" section
// shows one line per verdict row and opens cleanly in Chromium.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FEWER_PARAMETERS_CLAIM, SAME_BUDGET_CLAIM } from '../../src/kinds/claims/parameters-claim';
import { POOLING_CLAIM } from '../../src/kinds/claims/pooling-claim';
import {
  DEEPEST_SEES_MOST_CLAIM,
  RECEPTIVE_FIELDS_CLAIM,
} from '../../src/kinds/claims/receptive-fields-claim';
import { readVerdictCsv, VERDICTS } from '../../src/claims/verdict';
import { CLAIMS_TITLE } from '../../src/report/claims';
import { resultsMarkdown } from '../../src/report/results-doc';
import { readCsvRows } from '../../src/report/html';
import { checkReport } from '../helpers/browser';
import { ROOT, runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const dir = tempDir('probelab-claims-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function filesNamed(folder: string, name: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === name)
    .map((f) => path.join(folder, f))
    .sort();
}

test('claims-smoke, tiny: verdict tables of the contract, P2 tables of the expected shape, the report section', async () => {
  const smoke = JSON.parse(readFileSync(path.join(ROOT, 'configs/claims-smoke.json'), 'utf8'));
  const config = {
    ...smoke,
    name: 'claims-tiny',
    defaults: {
      ...smoke.defaults,
      data: { source: 'mnist', train: { first: 600 }, test: { first: 200 } },
    },
  };
  const file = writeConfig(dir, 'claims-tiny.json', config);
  const run = await runCli([file, '--out', path.join(dir, 'out'), '--workers', '2'], ROOT);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const runDir = path.join(dir, 'out', 'claims-tiny');

  const verdictFiles = filesNamed(path.join(runDir, 'tables'), 'verdict.csv');
  const claimExperiments = smoke.experiments.filter((e: { kind: string }) => e.kind.startsWith('claim-'));
  expect(verdictFiles.length).toBeGreaterThanOrEqual(claimExperiments.length);
  const rows = verdictFiles.flatMap((f) => readVerdictCsv(f));
  // The smoke config trains 2 seeds: every verdict says that is too few, and none is supported.
  expect(smoke.defaults.seeds).toHaveLength(2);
  for (const row of rows) {
    expect(VERDICTS).toContain(row.verdict);
    expect(row.verdict).toBe('insufficient evidence');
    expect(row.reason).toMatch(/^insufficient evidence: 2 seeds of the 3 needed/);
  }
  expect(rows.map((r) => r.claim)).toEqual(
    expect.arrayContaining([
      SAME_BUDGET_CLAIM,
      FEWER_PARAMETERS_CLAIM,
      POOLING_CLAIM,
      RECEPTIVE_FIELDS_CLAIM,
      DEEPEST_SEES_MOST_CLAIM,
    ]),
  );

  const seeds: number[] = smoke.defaults.seeds;
  const table = (name: string) => readCsvRows(path.join(runDir, 'tables', name));
  const denseNetworks = smoke.experiments.find((e: { name: string }) => e.name === 'dense').sweep.layers
    .length;
  const parameters = table('p2-parameters/parameters.csv');
  expect(parameters[0]).toEqual([
    'network',
    'parameters',
    ...seeds.map((s) => `test_accuracy seed=${s}`),
    'mean',
    'sd',
  ]);
  expect(parameters.slice(1).map((r) => r[0])).toEqual(['figure1', ...parameters.slice(2).map((r) => r[0])]);
  expect(parameters.length).toBe(2 + denseNetworks);
  expect(parameters[1][1]).toBe('2390');
  const pooling = smoke.experiments.find((e: { name: string }) => e.name === 'p2-pooling');
  expect(table('p2-pooling/verdict/accuracy_vs_shift.csv').length).toBe(
    1 + 2 * seeds.length * (2 * pooling.range + 1),
  );
  const fields = table('p2-receptive-fields/verdict/receptive_fields_by_seed.csv');
  expect(fields.slice(1).map((r) => r[2])).toEqual(['3×3', '4×4', '8×8', '10×10', '18×18', '22×22']);

  const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
  expect(html).toContain(CLAIMS_TITLE);
  expect(html.match(/<tr class="verdict-/g)?.length).toBe(rows.length);
  // docs/results.md's section: one line per verdict row, in the homework's order, each rule once.
  const sections = resultsMarkdown([runDir]).split('\n## ');
  const doc = (sections.find((section) => section.startsWith(CLAIMS_TITLE)) ?? '').split('\n');
  expect(doc[0]).toBe(CLAIMS_TITLE);
  const docLines = doc.filter((line) => line.startsWith('| P'));
  expect(docLines.map((line) => line.split(' | ')[0].slice(2).trim())).toEqual(
    rows.map((r) => r.claim).sort(),
  );
  expect(doc.filter((line) => line.startsWith('**difference**:'))).toHaveLength(1);
  const report = await checkReport(runDir);
  for (const [name, page] of Object.entries(report.pages)) {
    expect([name, page.errors]).toEqual([name, []]);
    expect(page.images.filter((img) => img.naturalWidth === 0)).toEqual([]);
  }
  expect(report.brokenLinks).toEqual([]);
  expect(report.unreachable).toEqual([]);
}, 300_000);
