// A reader that stops reading (`run-experiments kinds | head -1`): a command that only prints ends
// quietly with exit code 0, as git and npm do, instead of "unexpected error: write EPIPE"; a run
// goes on without its log and ends with its own exit code, its results written.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

/** Runs the CLI with its stdout a pipe whose reading end is closed before the program starts. */
function withClosedStdout(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.destroy();
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

test('kinds, describe and status end quietly with 0 when stdout is closed; a run finishes its work', async () => {
  const dir = tempDir();
  writeConfig(dir, 'ok.json', { name: 'ok', experiments: [{ name: 'ok', kind: 'selftest', jobs: 3 }] });
  expect((await runCli(['ok.json', '--workers', '1', '--progress', 'none'], dir)).code).toBe(0);
  writeConfig(dir, 'again.json', { name: 'again', experiments: [{ name: 'ok', kind: 'selftest', jobs: 3 }] });

  const [kinds, describe, status, run] = await Promise.all([
    withClosedStdout(['kinds'], dir),
    withClosedStdout(['describe', 'occlusion'], dir),
    withClosedStdout(['status', 'outputs/ok'], dir),
    withClosedStdout(['again.json', '--workers', '1', '--progress', 'lines'], dir),
  ]);
  for (const printed of [kinds, describe, status]) expect(printed).toEqual({ code: 0, stderr: '' });
  expect(run).toEqual({ code: 0, stderr: '' });
  const summary = JSON.parse(readFileSync(path.join(dir, 'outputs', 'again', 'summary.json'), 'utf8'));
  expect(summary).toMatchObject({ exitCode: 0, counts: { done: 3 } });
});
