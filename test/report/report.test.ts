// The report of configs/smoke.json (whatever it holds) opens cleanly in headless Chromium, and
// `run-experiments report` on a folder that is not a run folder says so. (The report of a run of
// every visual experiment is checked in test/visuals/end-to-end.test.ts.)
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildReport } from '../../src/report/build-report';
import { buildReportAfterRun } from '../../src/report/build-report';
import { resultsMarkdown, resultsStructure } from '../../src/report/results-doc';
import { runExperiments } from '../../src/runner/run';
import { runCli } from '../helpers/runner';
import { tableDigests } from '../helpers/table-digest';
import { CHROMIUM_VARIABLE, chooseBrowser, openReport } from '../helpers/browser';

const root = path.join(__dirname, '../..');
const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-report-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

test('configs/smoke.json runs and its report opens cleanly in Chromium', async () => {
  const summary = await runExperiments({
    buildReport: buildReportAfterRun,
    config: 'configs/smoke.json',
    out,
    cwd: root,
    workers: 2,
    progress: 'none',
    log: () => {},
  });
  expect(summary.failures).toEqual([]);
  const runDir = path.join(out, 'smoke');
  const page = await openReport(path.join(runDir, 'report.html'), path.join(runDir, 'report-screenshot.png'));
  expect(page.errors).toEqual([]);
  expect(page.failedRequests).toEqual([]);
  expect(page.images.filter((img) => img.naturalWidth === 0)).toEqual([]);
  expect(page.title).toBe('probelab: smoke');
  expect(existsSync(path.join(runDir, 'report-screenshot.png'))).toBe(true);
}, 300_000);

test('docs/results.md opens with the structure of the results of a fresh smoke run (the values differ with scale)', () => {
  const committed = readFileSync(path.join(root, 'docs', 'results.md'), 'utf8');
  const fresh = resultsMarkdown([path.join(out, 'smoke')]);
  // The claims' and attribution's sections follow, from the runs of claims.json and attribution.json.
  expect(resultsStructure(committed).slice(0, resultsStructure(fresh).length)).toEqual(
    resultsStructure(fresh),
  );
  // The structure is every heading and each line's homework cells: all four problems' tables are there.
  expect(resultsStructure(fresh).filter((line) => line.startsWith('## '))).toHaveLength(4);
  expect(resultsStructure(fresh).length).toBeGreaterThan(20);
});

// The tables of configs/smoke.json are what the code wrote before kinds moved to src/kinds/ and
// job ids took the code's digest: test/fixtures/table-digests/smoke.json holds each published
// table's SHA-256, taken with wall-clock fields left out (WALL_CLOCK: history.csv's `seconds`,
// metrics.json's `seconds`).
test('the smoke run publishes the same tables as the code before the restructure', () => {
  const recorded = JSON.parse(
    readFileSync(path.join(root, 'test', 'fixtures', 'table-digests', 'smoke.json'), 'utf8'),
  ) as { tables: Record<string, string> };
  expect(tableDigests(path.join(out, 'smoke'))).toEqual(recorded.tables);
});

test('the browser: packaged on Linux x64, the one PROBELAB_CHROMIUM names, else one line that says what to set', () => {
  expect(chooseBrowser({ env: {}, platform: 'linux', arch: 'x64' })).toEqual({ packaged: true });
  expect(
    chooseBrowser({ env: { [CHROMIUM_VARIABLE]: process.execPath }, platform: 'darwin', arch: 'arm64' }),
  ).toEqual({
    system: process.execPath,
  });
  expect(() => chooseBrowser({ env: {}, platform: 'darwin', arch: 'arm64' })).toThrow(
    new Error(
      'no Chromium for darwin-arm64 in @sparticuz/chromium (Linux x64 only): set PROBELAB_CHROMIUM=/path/to/chromium',
    ),
  );
  expect(() =>
    chooseBrowser({ env: { [CHROMIUM_VARIABLE]: '/nowhere/chromium' }, platform: 'linux', arch: 'x64' }),
  ).toThrow(new Error('PROBELAB_CHROMIUM=/nowhere/chromium: no such file; set it to a Chromium binary'));
});

test('report of a folder that is not a run folder: a clear message and exit code 2', async () => {
  const cli = await runCli(['report', out], root);
  expect(cli.code).toBe(2);
  expect(cli.stderr).toBe(`${out}: not a run folder (no plan.json); run a config first\n`);
  expect(() => buildReport(out)).toThrow('not a run folder (no plan.json)');
});

/** Runs a one-experiment selftest config named `name` in `out`, on one worker. */
async function runSelftest(name: string, settings: { jobs: number; rows: number }) {
  writeFileSync(
    path.join(out, `${name}.json`),
    JSON.stringify({ experiments: [{ name, kind: 'selftest', ...settings }] }),
  );
  return runExperiments({
    buildReport: buildReportAfterRun,
    config: `${name}.json`,
    cwd: out,
    workers: 1,
    progress: 'none',
    log: () => {},
  });
}

test('a long job list is cut at maxJobRows, and says how many jobs it leaves out', async () => {
  const summary = await runSelftest('many', { jobs: 12, rows: 0 });
  const built = buildReport(summary.runDir, { maxJobRows: 5 });
  const html = readFileSync(built.file, 'utf8');
  const rows = html.match(/<tr class="state-done"><td>many\/seed=1\/job=\d+<\/td>/g) ?? [];
  expect(rows).toEqual([0, 1, 2, 3, 4].map((i) => `<tr class="state-done"><td>many/seed=1/job=${i}</td>`));
  expect(html).toContain('Jobs (12)');
  expect(html).toContain('7 more jobs not listed here');
  // The rows shown carry their results, read from result.json.
  expect(html).toMatch(/job=0<\/td>.*&quot;checksum&quot;/);
});

test('a job with many tables inlines the first maxListTables and links the rest', async () => {
  const summary = await runSelftest('tables', { jobs: 1, rows: 2 });
  // Tables a job wrote beside its published one, as an attribution job writes one per image.
  const jobDir = path.join(summary.runDir, 'jobs', readdirSync(path.join(summary.runDir, 'jobs'))[0]);
  mkdirSync(path.join(jobDir, 'tables', 'maps'));
  for (let i = 0; i < 5; i++)
    writeFileSync(path.join(jobDir, 'tables', 'maps', `image=${i}.csv`), `x,y\n${i},${i + 1}\n`);
  const html = readFileSync(buildReport(summary.runDir, { maxListTables: 3 }).file, 'utf8');
  const inlined = html.match(/<h4>tables\/maps\/image=\d\.csv<\/h4>/g);
  expect(inlined).toEqual([0, 1, 2].map((i) => `<h4>tables/maps/image=${i}.csv</h4>`));
  expect(html).toMatch(
    /2 more files, linked only: <a href="[^"]*image%3D3\.csv">tables\/maps\/image=3\.csv<\/a>, <a /,
  );
});
