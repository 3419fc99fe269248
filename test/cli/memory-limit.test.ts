// A network too large for memory is refused at planning (exit 2 before any job runs, also with
// --dry-run), naming the experiment and the estimate; --max-memory sets the limit per job.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { trainingMemory } from '../../src/models/memory';
import { runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const network = (units: number) => ({
  name: 'mem',
  defaults: {
    data: { source: 'mnist', train: { first: 100 }, test: { first: 100 } },
    training: { epochs: 1 },
  },
  experiments: [
    {
      name: 'small',
      kind: 'train',
      layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }],
    },
    {
      name: 'wide',
      kind: 'train',
      layers: [
        { type: 'flatten' },
        { type: 'dense', units },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    },
  ],
});

test('the estimate counts weights (twice), gradients, Adam moments and outputs × batch forward and back', () => {
  const dense = trainingMemory([{ type: 'flatten' }, { type: 'dense', units: 10 }], [28, 28, 1], 32);
  expect(dense.parameters).toBe(784 * 10 + 10);
  expect(dense.activations).toBe(784 + 784 + 10 + 10); // input, flatten, dense, the softmax added
  expect(dense.bytes).toBe(4 * (5 * 7850 + 2 * 1588 * 32));
});

test.each([
  ['a dense layer of 10⁹ units', 1e9, [], /needs about 16 TB \(795,000,000,010 parameters/],
  [
    'a dense layer of 2×10⁵ units',
    2e5,
    [],
    /needs about 3\.2 GB .* over the 2\.1 GB a job's tensors may take/,
  ],
  ['2×10⁴ units over --max-memory 100M', 2e4, ['--max-memory', '100M'], /over the limit of 105 MB per job/],
])('%s: exit 2 before any job runs, naming the experiment', async (_name, units, flags, message) => {
  const dir = tempDir();
  writeConfig(dir, 'mem.json', network(units as number));
  for (const dry of [['--dry-run'], []]) {
    const result = await runCli(['mem.json', ...(flags as string[]), ...dry, '--progress', 'none'], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^mem\.json: experiments\[1\]\.layers: training wide\/seed=1 needs about /);
    expect(result.stderr).toMatch(message as RegExp);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  }
  expect(existsSync(path.join(dir, 'outputs'))).toBe(false);
});

test('--max-memory takes sizes such as 512M or 4G; anything else is exit 2 naming it', async () => {
  const dir = tempDir();
  writeConfig(dir, 'mem.json', network(32));
  const [ok, bad] = await Promise.all([
    runCli(['mem.json', '--dry-run', '--max-memory', '512M'], dir),
    runCli(['mem.json', '--dry-run', '--max-memory', 'lots'], dir),
  ]);
  expect(ok.code).toBe(0);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--max-memory: expected a size such as 512M or 4G, got "lots"');
});
