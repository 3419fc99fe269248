// The odd inputs of the fault probes, each through the compiled CLI: an exit code, one line that
// names the file or field at fault, and never a stack frame. Configs too large (bytes, YAML
// aliases, sweeps), paths that are folders or FIFOs, a lock that is a folder, a garbage plan.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type CliResult, runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';
import { IDX, writeSmallMnist } from '../helpers/idx-folder';

/** One line on stderr, nothing on stdout, no stack frame, the exit code given. */
function expectOneLine(result: CliResult, code: number, message: string | RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(message);
}

const selftest = { name: 'ok', experiments: [{ name: 'ok', kind: 'selftest' }] };

test('a config over 1 MiB is refused before it is parsed', async () => {
  const dir = tempDir();
  const file = writeConfig(dir, 'big.json', { ...selftest, padding: 'x'.repeat(2 * 1024 * 1024) });
  const bytes = statSync(file).size.toLocaleString('en');
  const started = Date.now();
  const result = await runCli(['big.json'], dir);
  expectOneLine(
    result,
    2,
    `big.json: cannot read the config (it is ${bytes} bytes, over the limit of 1,048,576)\n`,
  );
  expect(Date.now() - started).toBeLessThan(5000);
});

test('a YAML alias bomb: "config too large after expanding aliases", exit 2', async () => {
  const dir = tempDir();
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) {
    const before = String.fromCharCode('a'.charCodeAt(0) + i);
    levels.push(`${name}: &${name} [${Array(10).fill(`*${before}`).join(',')}]`);
  }
  writeFileSync(path.join(dir, 'bomb.yaml'), `${levels.join('\n')}\n`);
  expectOneLine(await runCli(['bomb.yaml'], dir), 2, /^bomb\.yaml: config too large after expanding aliases/);
});

test('a sweep of more than 10,000 points: exit 2 naming the sweep', async () => {
  const dir = tempDir();
  const values = Array.from({ length: 101 }, (_, i) => i + 1);
  writeConfig(dir, 'sweep.json', {
    name: 'sweep',
    experiments: [{ name: 'wide', kind: 'selftest', sweep: { jobs: values, rows: values } }],
  });
  expectOneLine(
    await runCli(['sweep.json', '--dry-run'], dir),
    2,
    'sweep.json: experiments[0].sweep: expands into 10,201 points, over the limit of 10,000',
  );
});

test('a config path that is a folder or a FIFO: exit 2, nothing read', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'folder.json'));
  spawnSync('mkfifo', [path.join(dir, 'fifo.json')]);
  expectOneLine(
    await runCli(['folder.json'], dir),
    2,
    'folder.json: cannot read the config (it is a folder, not a regular file)',
  );
  expectOneLine(
    await runCli(['fifo.json'], dir),
    2,
    'fifo.json: cannot read the config (it is a FIFO (named pipe), not a regular file)',
  );
});

describe('a data file that is not a regular file', () => {
  const config = (data: string) => ({
    name: 'idx',
    defaults: { data: { source: 'idx', dir: data }, training: { epochs: 1 } },
    experiments: [{ name: 'train', kind: 'train' }],
  });

  test.each([
    ['a folder', 'it is a folder', (file: string) => mkdirSync(file)],
    ['a FIFO', 'it is a FIFO (named pipe)', (file: string) => spawnSync('mkfifo', [file])],
  ])('%s: exit 2 naming it, without a blocking read', async (_name, what, replace) => {
    const dir = tempDir();
    const data = writeSmallMnist(path.join(dir, 'data'), 20, 10);
    const labels = path.join(data, IDX.testLabels);
    renameSync(labels, `${labels}.orig`);
    replace(labels);
    writeConfig(dir, 'idx.json', config(data));
    expectOneLine(
      await runCli(['idx.json', '--dry-run'], dir),
      2,
      `idx.json: defaults.data: ${labels}: cannot be read as data: ${what}, not a regular file\n`,
    );
  });
});

test('a lock that is a folder: exit 3, saying what to do', async () => {
  const dir = tempDir();
  writeConfig(dir, 'ok.json', selftest);
  const lock = path.join(dir, 'outputs', 'ok', 'lock');
  mkdirSync(lock, { recursive: true });
  expectOneLine(
    await runCli(['ok.json', '--progress', 'none'], dir),
    3,
    `${lock} is not a file (a folder, or something else no run writes), so no run can lock this folder; remove it (rm -r "${lock}") and run again\n`,
  );
  expect(existsSync(path.join(dir, 'outputs', 'ok', 'plan.json'))).toBe(false);
});

test('status and report on a garbage or foreign plan.json: exit 2, naming the file', async () => {
  const dir = tempDir();
  const runDir = path.join(dir, 'outputs', 'garbage');
  mkdirSync(runDir, { recursive: true });
  const plan = path.join(runDir, 'plan.json');
  writeFileSync(plan, '{"name": "garbage", "jobs": [');
  const invalid = `${plan}: is not valid JSON; it is rewritten by the next run of the config\n`;
  expectOneLine(await runCli(['status', runDir], dir), 2, invalid);
  expectOneLine(await runCli(['report', runDir], dir), 2, invalid);
  expectOneLine(await runCli(['merge', runDir, '--out', path.join(dir, 'merged')], dir), 2, invalid);
  writeFileSync(plan, '{"jobs": 3}');
  expectOneLine(
    await runCli(['status', runDir], dir),
    2,
    `${plan}: is not a file this program wrote; it is rewritten by the next run of the config\n`,
  );
});
