// The visual experiments in configs: what they plan (one pool job per shift, curves needing
// every model) and the messages a wrong field gets.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { planRun } from '../../src/runner/run';
import { tempDir } from '../helpers/temp-dir';

const dir = tempDir('probelab-visual-config-');

function plan(experiments: object[], seeds = [1, 2]) {
  const file = path.join(dir, 'case.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'case',
      defaults: { data: { source: 'mnist', test: { first: 300 } }, seeds },
      experiments: [{ name: 'train', kind: 'train' }, ...experiments],
    }),
  );
  return planRun({ config: file, out: dir }).plan;
}

function problem(experiment: object): string {
  try {
    plan([experiment]);
  } catch (error) {
    return (error as Error).message.replace(`${path.join(dir, 'case.json')}: `, '');
  }
  return 'no error';
}

test('defaults: the first test 0 and 8, the first test 7, shifts −8..8 as one job each, one curves job for all seeds', () => {
  const { jobs } = plan([
    { name: 'curves', kind: 'curves', model: 'train' },
    { name: 'filters', kind: 'filters', model: 'train' },
    { name: 'maps', kind: 'feature-maps', model: 'train' },
    { name: 'shift', kind: 'shift', model: 'train' },
  ]);
  const of = (kind: string) => jobs.filter((j) => j.kind === kind);
  expect(of('curves')).toHaveLength(1);
  expect(Object.keys(of('curves')[0].needs).sort()).toEqual(['seed=1', 'seed=2']);
  expect(of('filters').map((j) => j.key)).toEqual(['filters/seed=1', 'filters/seed=2']);
  expect(of('feature-maps')[0].params.images).toEqual([
    { index: 3, label: 0 },
    { index: 61, label: 8 },
  ]);
  expect((of('shift-strip')[0].params.image as { label: number }).label).toBe(7);
  expect(of('shift-accuracy-chunk')).toHaveLength(2 * 17);
  expect(
    of('shift-accuracy-chunk')
      .slice(0, 17)
      .map((j) => j.params.shift),
  ).toEqual(Array.from({ length: 17 }, (_, i) => i - 8));
  const aggregate = of('shift-accuracy')[0];
  expect(Object.keys(aggregate.needs)).toHaveLength(17);
  expect(aggregate.publish).toContain('figures/accuracy_vs_shift.png');
});

test('accuracyRange 0 leaves out the whole-test-set part', () => {
  const { jobs } = plan([{ name: 'shift', kind: 'shift', model: 'train', accuracyRange: 0 }], [1]);
  expect(jobs.filter((j) => j.experiment === 'shift').map((j) => j.kind)).toEqual(['shift-strip']);
});

test.each([
  [
    { name: 's', kind: 'shift', model: 'train', maxShift: 40 },
    'experiments[1].maxShift: expected at most 27 pixels (the images are 28×28), got 40',
  ],
  [
    { name: 's', kind: 'shift', model: 'train', digit: 11 },
    'experiments[1].digit: expected an integer ≥ 0 and ≤ 9, got 11',
  ],
  [
    { name: 's', kind: 'shift', model: 'train', image: 300 },
    'experiments[1]: shift experiment "s": image: test image 300 does not exist (the test set has 300 images, 0..299)',
  ],
  [
    { name: 'f', kind: 'feature-maps', model: 'train', images: [1, 500] },
    'experiments[1]: feature-maps experiment "f": images[1]: test image 500 does not exist (the test set has 300 images, 0..299)',
  ],
  [
    { name: 'f', kind: 'feature-maps', model: 'train', digits: [] },
    'experiments[1].digits: expected a non-empty list, got []',
  ],
  [
    { name: 'f', kind: 'filters', model: 'train', scale: 1 },
    'experiments[1].scale: expected an integer ≥ 2 and ≤ 40, got 1',
  ],
  [
    { name: 'c', kind: 'curves' },
    'experiments[1].model: expected a non-empty string or an object with fields file, name or an object with fields onnx, name, input, output, got nothing',
  ],
  [
    { name: 'c', kind: 'curves', model: 'trian' },
    'experiments[1].model: no experiment is named "trian" (experiments: "train", "c")',
  ],
])('%j → %s', (experiment, message) => {
  expect(problem(experiment)).toBe(message);
});
