// One small run of every visual experiment (and an occlusion map) through the real runner and
// worker pool (dist/workers/job.js: build first), checked on the run folder: pictures sized by
// the layer shapes, filter tiles that decode back to the weights, accuracy at shift 0 equal to
// the model's test accuracy, and a report that opens cleanly in headless Chromium.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { PNG } from 'pngjs';
import type { Plan, PlanJob } from '../../src/plan/build-plan';
import { convKernels } from '../../src/kinds/filters';
import type { TrainResult } from '../../src/kinds/train';
import { divergingScale, maxAbs } from '../../src/render/colour';
import { filterGrid } from '../../src/render/filter-grid';
import { href } from '../../src/report/html';
import { RunFolder } from '../../src/runner/run-folder';
import { buildReportAfterRun } from '../../src/report/build-report';
import { runExperiments } from '../../src/runner/run';
import { checkReport, VIEWPORT, withBrowser } from '../helpers/browser';
import { runCli } from '../helpers/runner';

const root = path.join(__dirname, '../..');
const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-visuals-'));
const runDir = path.join(out, 'visuals');
const folder = new RunFolder(runDir);
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
    { name: 'occlusion', kind: 'occlusion', model: 'train', stride: 4 },
  ],
};

let plan: Plan;
const lines: string[] = [];

beforeAll(async () => {
  const configFile = path.join(out, 'visuals.json');
  writeFileSync(configFile, JSON.stringify(CONFIG, null, 2));
  const summary = await runExperiments({
    buildReport: buildReportAfterRun,
    config: configFile,
    out,
    cwd: root,
    workers: 2,
    progress: 'none',
    log: (l) => lines.push(l),
  });
  expect(summary.failures).toEqual([]);
  expect(summary.exitCode).toBe(0);
  plan = JSON.parse(readFileSync(folder.planFile, 'utf8')) as Plan;
}, 300_000);

const job = (key: string): PlanJob => plan.jobs.find((j) => j.key === key)!;
const result = <T>(key: string) =>
  (JSON.parse(readFileSync(folder.resultFile(job(key).id), 'utf8')) as { result: T }).result;
const published = (key: string, file: string) => folder.publishedFile(key, file);
const png = (file: string) => PNG.sync.read(readFileSync(file));
const table = (file: string) =>
  parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];

/** Every published file of the run, relative to the run folder. */
function publishedFiles(): string[] {
  return plan.jobs.flatMap((j) =>
    j.publish.map((file) =>
      path.relative(runDir, folder.publishedFile(j.key, file)).split(path.sep).join('/'),
    ),
  );
}

test('filters: 12, 12×12 and 8×12 tiles, and every tile of the published PNG decodes back to the weights', () => {
  const kernels = convKernels(
    JSON.parse(
      readFileSync(path.join(folder.jobDir(job('train/seed=1').id), 'model', 'weights.json'), 'utf8'),
    ),
  );
  const files = job('filters/seed=1').publish.filter((f) => f.endsWith('.png'));
  expect(files).toEqual([
    'figures/layer1_conv2d.png',
    'figures/layer2_conv2d_1.png',
    'figures/layer3_conv2d_2.png',
  ]);
  const tiles = [12, 144, 96];
  kernels.forEach(({ kernel }, k) => {
    const grid = filterGrid(kernel, { scale: 14 }); // the default scale, as the job drew it
    const picture = png(published('filters/seed=1', files[k]));
    expect([picture.width, picture.height]).toEqual([grid.picture.cols, grid.picture.rows]);
    expect(grid.boxes.flat().filter(Boolean)).toHaveLength(tiles[k]);
    expect([grid.boxes.length, grid.boxes[0].length]).toEqual(
      [
        [1, 12],
        [12, 12],
        [8, 12],
      ][k],
    );
    const colours = divergingScale(maxAbs(kernel.values));
    const level = (colours.domain[1] - colours.domain[0]) / 255; // one 8-bit step along the scale, about
    grid.boxes.forEach((row, r) =>
      row.forEach((box, c) => {
        // Written out here rather than taken from filterLayout/filterWeights: rows are filters and
        // columns input channels (one row of filters for a one-channel layer); the kernel is [3, 3, in, out].
        const [, , inChannels, filters] = kernel.shape;
        const [filter, channel] = inChannels === 1 ? [c, 0] : [r, c];
        const weights = Array.from(
          { length: 9 },
          (_, i) => kernel.values[(i * inChannels + channel) * filters + filter],
        );
        const block = box!.rows / 3;
        weights.forEach((w, i) => {
          const y = box!.top + Math.floor(i / 3) * block + Math.floor(block / 2);
          const x = box!.left + (i % 3) * block + Math.floor(block / 2);
          const at = (y * picture.width + x) * 4;
          const decoded = colours.invert([
            picture.data[at] / 255,
            picture.data[at + 1] / 255,
            picture.data[at + 2] / 255,
          ]);
          expect(Math.abs(decoded - w)).toBeLessThan(4 * level);
        });
      }),
    );
  });
});

