// Image folders end to end: the shipped example trains on RGB folders and probes the model, with
// the images' colours in its figures; job ids follow the images' content; bad folders and a model
// of the wrong channels stop at planning with exit code 2, naming the path.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { planRun } from '../../src/runner/run';
import { barPng, CLASS_COLOURS, writeBarFolder } from '../helpers/image-folders';
import { ROOT, runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = ['--workers', '2', '--progress', 'none'];

test('configs/examples/image-folder.json trains on RGB folders and draws the probes in colour', async () => {
  const out = tempDir();
  const run = await runCli(['configs/examples/image-folder.json', '--out', out, ...quiet], ROOT);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const folder = path.join(out, 'image-folder');
  const history = readFileSync(path.join(folder, 'tables', 'train', 'seed=1', 'history.csv'), 'utf8');
  expect(history.split('\n')[0]).toMatch(/^epoch,loss,accuracy/);
  // Test #6 is the first of class 1, whose bar is row ⌊1·12/4⌋ = 3 in class 1's green; the
  // occlusion experiment's image.png draws it at 6 pixels a pixel (its default scale).
  const png = PNG.sync.read(
    readFileSync(path.join(folder, 'figures', 'occlusion', 'seed=1', 'image=6', 'image.png')),
  );
  const scale = png.width / 12;
  const at = (4 * (3 * scale * png.width + 5 * scale)) as number;
  expect(Array.from(png.data.subarray(at, at + 3))).toEqual([...CLASS_COLOURS[1]]);
  for (const experiment of ['filters', 'feature-maps', 'shift', 'attribution'])
    expect(existsSync(path.join(folder, 'figures', experiment))).toBe(true);
});

const folderConfig = (dir: string, trainDir: string) => ({
  name: 'folders',
  defaults: { data: { source: 'folder', dir, trainDir }, training: { epochs: 1 } },
  experiments: [
    {
      name: 'train',
      kind: 'train',
      layers: [{ type: 'flatten' }, { type: 'dense', units: 3 }],
    },
  ],
});

const ids = (file: string, cwd: string) =>
  new Map(planRun({ config: file, cwd }).plan.jobs.map((job) => [job.key, job.id]));

test('job ids follow the images: a replaced image changes them, moved folders do not', () => {
  const work = tempDir();
  const test = writeBarFolder(path.join(work, 'test'), { perClass: 2, seed: 2 });
  const train = writeBarFolder(path.join(work, 'train'), { perClass: 4 });
  const file = writeConfig(work, 'folders.json', folderConfig(test, train));
  const before = ids(file, work);

  renameSync(path.join(work, 'train'), path.join(work, 'moved'));
  writeConfig(work, 'folders.json', folderConfig(test, path.join(work, 'moved')));
  expect(ids(file, work)).toEqual(before);

  writeFileSync(
    path.join(work, 'moved', 'class-0', '000.png'),
    barPng(0, { perClass: 1 }, () => 0.5),
  );
  expect(ids(file, work).get('train/seed=1')).not.toBe(before.get('train/seed=1'));
});

describe('bad folders and models stop at planning with exit 2, naming the path', () => {
  const cases: [string, (work: string) => unknown, RegExp][] = [
    [
      'a corrupt image',
      (work) => {
        writeFileSync(path.join(work, 'train', 'class-1', '001.png'), 'not a png');
        return folderConfig(path.join(work, 'test'), path.join(work, 'train'));
      },
      /train\/class-1\/001\.png: not a PNG image: its first bytes are not the PNG signature/,
    ],
    [
      'an empty class folder',
      (work) => {
        mkdirSync(path.join(work, 'test', 'class-3'));
        return folderConfig(path.join(work, 'test'), path.join(work, 'train'));
      },
      /test\/class-3: empty class folder/,
    ],
    [
      'training classes other than the test classes',
      (work) =>
        folderConfig(
          path.join(work, 'test'),
          writeBarFolder(path.join(work, 'two'), { perClass: 1, classes: 2 }),
        ),
      /two: class folders class-0, class-1 differ/,
    ],
    [
      'a grayscale model file on RGB images',
      (work) => ({
        defaults: { data: { source: 'folder', dir: path.join(work, 'test') } },
        experiments: [
          {
            name: 'filters',
            kind: 'filters',
            model: { file: path.join(ROOT, 'test', 'fixtures', 'keras-bn-model', 'model.json') },
          },
        ],
      }),
      /model\.file.*takes inputs of 28×28×1, but the data .* has images of 12×12×3/,
    ],
  ];
  test.each(cases)('%s', async (_name, make, message) => {
    const work = tempDir();
    writeBarFolder(path.join(work, 'test'), { perClass: 2, seed: 2 });
    writeBarFolder(path.join(work, 'train'), { perClass: 2 });
    writeConfig(work, 'bad.json', make(work));
    const run = await runCli(['bad.json', ...quiet], work);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(2);
    expect(existsSync(path.join(work, 'outputs'))).toBe(false);
  });
});
