// Reading config files: a duplicate JSON key is an error naming the key and its line, where
// JSON.parse would keep the last value without a word.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { ConfigError } from '../../src/config-errors';
import { parseConfigText } from '../../src/config/parse-file';
import { runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

test('duplicate keys, at the top and nested, each named with its line and where it is', () => {
  const text = [
    '{',
    '  "name": "a",',
    '  "experiments": [',
    '    { "name": "t", "kind": "selftest", "jobs": 2, "jobs": 3 }',
    '  ],',
    '  "name": "b"',
    '}',
  ].join('\n');
  let error: unknown;
  try {
    parseConfigText(text, 'x.json');
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toBe(
    [
      'x.json: duplicate key "name" at line 6 (first at line 2): remove one of them',
      'x.json: experiments[0]: duplicate key "jobs" at line 4 (first at line 4): remove one of them',
    ].join('\n'),
  );
});

test('equal keys in different objects are fine, and the value is what JSON.parse gives', () => {
  const text = '{ "a": { "x": 1 }, "b": { "x": 2 }, "c": [{ "x": 3 }, { "x": 4 }] }';
  expect(parseConfigText(text, 'x.json')).toEqual(JSON.parse(text));
});

test('through the command line: exit 2, nothing written', async () => {
  const dir = tempDir();
  writeConfig(
    dir,
    'dup.json',
    '{\n  "experiments": [],\n  "experiments": [{ "name": "a", "kind": "selftest" }]\n}\n',
  );
  const run = await runCli(['dup.json'], dir);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(
    'dup.json: duplicate key "experiments" at line 3 (first at line 2): remove one of them\n',
  );
  expect(existsSync(path.join(dir, 'outputs'))).toBe(false);
});
