// The run folder keeps the config its last run read (config.json, JSON even for a YAML file), so
// the report shows the config that made the results even after the file changed or is gone.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildReport } from '../../src/report/build-report';
import { runExperiments } from '../../src/runner/run';
import { tempDir } from '../helpers/temp-dir';

test('a run keeps config.json; the report shows it once the YAML file is gone', async () => {
  const dir = tempDir();
  const yaml = [
    'name: kept',
    'experiments:',
    '  - name: tiny # a comment YAML allows',
    '    kind: selftest',
    '    jobs: 2',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'kept.yaml'), yaml);
  const summary = await runExperiments({
    config: 'kept.yaml',
    cwd: dir,
    workers: 1,
    progress: 'none',
    log: () => {},
  });
  expect(summary.exitCode).toBe(0);

  const copy = JSON.parse(readFileSync(path.join(summary.runDir, 'config.json'), 'utf8'));
  expect(copy).toEqual({ name: 'kept', experiments: [{ name: 'tiny', kind: 'selftest', jobs: 2 }] });

  rmSync(path.join(dir, 'kept.yaml'));
  const html = readFileSync(buildReport(summary.runDir).file, 'utf8');
  expect(html).toContain('config.json in the run folder: the config as the last run read it');
  expect(html).toContain('&quot;kind&quot;: &quot;selftest&quot;');

  // A folder with neither (as runs before the copy left them) says so.
  rmSync(path.join(summary.runDir, 'config.json'));
  expect(readFileSync(buildReport(summary.runDir).file, 'utf8')).toContain(
    'The config file is no longer where the plan says it was.',
  );
});