test('feature maps: the first test 0 and 8, after each of the six conv and pooling layers', () => {
  const maps = result<{ images: { label: number }[]; layers: { layer: string; shape: number[] }[] }>(
    'feature-maps/seed=2',
  );
  expect(maps.images.map((i) => i.label)).toEqual([0, 8]);
  expect(maps.layers.map((l) => l.shape)).toEqual([
    [26, 26, 12],
    [13, 13, 12],
    [11, 11, 12],
    [5, 5, 12],
    [3, 3, 8],
    [1, 1, 8],
  ]);
  expect(table(published('feature-maps/seed=2', 'tables/activations.csv'))).toHaveLength(
    2 * (4 * 12 + 2 * 8),
  );
  // Layer 1 side by side: two rows of (digit + 12 maps of 26×26 at ×3), so wider than 13 × 78 pixels.
  const layer1 = png(published('feature-maps/seed=2', 'figures/layer1_conv2d.png'));
  expect(layer1.width).toBeGreaterThan(13 * 78);
});

test("shift: the first test 7 in four directions, and accuracy at shift 0 is the model's test accuracy", () => {
  const strip = table(published('shift/seed=1/strip', 'tables/shifted_predictions.csv'));
  expect(strip).toHaveLength(4 * 3);
  expect(new Set(strip.map((r) => r.direction))).toEqual(new Set(['left', 'right', 'up', 'down']));
  expect(result<{ label: number }>('shift/seed=1/strip').label).toBe(7);
  for (const seed of [1, 2]) {
    const trained = result<TrainResult>(`train/seed=${seed}`);
    const atZero = result<{ horizontalCorrect: number; verticalCorrect: number; images: number }>(
      `shift/seed=${seed}/accuracy/shift=0`,
    );
    expect(atZero.images).toBe(trained.testImages);
    expect(atZero.horizontalCorrect / atZero.images).toBe(trained.testAccuracy);
    const rows = table(published(`shift/seed=${seed}/accuracy`, 'tables/accuracy_vs_shift.csv'));
    expect(rows.map((r) => Number(r.shift))).toEqual([-2, -1, 0, 1, 2]);
  }
});

test('curves: one chart per seed and one overlaid, the histories of both seeds in one table', () => {
  expect(job('curves').publish.filter((f) => f.endsWith('.png'))).toEqual([
    'figures/curves_all.png',
    'figures/curves_seed=1.png',
    'figures/curves_seed=2.png',
  ]);
  const history = table(published('curves', 'tables/history.csv'));
  expect(history.map((r) => [r.model, r.epoch])).toEqual([
    ['seed=1', '1'],
    ['seed=1', '2'],
    ['seed=2', '1'],
    ['seed=2', '2'],
  ]);
  expect(history.every((r) => Number(r.val_accuracy) >= 0 && Number(r.val_accuracy) <= 1)).toBe(true);
});

async function checkInBrowser() {
  expect(existsSync(path.join(runDir, 'report.html'))).toBe(true);
  const report = await checkReport(runDir, runDir);
  for (const [name, page] of Object.entries(report.pages)) {
    expect([name, page.errors, page.failedRequests]).toEqual([name, [], []]);
    expect(page.images.filter((img) => img.naturalWidth === 0)).toEqual([]);
  }
  expect(report.brokenLinks).toEqual([]);
  expect(report.unreachable).toEqual([]);
  expect(existsSync(path.join(runDir, 'report.png'))).toBe(true);
  const pages = Object.values(report.pages);
  const html = Object.keys(report.pages)
    .map((name) => readFileSync(path.join(runDir, name), 'utf8'))
    .join('\n');
  return {
    report,
    html,
    first: readFileSync(path.join(runDir, 'report.html'), 'utf8'),
    images: pages.flatMap((p) => p.images.map((i) => i.src)),
    tableSources: pages.flatMap((p) => p.tableSources),
  };
}

