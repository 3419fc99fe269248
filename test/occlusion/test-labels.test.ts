import { loadDataset } from '../../src/data/datasets';
import type { DataSpec } from '../../src/data/spec';
import { testLabels } from '../../src/occlusion/test-labels';

test.each<DataSpec>([
  { source: 'mnist' },
  { source: 'mnist', test: { first: 300 } },
  { source: 'mnist', train: { first: 10 }, test: { perClass: 7, seed: 3 } },
])('planning reads the same test labels and image size as the full loader: %j', (spec) => {
  const full = loadDataset(spec);
  const light = testLabels(spec);
  expect([light.rows, light.cols]).toEqual([full.rows, full.cols]);
  expect(Buffer.from(light.labels).equals(Buffer.from(full.test.labels))).toBe(true);
});
