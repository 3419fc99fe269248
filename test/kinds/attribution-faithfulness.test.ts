// attribution-faithfulness through the real runner and worker pool (dist/workers/job.js: build
// first): the same images cut into chunks of 2 and into one chunk give identical tables (but
// the wall-clock ms per image), the random order is the baseline, the edge-free random map fails
// the sanity check, and the report's section "Which attribution to trust" shows the table and
// the sentence.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  faithfulnessConfigSchema,
  faithfulnessExperiment,
} from '../../src/kinds/attribution-faithfulness/attribution-faithfulness';
import { buildReportAfterRun } from '../../src/report/build-report';
import { resultsMarkdown } from '../../src/report/results-doc';
import { runExperiments } from '../../src/runner/run';
import { expandContext } from '../helpers/run-occlusion-jobs';

const root = path.join(__dirname, '../..');
const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-faith-'));
const runDir = path.join(out, 'faith');
afterAll(() => rmSync(out, { recursive: true, force: true }));

const FAITH = {
  kind: 'attribution-faithfulness',
  model: 'train',
  images: { first: 6 },
  methods: ['saliency', 'grad-cam'],
  steps: 10,
};
const CONFIG = {
  name: 'faith',
  defaults: {
    data: { source: 'mnist', train: { first: 1500 }, test: { first: 100 } },
    seeds: [1],
    training: { epochs: 2, validationSplit: 0 },
  },
  experiments: [
    { name: 'train', kind: 'train' },
    { name: 'chunked', ...FAITH, imagesPerJob: 2 },
    { name: 'whole', ...FAITH, imagesPerJob: 6 },
  ],
};

const lines: string[] = [];
beforeAll(async () => {
  const configFile = path.join(out, 'faith.json');
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
}, 300_000);

const tableFile = (experiment: string, file: string) => path.join(runDir, 'tables', experiment, file);
const records = (experiment: string, file: string) =>
  parse(readFileSync(tableFile(experiment, file), 'utf8'), { columns: true }) as Record<string, string>[];

test('chunks of 2 images and one chunk of 6 give identical tables, but for the measured ms per image', () => {
  const files = readdirSync(path.join(runDir, 'tables', 'whole')).sort();
  expect(files).toEqual([
    'curves.csv',
    'faithfulness.csv',
    'per_image.csv',
    'ranking.csv',
    'sanity.csv',
    'trust.csv',
  ]);
  expect(readdirSync(path.join(runDir, 'tables', 'chunked')).sort()).toEqual(files);
  const withoutClock = (experiment: string, file: string) =>
    records(experiment, file).map(({ ms_per_image, ...rest }) => rest);
  for (const file of files) expect(withoutClock('chunked', file)).toEqual(withoutClock('whole', file));
  for (const file of ['curves.csv', 'per_image.csv', 'ranking.csv', 'sanity.csv'])
    expect(readFileSync(tableFile('chunked', file), 'utf8')).toBe(
      readFileSync(tableFile('whole', file), 'utf8'),
    );
});

test('every method and the random order get 6 images, 11-point curves from the clean image to the baseline, and a verdict', () => {
  const trust = records('whole', 'trust.csv');
  expect(trust.map((r) => r.method)).toEqual(['saliency', 'grad-cam', 'random']);
  const perImage = records('whole', 'per_image.csv');
  expect(perImage).toHaveLength(18);
  const curves = records('whole', 'curves.csv');
  expect(curves).toHaveLength(3 * 2 * 11);
  for (const method of ['saliency', 'grad-cam', 'random']) {
    const of = (curve: string) => curves.filter((r) => r.method === method && r.curve === curve);
    // All pixels deleted is the baseline, where insertion starts, and the other way round.
    expect(of('deletion')[10].probability_mean).toBe(of('insertion')[0].probability_mean);
    expect(of('deletion')[0].probability_mean).toBe(of('insertion')[10].probability_mean);
  }
  // The random order is the reference: no sanity check of its own.
  const random = trust.find((r) => r.method === 'random')!;
  expect(random.sanity_spearman).toBe('');
  expect(random.sanity).toBe('reference');
  expect(records('whole', 'sanity.csv').filter((r) => r.method === 'random')).toEqual([]);
  // Every pair of methods once, on the same 6 images of the one model.
  const ranking = records('whole', 'ranking.csv');
  expect(ranking.map((r) => `${r.method}/${r.other}/${r.images}`)).toEqual([
    'saliency/grad-cam/6',
    'saliency/random/6',
    'grad-cam/random/6',
  ]);
  for (const r of ranking) expect(Number(r.low)).toBeLessThanOrEqual(Number(r.high));
  const sanity = records('whole', 'sanity.csv');
  expect(sanity.filter((r) => r.method === 'saliency').map((r) => r.layer)).toEqual([
    'dense',
    'conv2d_2',
    'conv2d_1',
    'conv2d',
  ]);
  for (const r of trust.filter((r) => r.method !== 'random')) expect(['passes', 'fails']).toContain(r.sanity);
});

