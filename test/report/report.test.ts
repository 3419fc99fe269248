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
import { CHROMIUM_VARIABLE, checkReport, chooseBrowser } from '../helpers/browser';

const root = path.join(__dirname, '../..');
const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-report-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The homework table's rows of report.html: what each names, and where its link goes. */
function homeworkRows(html: string): { item: string; measured: string; href: string }[] {
  const table = html.slice(
    html.indexOf('<table class="homework">'),
    html.indexOf('</table>', html.indexOf('<table class="homework">')),
  );
  return [
    ...table.matchAll(
      /<tr><td>(.*?)<\/td><td class="num">.*?<\/td><td class="num"[^>]*>(.*?)<\/td><td><a href="([^"]+)">/g,
    ),
  ].map((m) => ({ item: m[1], measured: m[2], href: m[3] }));
}

test('configs/smoke.json runs and its report opens cleanly in Chromium: every page, picture and link', async () => {
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
  const report = await checkReport(runDir, runDir);
  expect(Object.keys(report.pages)).toEqual([
    'report.html',
    'report-problem-3.html',
    'report-problem-3-2.html',
    'report-problem-4.html',
    'report-problem-5.html',
    'report-problem-7.html',
  ]);
  for (const [name, page] of Object.entries(report.pages)) {
    expect([name, page.errors, page.failedRequests]).toEqual([name, [], []]);
    expect(page.images.filter((img) => img.naturalWidth === 0 || !img.lazy || !img.sized)).toEqual([]);
    expect(existsSync(path.join(runDir, name.replace(/\.html$/, '.png')))).toBe(true);
  }
  expect(report.pages['report.html'].title).toBe('probelab: smoke');
  expect(report.pages['report.html'].images).toEqual([]);
  expect(report.brokenLinks).toEqual([]);
  expect(report.unreachable).toEqual([]);

  // The homework table opens the page, and each "Figure N" line lands on Figure N.
  const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
  expect(html.indexOf('<section id="homework">')).toBeLessThan(
    html.indexOf('<section'.concat(' id="overview"')),
  );
  const rows = homeworkRows(html);
  const figures = rows.filter((row) => /^Figure \d+:/.test(row.item));
  expect(figures.map((row) => row.item.split(':')[0])).toEqual(
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => `Figure ${n}`),
  );
  for (const row of figures.filter((r) => r.item !== 'Figure 1: the network&#39;s structure (parameters)'))
    expect([row.item, report.landing(row.href)]).toEqual([
      row.item,
      expect.stringMatching(new RegExp(`^${row.item.split(':')[0]}:`)),
    ]);
  for (const row of rows)
    expect([row.item, report.landing(row.href)]).toEqual([row.item, expect.any(String)]);
  // Problem 5: the loss before and after the update print differently, and the difference is named one.
  const value = (item: string) => rows.find((row) => row.item === item)?.measured;
  expect(value('Problem 5 (1): L')).toBe('0.255473337380186');
  expect(value('Problem 5 (5): L after the step')).toBe('0.25547329603987234');
  expect(value('Problem 5: difference L after − L before the step')).toMatch(
    /^−4\.13\de-8 \(a difference\)$/,
  );
  expect(value('Problem 7: the homework&#39;s dL/db_f as a ratio of the true one')).toBe('5.5×, 4.2×');
  const problem5 = readFileSync(path.join(runDir, 'report-problem-5.html'), 'utf8');
  expect(problem5).toContain('<td class="num" title="0.255473337380186">0.25547334</td>');
  expect(problem5).toContain('<td class="num" title="0.25547329603987234">0.25547330</td>');
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
  const html = readFileSync(built.pages[1], 'utf8');
  const rows = html.match(/<tr class="state-done"><td>many\/seed=1\/job=\d+<\/td>/g) ?? [];
  expect(rows).toEqual([0, 1, 2, 3, 4].map((i) => `<tr class="state-done"><td>many/seed=1/job=${i}</td>`));
  expect(html).toContain('Jobs (12)');
  expect(html).toContain('7 more jobs not listed here');
  // The rows shown carry their results, read from result.json.
  expect(html).toMatch(/job=0<\/td>.*&quot;checksum&quot;/);
});

test('a folder of tables a job wrote beside its published one is linked file by file; pages a former build left are removed', async () => {
  const summary = await runSelftest('tables', { jobs: 1, rows: 2 });
  // Tables a job wrote beside its published one, as an attribution job writes one per image.
  const jobDir = path.join(summary.runDir, 'jobs', readdirSync(path.join(summary.runDir, 'jobs'))[0]);
  mkdirSync(path.join(jobDir, 'tables', 'maps'));
  for (let i = 0; i < 5; i++)
    writeFileSync(path.join(jobDir, 'tables', 'maps', `image=${i}.csv`), `x,y\n${i},${i + 1}\n`);
  writeFileSync(path.join(summary.runDir, 'report-old-layout.html'), '<p>a page of an older report</p>');
  const built = buildReport(summary.runDir);
  expect(built.pages.map((p) => path.basename(p))).toEqual(['report.html', 'report-experiments.html']);
  expect(existsSync(path.join(summary.runDir, 'report-old-layout.html'))).toBe(false);
  const html = readFileSync(built.pages[1], 'utf8');
  for (let i = 0; i < 5; i++)
    expect(html).toMatch(new RegExp(`<a href="[^"]*image%3D${i}\\.csv">tables/maps/image=${i}\\.csv</a>`));
});
