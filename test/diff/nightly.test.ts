// The nightly cron script compares tonight's tables with last night's: a watched metric that moved
// more than its tolerance fails the night (exit code 1) and is printed for cron's mail.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';
import { seedSweep } from '../helpers/two-seed-runs';

test('deploy/cron/nightly.sh: the second night, changed, fails on the watched metric and says which', () => {
  const dir = tempDir();
  const env = {
    ...process.env,
    PROBELAB_DIR: ROOT,
    PROBELAB_CONFIG: path.join(dir, 'nightly.json'),
    PROBELAB_OUT: path.join(dir, 'out'),
    PROBELAB_LOGS: path.join(dir, 'logs'),
    PROBELAB_CPUS: '1',
    PROBELAB_FAIL_ON: 'sum:inputTotal>0.001 sum:value>0',
  };
  const night = () =>
    spawnSync('bash', [path.join(ROOT, 'deploy/cron/nightly.sh')], { env, encoding: 'utf8' });
  writeConfig(dir, 'nightly.json', seedSweep([1, 2]));
  expect(night()).toMatchObject({ status: 0, stdout: '', stderr: '' });
  writeConfig(dir, 'nightly.json', seedSweep([1, 3]));
  const second = night();
  const report = readdirSync(env.PROBELAB_LOGS).find((name) => name.startsWith('diff-'))!;
  expect(second.stdout).toMatch(
    new RegExp(
      `^probelab nightly: a watched metric moved since last night \\(all of it in ${env.PROBELAB_LOGS}/diff-\\d{8}\\.txt\\):\n` +
        'watched metrics that moved too far \\(--fail-on\\):\n' +
        ' {2}sum:inputTotal>0\\.001: sum/seed=0/job=0/values\\.csv: moved 0\\.\\d+ \\(more than 0\\.001\\)\n$',
    ),
  );
  expect(second.status).toBe(1);
  expect(readFileSync(path.join(env.PROBELAB_LOGS, report), 'utf8')).toContain(
    'only in A:\n  spin/seed=2/job=0/values.csv',
  );
});