test('the report has the section "Which attribution to trust" with the table and the sentence', () => {
  const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
  const section = html.slice(html.indexOf('<section id="which-attribution-to-trust">'));
  expect(
    section.startsWith('<section id="which-attribution-to-trust"><h2>Which attribution to trust</h2>'),
  ).toBe(true);
  const body = section.slice(0, section.indexOf('</section>'));
  for (const key of ['chunked', 'whole']) expect(body).toContain(`<h3>${key}</h3>`);
  expect(body.match(/<tr><td>(saliency|grad-cam|random)<\/td>/g)).toHaveLength(6);
  // Deletion and insertion AUC as mean ± sd over the 6 images.
  expect(body.match(/<td class="num">0\.\d{3} ± 0\.\d{3}<\/td>/g)).toHaveLength(12);
  expect(body).toMatch(/<p class="headline">(Best: |No clear winner among |No method is named best: )/);
  expect(body).toContain('a method is best when it passes the sanity check');
  expect(html).toContain(
    '<li><a href="report.html#which-attribution-to-trust">Which attribution to trust</a></li>',
  );
});

test('docs/results.md gets the same table and sentence for each trust.csv of the run', () => {
  const doc = resultsMarkdown([runDir]);
  expect(doc).toContain('## Which attribution to trust');
  expect(
    doc.match(/^\| (saliency|grad-cam|random) +\| 0\.\d{3} ± 0\.\d{3} +\| 0\.\d{3} ± 0\.\d{3} +\|/gm),
  ).toHaveLength(6);
  for (const key of ['chunked', 'whole'])
    expect(doc).toMatch(
      new RegExp(`^\`${key}/ranking\\.csv\`: (Best: |No clear winner among |No method is named best: )`, 'm'),
    );
});

test('planning refuses a method listed twice, and plans curves and sanity chunks per model and method', () => {
  const ctx = expandContext(
    { data: CONFIG.defaults.data },
    { train: [{ key: 'train/seed=1', seed: 1, label: 'seed=1' }] },
    'f',
  );
  const { kind: _kind, ...fields } = FAITH;
  const plan = (config: object) =>
    faithfulnessExperiment.expand(faithfulnessConfigSchema.parse({ ...fields, ...config }), ctx);
  expect(() => plan({ methods: ['saliency', { method: 'saliency' }] })).toThrow(
    'the same method and settings as methods[0] (saliency)',
  );
  const jobs = plan({ imagesPerJob: 4, sanity: false });
  expect(jobs.map((j) => j.key)).toEqual([
    'f/seed=1/saliency/chunk=0',
    'f/seed=1/saliency/chunk=1',
    'f/seed=1/grad-cam/chunk=0',
    'f/seed=1/grad-cam/chunk=1',
    'f/seed=1/random/chunk=0',
    'f/seed=1/random/chunk=1',
    'f',
  ]);
  // One sanity chunk per judged method: the random order is the reference, not checked.
  expect(plan({ imagesPerJob: 6 }).filter((j) => j.kind === 'attribution-sanity-chunk')).toHaveLength(2);
});
