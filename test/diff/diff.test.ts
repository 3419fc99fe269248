// `run-experiments diff`: two real runs of a config that differ in one seed, two identical runs,
// and the bad inputs that must end with exit code 2 and a message naming what is wrong.
import path from 'node:path';
import { compareRuns } from '../../src/diff/compare-runs';
import { compareTables } from '../../src/diff/compare-tables';
import { breaches, parseWatch } from '../../src/diff/fail-on';
import { UsageError } from '../../src/errors';
import { runExperiments } from '../../src/runner/run';
import { runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';
import { seedSweep } from '../helpers/two-seed-runs';

async function run(dir: string, out: string, seeds: number[]): Promise<string> {
  writeConfig(dir, `${out}.json`, seedSweep(seeds));
  const summary = await runExperiments({
    config: `${out}.json`,
    cwd: dir,
    out,
    workers: 1,
    progress: 'none',
  });
  expect(summary.exitCode).toBe(0);
  return path.join(dir, out, 'nightly');
}

let dir: string;
let a: string;
let b: string;
let same: string;
beforeAll(async () => {
  dir = tempDir();
  a = await run(dir, 'a', [1, 2]);
  b = await run(dir, 'b', [1, 3]);
  same = await run(dir, 'same', [1, 2]);
});

test('runs that differ in one seed: the differing table and column with its differences, and the tables on one side only', async () => {
  const result = await runCli(['diff', a, b], dir);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  const lines = result.stdout.split('\n');
  expect(lines.slice(0, 3)).toEqual([
    `A ${a}`,
    `B ${b}`,
    '1 identical, 1 differ, 1 only in A, 1 only in B (of 4 tables)',
  ]);
  const table = lines.indexOf('  sum/seed=0/job=0/values.csv');
  expect(table).toBeGreaterThan(0);
  expect(lines[table + 1]).toMatch(/^ +column +changed +max abs +max rel/);
  expect(lines[table + 2]).toMatch(/^ +inputTotal +3 of 3 +\d\.\d+ +\d+(\.\d+)?%$/);
  expect(result.stdout).toContain('only in A:\n  spin/seed=2/job=0/values.csv');
  expect(result.stdout).toContain('only in B:\n  spin/seed=3/job=0/values.csv');

  const watched = await runCli(
    ['diff', a, b, '--fail-on', 'inputTotal>0.001', '--fail-on', 'sum:value>0'],
    dir,
  );
  expect(watched.code).toBe(1);
  expect(watched.stdout.split('watched metrics that moved too far (--fail-on):\n')[1].split('\n')).toEqual([
    // spin's table of seed 2 also has the column, and is missing from run B: that fails the watch too.
    '  inputTotal>0.001: spin/seed=2/job=0/values.csv: its table is missing from run B',
    expect.stringMatching(
      /^ {2}inputTotal>0\.001: sum\/seed=0\/job=0\/values\.csv: moved 0\.\d+ \(more than 0\.001\)$/,
    ),
    '',
  ]);
  // Generous tolerances, relative or absolute, are not breached; sum's own values did not move.
  const diff = compareRuns(a, b);
  expect(
    breaches(
      diff,
      ['sum:inputTotal>100%', 'sum/seed=0/job=0/values:inputTotal>10', 'sum:value>0'].map(parseWatch),
    ),
  ).toEqual([]);
});

test('two runs of the same config: exit code 0 and "identical"', async () => {
  const result = await runCli(['diff', a, same, '--fail-on', 'value>0'], dir);
  expect(result).toEqual({
    code: 0,
    signal: null,
    stderr: '',
    stdout: `A ${a}\nB ${same}\nidentical: all 3 tables\n`,
  });
});

test('bad input: exit code 2 and one line saying what is wrong', async () => {
  const result = await runCli(['diff', a, path.join(dir, 'nowhere')], dir);
  expect(result).toEqual({
    code: 2,
    signal: null,
    stdout: '',
    stderr: `${path.join(dir, 'nowhere')}: no such run folder\n`,
  });
  expect(() => compareRuns(dir, b)).toThrow(
    new UsageError(`${dir}: not a run folder (no plan.json); run a config first`),
  );
  const usage = `expected [TABLE:]COLUMN>TOLERANCE, e.g. 'test_accuracy>0.01' or 'train/summary/accuracy.csv:test_accuracy>1%'`;
  expect(() => parseWatch('inputTotal')).toThrow(
    new UsageError(
      `--fail-on "inputTotal": ${usage} (quote it: the shell reads an unquoted '>' as a redirection)`,
    ),
  );
  expect(() => parseWatch('value>x')).toThrow(new UsageError(`--fail-on "value>x": ${usage}`));
  const diff = compareRuns(a, b);
  expect(() => breaches(diff, [parseWatch('inputTotl>0.1')])).toThrow(
    new UsageError(
      '--fail-on inputTotl>0.1: no published table has a column "inputTotl" (did you mean "inputTotal"?)',
    ),
  );
  expect(() => breaches(diff, [parseWatch('spun:value>0.1')])).toThrow(
    new UsageError(
      `--fail-on spun:value>0.1: ${a} and ${b} have no table under tables/spun (did you mean "spin"?)`,
    ),
  );
});

test('cells: the same number written two ways is no change; NaN beside a number is; timing columns are flagged', () => {
  const table = (...rows: string[][]) => ({ header: ['x', 'label', 'seconds'], rows });
  const change = compareTables(
    table(['1.0', 'a', '3'], ['2', 'b', '4']),
    table(['1', 'a', '9'], ['NaN', 'c', '4']),
  );
  expect(change.columns).toEqual([
    { column: 'x', changed: 1, rows: 2, maxAbs: Infinity, maxRel: 2, text: false, timing: false },
    { column: 'label', changed: 1, rows: 2, text: true, timing: false },
    { column: 'seconds', changed: 1, rows: 2, maxAbs: 6, maxRel: 6 / 9, text: false, timing: true },
  ]);
});
