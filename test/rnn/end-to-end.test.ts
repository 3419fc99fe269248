// configs/problem5.json and configs/problem7.json through the real runner and worker pool
// (dist/workers/job.js: build first), checked on the published tables.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runExperiments } from '../../src/runner/run';

const root = path.join(__dirname, '../..');
const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-bptt-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function table(file: string): Record<string, string>[] {
  return parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
}

test('problem5 and problem7 run through the pool; the published tables hold the reference numbers', async () => {
  const run = (config: string) =>
    runExperiments({ config, out, cwd: root, workers: 2, progress: 'none', log: () => {} });

  const five = await run('configs/problem5.json');
  expect(five.failures).toEqual([]);
  expect(five.exitCode).toBe(0);
  const tables5 = path.join(out, 'problem5', 'tables', 'problem5');
  const losses = table(path.join(tables5, 'exact', 'loss.csv'));
  expect(Math.abs(Number(losses[0].value) - 0.255473337380186)).toBeLessThanOrEqual(1e-15);
  expect(Math.abs(Number(losses[1].value) - 0.25547329603987234)).toBeLessThanOrEqual(1e-15);
  const total = table(path.join(tables5, 'exact', 'dL_db_per_step.csv')).find((row) => row.step === 'total')!;
  expect(Math.abs(Number(total['dL/db[1]']) / -0.004545272400873721 - 1)).toBeLessThanOrEqual(1e-12);
  expect(table(path.join(tables5, 'check', 'check_summary.csv')).map((row) => row.passed)).toEqual([
    'yes',
    'yes',
  ]);

  const seven = await run('configs/problem7.json');
  expect(seven.failures).toEqual([]);
  const tables7 = path.join(out, 'problem7', 'tables', 'problem7');
  const comparison = table(path.join(tables7, 'exact', 'forget_bias_homework_vs_true.csv')).filter(
    (row) => row.step === 'total',
  );
  expect(comparison.map((row) => Number(row.homework).toFixed(8))).toEqual(['0.00013073', '-0.01837409']);
  expect(comparison.map((row) => Number(row.true).toPrecision(5))).toEqual(['0.000023666', '-0.0044021']);

  // Again: everything is done, nothing runs.
  const again = await run('configs/problem5.json');
  expect(again.counts.ranNow).toBe(0);
});
