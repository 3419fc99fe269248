// End to end: a small config with every visual experiment runs through the real runner and
// worker pool (dist/workers/job.js: build first); the report it writes is opened in headless
// Chromium: no console errors, every picture loads, every published table is on the page.
// Then configs/smoke.json, whatever it holds, gets a report that opens just as cleanly.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import type { Plan } from '../../src/plan/build-plan';
import { href } from '../../src/report/html';
import { buildReport } from '../../src/report/build-report';
import { RunFolder } from '../../src/runner/run-folder';
import { runExperiments } from '../../src/runner/run';
import { CLI, runCli } from '../runner/helpers';
import { openReport } from './browser';

const root = path.join(__dirname, '../..');
const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-report-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const CONFIG = {
  name: 'visuals',
  defaults: {
    data: { source: 'mnist', train: { first: 1500 }, test: { first: 300 } },
    seeds: [1, 2],
    training: { epochs: 2, validationSplit: 0.2 },
  },
  experiments: [
    { name: 'train', kind: 'train' },
    { name: 'curves', kind: 'curves', model: 'train' },
    { name: 'filters', kind: 'filters', model: 'train' },
    { name: 'feature-maps', kind: 'feature-maps', model: 'train' },
    { name: 'shift', kind: 'shift', model: 'train', maxShift: 2, accuracyRange: 2 },
  ],
};

/** Every published file of the run's done jobs, relative to the run folder. */
function publishedFiles(runDir: string): string[] {
  const folder = new RunFolder(runDir);
  const plan = JSON.parse(readFileSync(folder.planFile, 'utf8')) as Plan;
  return plan.jobs.flatMap((job) => job.publish.map((file) => path.relative(runDir, folder.publishedFile(job.key, file)).split(path.sep).join('/')));
}

async function checkInBrowser(runDir: string) {
  const report = path.join(runDir, 'report.html');
  expect(existsSync(report)).toBe(true);
  const page = await openReport(report, path.join(runDir, 'report-screenshot.png'));
  expect(page.errors).toEqual([]);
  expect(page.failedRequests).toEqual([]);
  expect(page.images.filter((img) => img.naturalWidth === 0)).toEqual([]);
  expect(existsSync(path.join(runDir, 'report-screenshot.png'))).toBe(true);
  return { page, html: readFileSync(report, 'utf8') };
}

test('a run of every visual experiment writes a report that opens cleanly in Chromium', async () => {
  const configFile = path.join(out, 'visuals.json');
  writeFileSync(configFile, JSON.stringify(CONFIG, null, 2));
  const lines: string[] = [];
  const summary = await runExperiments({ config: configFile, out, cwd: root, workers: 2, progress: 'none', log: (l) => lines.push(l) });
  expect(summary.failures).toEqual([]);
  expect(summary.exitCode).toBe(0);
  const runDir = path.join(out, 'visuals');
  expect(lines.some((l) => l.startsWith('report → '))).toBe(true);

  const files = publishedFiles(runDir);
  const pngs = files.filter((f) => f.endsWith('.png'));
  const csvs = files.filter((f) => f.endsWith('.csv'));
  // 2 seeds × (3 filter grids + 6 layer grids + 2 digit grids + strip + accuracy chart) + 3 curve charts.
  expect(pngs).toHaveLength(2 * (3 + 6 + 2 + 1 + 1) + 3);
  for (const file of files) expect(existsSync(path.join(runDir, file))).toBe(true);

  const { page, html } = await checkInBrowser(runDir);
  expect(page.title).toBe('probelab: visuals');
  expect(page.images.map((i) => i.src).sort()).toEqual(expect.arrayContaining(pngs.map(href)));
  for (const csv of csvs) {
    // Shown as a table, or (a second identical copy, like each seed's model summary) linked to.
    const shown = page.tableSources.includes(csv) || html.includes(`href="${href(csv)}"`);
    expect([csv, shown]).toEqual([csv, true]);
  }
  expect(page.tableSources).toContain('tables/train/summary/accuracy.csv');
  expect(html).toMatch(/Test accuracy 0\.\d{4} ± 0\.\d{4}/);
  for (const name of ['train', 'curves', 'filters', 'feature-maps', 'shift']) expect(html).toContain(`id="exp-${name}"`);

  // Rebuilt from the folder alone by the command, after the config is gone.
  rmSync(configFile);
  rmSync(path.join(runDir, 'report.html'));
  const cli = await runCli(['report', runDir], root);
  expect(cli.stderr).toBe('');
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain('report.html: 5 experiments');
  const again = await checkInBrowser(runDir);
  expect(again.page.tableSources.sort()).toEqual(page.tableSources.sort());
  expect(again.html).toContain('The config file is no longer where the plan says it was.');
}, 300_000);

test('configs/smoke.json runs and its report opens cleanly', async () => {
  const summary = await runExperiments({ config: 'configs/smoke.json', out, cwd: root, workers: 2, progress: 'none', log: () => {} });
  expect(summary.failures).toEqual([]);
  await checkInBrowser(path.join(out, 'smoke'));
}, 300_000);

test('report of a folder that is not a run folder: a clear message and exit code 2', async () => {
  const cli = await runCli(['report', out], root);
  expect(cli.code).toBe(2);
  expect(cli.stderr).toContain('not a run folder (no plan.json)');
  expect(() => buildReport(out)).toThrow('not a run folder');
  expect(CLI).toContain('dist');
});
