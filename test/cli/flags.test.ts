// Numeric flags: a value that is not a number is named as given, with exit code 2.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

test.each([
  [['--workers', 'abc'], '--workers: expected a positive integer, got "abc"'],
  [['--workers', '0'], '--workers: expected a positive integer, got "0"'],
  [['--workers', '1.5'], '--workers: expected a positive integer, got "1.5"'],
  [['--retries', 'abc'], '--retries: expected a non-negative integer, got "abc"'],
  [['--retries', '-1'], '--retries: expected a non-negative integer, got "-1"'],
  [['--timeout', 'abc'], '--timeout: expected a positive number of seconds, got "abc"'],
  [['--timeout', '0'], '--timeout: expected a positive number of seconds, got "0"'],
])('%j', async (flags, message) => {
  const dir = tempDir();
  writeConfig(dir, 'ok.json', { experiments: [{ name: 'ok', kind: 'selftest' }] });
  const run = await runCli(['ok.json', ...flags], dir);
  expect(run.code).toBe(2);
  expect(run.stderr.split('\n')[0]).toBe(message);
  expect(existsSync(path.join(dir, 'outputs'))).toBe(false);
});