test('the report opens cleanly in Chromium with every picture and table of the run, and the command rebuilds it', async () => {
  expect(lines.some((l) => l.startsWith('report → '))).toBe(true);
  const files = publishedFiles();
  for (const file of files) expect(existsSync(path.join(runDir, file))).toBe(true);
  const pngs = files.filter((f) => f.endsWith('.png'));
  const csvs = files.filter((f) => f.endsWith('.csv'));
  // 2 seeds × (3 filter grids + 6 layer grids + 2 digit grids + strip + accuracy chart) + 3 curve charts, besides occlusion's.
  expect(pngs.filter((f) => !f.startsWith('figures/occlusion/'))).toHaveLength(2 * (3 + 6 + 2 + 1 + 1) + 3);
  expect(pngs.filter((f) => f.startsWith('figures/occlusion/')).length).toBeGreaterThan(0);

  const { report, html, first, images, tableSources } = await checkInBrowser();
  expect(report.pages['report.html'].title).toBe('probelab: visuals');
  expect(images).toEqual(expect.arrayContaining(pngs.map(href)));
  for (const csv of csvs) {
    // Shown as a table (one seed's copy), or linked to (every seed's copy).
    const shown = tableSources.includes(csv) || html.includes(`href="${href(csv)}"`);
    expect([csv, shown]).toEqual([csv, true]);
  }
  expect(tableSources).toEqual(expect.arrayContaining(['tables/train/summary/accuracy.csv']));
  expect(first).toMatch(
    /Test accuracy 0\.\d{4} ± 0\.\d{4}, training accuracy 0\.\d{4} ± 0\.\d{4} \(mean ± sd over 2 seeds\)/,
  );
  // Homework vs measured: over 2 seeds, mean ± sd.
  expect(first).toMatch(
    /<tr><td>test accuracy<\/td><td class="num">95\.92 %<\/td><td class="num" title="seed=1: \d+\.\d\d %, seed=2: \d+\.\d\d %">\d+\.\d\d % ± \d+\.\d\d % \(2 seeds\)<\/td>/,
  );
  for (const name of ['train', 'curves', 'filters', 'feature-maps', 'shift', 'occlusion'])
    expect(html).toContain(`id="exp-${name}"`);
  // The seed chooser opens on the mean ± sd across seeds; choosing seed=2 shows seed=2's picture.
  expect(
    await chooseSeed('report-problem-3-2.html', 'fig-shift-accuracy-figures-accuracy_vs_shift-png', 'seed=2'),
  ).toEqual({
    first: 'panel: Test accuracy by shift, mean ± sd over seeds',
    chosen: href('figures/shift/seed=2/accuracy/accuracy_vs_shift.png'),
  });

  // Rebuilt from the folder alone by the command, after the config is gone.
  rmSync(path.join(out, 'visuals.json'));
  rmSync(path.join(runDir, 'report.html'));
  const cli = await runCli(['report', runDir], root);
  expect(cli.stderr).toBe('');
  expect(cli.code).toBe(0);
  expect(cli.stdout).toContain('report.html: 6 experiments');
  const again = await checkInBrowser();
  expect(again.tableSources.sort()).toEqual(tableSources.sort());
  // The run folder's copy of the config stands in for the deleted file.
  expect(again.first).toContain('config.json in the run folder: the config as the last run read it');
  expect(again.first).not.toContain('The config file is no longer where the plan says it was.');
});

/** Clicks the seed's button of a figure's seed chooser; the src of the picture then shown. */
async function chooseSeed(
  page: string,
  figure: string,
  seed: string,
): Promise<{ first: string; chosen: string }> {
  return withBrowser(async (browser) => {
    const tab = await browser.newPage({ viewport: VIEWPORT });
    await tab.goto(pathToFileURL(path.join(runDir, page)).href);
    const first = (await tab.locator(`#${figure} .panel:visible`).getAttribute('class')) ?? '';
    const chart = await tab.locator(`#${figure} .panel:visible svg.chart`).getAttribute('aria-label');
    await tab.click(`#${figure} label:text-is("${seed}")`);
    const chosen = (await tab.locator(`#${figure} .panel:visible img`).getAttribute('src')) ?? '';
    return { first: `${first}: ${chart}`, chosen };
  });
}
