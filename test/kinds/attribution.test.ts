// The `attribution` experiment through the real runner and worker pool (dist/workers/job.js:
// build first), on the committed Keras model file (conv, batch normalization, pooling, dense):
// chunked and whole runs publish identical tables (the seeded methods too), and bad settings stop the run before anything
// is written (exit 2), naming the field.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runExperiments } from '../../src/runner/run';
import { runCli, tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'keras-bn-model');
const DATA = { source: 'mnist', test: { first: 50 } };
const METHODS = [
  'saliency',
  'gradient-x-input',
  { method: 'integrated-gradients', steps: 32, baseline: 'blurred' },
  { method: 'smoothgrad', samples: 6, seed: 2 },
  'grad-cam',
  { method: 'occlusion', patch: 6, stride: 4 },
  { method: 'feature-ablation', patch: 7 },
  { method: 'shapley-sampling', patch: 14, samples: 3 },
  { method: 'kernel-shap', patch: 7, samples: 40 },
  { method: 'rise', masks: 64, seed: 1 },
];
const attribution = (name: string, imagesPerJob: number, extra: object = {}) => ({
  name,
  kind: 'attribution',
  model: { file: 'model/model.json' },
  methods: METHODS,
  images: { first: 7 },
  imagesPerJob,
  sheetImages: 4,
  ...extra,
});

const root = tempDir('probelab-attribution-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
cpSync(FIXTURE, path.join(root, 'model'), { recursive: true });

const run = (file: string, workers = 2) =>
  runExperiments({ config: file, cwd: root, workers, progress: 'none', log: () => {} });

/** A CSV without its wall-clock `ms` column. */
function withoutMs(text: string): string[][] {
  const rows = parse(text) as string[][];
  const keep = rows[0].map((name) => name !== 'ms');
  return rows.map((row) => row.filter((_, i) => keep[i]));
}

test('chunks of 2 images and one chunk of all 7 publish identical tables, figures for every image and method', async () => {
  writeConfig(root, 'a.json', {
    name: 'a',
    defaults: { data: DATA },
    experiments: [
      attribution('chunked', 2),
      attribution('whole', 100, { target: 'predicted' }),
      attribution('whole-label', 100),
    ],
  });
  const result = await run('a.json');
  expect(result.failures).toEqual([]);
  expect(result.exitCode).toBe(0);
  const published = tables(path.join(root, 'outputs', 'a'));
  const of = (name: string) =>
    new Map(
      [...published]
        .filter(([file]) => file.startsWith(`${name}/`))
        .map(([f, t]) => [f.slice(name.length + 1), t]),
    );
  const chunked = of('chunked');
  const whole = of('whole-label');
  // 10 methods × (7 images + images.csv) + methods.csv; the seeded methods draw by image, not chunk.
  expect(chunked.size).toBe(10 * 8 + 1);
  expect([...chunked.keys()].sort()).toEqual([...whole.keys()].sort());
  for (const [file, text] of chunked) {
    if (file.endsWith('methods.csv')) expect(withoutMs(text)).toEqual(withoutMs(whole.get(file)!));
    else expect([file, text]).toEqual([file, whole.get(file)]);
  }
  const saliency = parse(chunked.get('file/saliency/image=0.csv')!) as string[][];
  expect(saliency).toHaveLength(29);
  expect(saliency[0]).toEqual(['saliency', ...Array.from({ length: 28 }, (_, i) => String(i))]);
  const ig = parse(chunked.get('file/integrated-gradients_steps=32_baseline=blurred/images.csv')!, {
    columns: true,
  }) as Record<string, string>[];
  expect(ig.map((r) => r.image)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
  for (const row of ig) expect(Number(row.completeness_error)).toBeLessThan(0.05);
  const methods = parse(chunked.get('file/sheet/methods.csv')!, { columns: true }) as Record<
    string,
    string
  >[];
  expect(methods.map((m) => m.method)).toEqual([
    'saliency',
    'gradient-x-input',
    'integrated-gradients_steps=32_baseline=blurred',
    'smoothgrad_samples=6_seed=2',
    'grad-cam',
    'occlusion_patch=6_stride=4',
    'feature-ablation_patch=7',
    'shapley-sampling_patch=14_samples=3',
    'kernel-shap_patch=7_samples=40',
    'rise_masks=64_seed=1',
  ]);
  for (const m of methods) expect(Number(m.ms)).toBeGreaterThan(0);
  // The predicted class differs from the label where the model errs; tables say which was attributed.
  const predicted = parse(of('whole').get('file/saliency/images.csv')!, { columns: true }) as Record<
    string,
    string
  >[];
  for (const row of predicted) expect(row.target).toBe(row.predicted);
  const figures = path.join(root, 'outputs', 'a', 'figures', 'chunked', 'file');
  expect(existsSync(path.join(figures, 'sheet', 'contact_sheet.png'))).toBe(true);
  expect(existsSync(path.join(figures, 'grad-cam', 'image=6.png'))).toBe(true);
  const png = readFileSync(path.join(figures, 'saliency', 'image=3.png'));
  expect(png.subarray(1, 4).toString()).toBe('PNG');
}, 180_000);

describe('bad settings are refused before anything runs (exit 2)', () => {
  const cases: [string, object, string][] = [
    [
      'an unknown method',
      { methods: ['saliancy'] },
      'experiments[0].methods[0]: expected one of "saliency", "gradient-x-input", "integrated-gradients", "smoothgrad", "grad-cam", "occlusion", "feature-ablation", "shapley-sampling", "kernel-shap", "rise" or an object with fields method',
    ],
    [
      'too few steps',
      { methods: [{ method: 'integrated-gradients', steps: 1 }] },
      'experiments[0].methods[0].steps: expected an integer ≥ 2, got 1',
    ],
    [
      'a layer the model does not have',
      { methods: [{ method: 'grad-cam', layer: 'conv9' }] },
      'experiments[0].methods[0].layer: the model has no layer "conv9" (its layers: conv2d, batch_normalization',
    ],
    [
      'a patch larger than the image',
      { methods: [{ method: 'occlusion', patch: 30 }] },
      'experiments[0].methods[0].patch: a 30×30 patch does not fit in the 28×28 images',
    ],
    [
      'a method twice',
      { methods: ['saliency', { method: 'saliency' }] },
      'experiments[0].methods[1]: the same method and settings as methods[0] (saliency)',
    ],
    ['an unknown target', { target: 'true' }, 'experiments[0].target: expected one of'],
  ];
  test.each(cases)('%s', async (_, extra, message) => {
    const file = writeConfig(root, 'bad.json', {
      name: 'bad',
      defaults: { data: DATA },
      experiments: [attribution('attr', 5, extra)],
    });
    const result = await runCli([file], root);
    expect(result.stderr).toContain(`${file}: ${message}`);
    expect(result.code).toBe(2);
    expect(existsSync(path.join(root, 'outputs', 'bad'))).toBe(false);
  });
});
