// `report --baseline RUN`: the report's first page compares the run's tables with another run's,
// as `diff` does: which differ, by how much per column, which exist on one side only.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/errors';
import { buildReport } from '../../src/report/build-report';
import { runExperiments } from '../../src/runner/run';
import { writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';
import { seedSweep } from '../helpers/two-seed-runs';

test("the first page's baseline section names the differing table and column, and the tables on one side only", async () => {
  const dir = tempDir();
  const runs: string[] = [];
  for (const [out, seeds] of [
    ['a', [1, 2]],
    ['b', [1, 3]],
  ] as const) {
    writeConfig(dir, `${out}.json`, seedSweep([...seeds]));
    const summary = await runExperiments({
      config: `${out}.json`,
      cwd: dir,
      out,
      workers: 1,
      progress: 'none',
      log: () => {},
    });
    expect(summary.exitCode).toBe(0);
    runs.push(path.join(dir, out, 'nightly'));
  }
  const [a, b] = runs;
  const built = buildReport(b, { baseline: a });
  const html = readFileSync(built.file, 'utf8');
  expect(html).toContain('<a href="report.html#baseline">Compared with the baseline run</a>');
  const section = html.slice(
    html.indexOf('<section id="baseline">'),
    html.indexOf('</section>', html.indexOf('<section id="baseline">')),
  );
  expect(section).toContain(
    `Baseline ${a}. 4 published tables: 1 identical, 0 identical but for wall-clock timings, 1 differ, 1 only in the baseline, 1 only in this run.`,
  );
  expect(section).toMatch(
    /<h4>sum\/seed=0\/job=0\/values\.csv<\/h4>.*<td>inputTotal<\/td><td>3 of 3<\/td><td>0\.\d+<\/td><td>[\d.]+%<\/td>/s,
  );
  expect(section).toContain(
    '<summary>Only in the baseline: 1</summary><ul><li>spin/seed=2/job=0/values.csv</li></ul>',
  );
  expect(() => buildReport(b, { baseline: path.join(dir, 'nowhere') })).toThrow(
    new UsageError(`${path.join(dir, 'nowhere')}: no such run folder`),
  );
  // Without --baseline there is no such section.
  expect(readFileSync(buildReport(b).file, 'utf8')).not.toContain('id="baseline"');
});
