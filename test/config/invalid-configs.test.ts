// Invalid configs: each gives its precise message (file, field path, what was expected), exit
// code 2, no stack trace, and leaves the folder untouched (an existing run folder included).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../src/config-errors';
import { runExperiments } from '../../src/runner/run';
import { runCli, snapshot } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const st = (extra: object = {}) => ({ name: 'a', kind: 'selftest', ...extra });

interface Case {
  title: string;
  file?: string;
  config: unknown;
  /** The exact line on stderr; a trailing '…' makes it a prefix. */
  expected: string;
}

const cases: Case[] = [
  {
    title: 'unknown kind',
    config: { experiments: [{ name: 'a', kind: 'trian' }] },
    expected:
      'case.json: experiments[0].kind: unknown kind "trian" (did you mean "train"?); run-experiments kinds lists them',
  },
  {
    title: 'unknown kind, nothing near it: every public kind, not the internal selftest',
    config: { experiments: [{ name: 'a', kind: 'zzzzzzzz' }] },
    expected: 'case.json: experiments[0].kind: unknown kind "zzzzzzzz" (known kinds: "attribution", …',
  },
  {
    title: 'a mistyped field: the nearest one',
    config: { experiments: [st({ job: 3 })] },
    expected: 'case.json: experiments[0].job: unknown field (did you mean "jobs"?)',
  },
  {
    title: 'wrong type',
    config: { experiments: [st({ jobs: '3' })] },
    expected: 'case.json: experiments[0].jobs: expected a positive integer, got "3"',
  },
  {
    title: 'negative size',
    config: { experiments: [st({ jobs: -2 })] },
    expected: 'case.json: experiments[0].jobs: expected a positive integer, got -2',
  },
  {
    title: 'unknown experiment reference',
    config: { experiments: [st(), { name: 'b', kind: 'selftest', from: 'nope' }] },
    expected: 'case.json: experiments[1].from: no experiment is named "nope" (experiments: "a", "b")',
  },
  {
    title: 'cyclic references',
    config: { experiments: [st({ from: 'b' }), { name: 'b', kind: 'selftest', from: 'a' }] },
    expected: 'case.json: experiments[1].from: cyclic reference: a → b → a',
  },
  {
    title: 'self reference',
    config: { experiments: [st({ from: 'a' })] },
    expected: 'case.json: experiments[0].from: cyclic reference: a → a',
  },
  {
    title: 'empty sweep list',
    config: { experiments: [st({ sweep: { ms: [] } })] },
    expected: 'case.json: experiments[0].sweep.ms: expected a non-empty list, got []',
  },
  {
    title: 'empty sweep',
    config: { experiments: [st({ sweep: {} })] },
    expected: 'case.json: experiments[0].sweep: expected at least one field with a list of values',
  },
  {
    title: 'bad value in a sweep',
    config: { experiments: [st(), st({ name: 'b', sweep: { ms: [10, 'fast'] } })] },
    expected: 'case.json: experiments[1].sweep.ms[1]: expected a non-negative number, got "fast"',
  },
  {
    title: 'sweep of an unknown field',
    config: { experiments: [st({ sweep: { speed: [1] } })] },
    expected: 'case.json: experiments[0].sweep.speed: "speed" is not a field of kind "selftest"',
  },
  {
    title: 'unknown field',
    config: { experiments: [st({ colour: 'red' })] },
    expected:
      'case.json: experiments[0].colour: unknown field (expected one of: jobs, seeds, action, ms, rows, from)',
  },
  {
    title: 'duplicate names',
    config: { experiments: [st(), st()] },
    expected: 'case.json: experiments[1].name: "a" is already the name of experiments[0]',
  },
  {
    title: 'no experiments',
    config: { experiments: [] },
    expected: 'case.json: experiments: expected a non-empty list, got []',
  },
  {
    title: 'empty seeds',
    config: { defaults: { seeds: [] }, experiments: [st()] },
    expected: 'case.json: defaults.seeds: expected a non-empty list, got []',
  },
  {
    title: 'idx data without a folder',
    config: { defaults: { data: { source: 'idx' } }, experiments: [st()] },
    expected: 'case.json: defaults.data.dir: expected a folder of IDX files when source is "idx"',
  },
  {
    title: 'unknown backend',
    config: { defaults: { backend: 'gpu' }, experiments: [st()] },
    expected: 'case.json: defaults.backend: expected one of "wasm", "cpu", "node", got "gpu"',
  },
  {
    title: 'zero-size subset',
    config: { defaults: { data: { train: { first: 0 } } }, experiments: [st()] },
    expected: 'case.json: defaults.data.train.first: expected a positive integer, got 0',
  },
  {
    title: 'negative learning rate',
    config: { defaults: { training: { learningRate: -1 } }, experiments: [st()] },
    expected: 'case.json: defaults.training.learningRate: expected a positive number, got -1',
  },
  {
    title: 'name that is not a folder name',
    config: { experiments: [st({ name: 'a/b' })] },
    expected:
      'case.json: experiments[0].name: expected a name of letters, digits, ".", "_" and "-" (it names a folder), got "a/b"',
  },
  {
    title: 'unknown top-level field',
    config: { colour: 1, experiments: [st()] },
    expected: 'case.json: colour: unknown field (expected one of: $schema, name, defaults, experiments)',
  },
  {
    title: 'bad JSON',
    config: '{\n  "experiments": [\n    { "name": "a", }\n  ]\n}',
    expected: 'case.json: invalid JSON at line 3, column 20: Expected double-quoted property name',
  },
  {
    title: 'bad YAML',
    file: 'case.yaml',
    config: 'experiments:\n  - name: a\n    kind: selftest\n   jobs: 3\n',
    expected: 'case.yaml: invalid YAML at line 4, column 1: Sequence item without - indicator',
  },
  {
    title: 'YAML, same schema',
    file: 'case.yml',
    config: 'experiments:\n  - name: a\n    kind: selftest\n    jobs: 0\n',
    expected: 'case.yml: experiments[0].jobs: expected a positive integer, got 0',
  },
  {
    title: 'missing file',
    file: 'absent.json',
    config: undefined,
    expected: 'absent.json: cannot read the config (no such file)',
  },
];

/** A folder with the case's config and an existing run folder for a config named "case". */
function prepare(c: Case): { dir: string; file: string } {
  const dir = tempDir('probelab-invalid-');
  const runDir = path.join(dir, 'outputs', 'case');
  mkdirSync(path.join(runDir, 'jobs'), { recursive: true });
  writeFileSync(path.join(runDir, 'plan.json'), '{"sentinel":true}\n');
  writeFileSync(path.join(runDir, 'journal.jsonl'), '');
  const file = c.file ?? 'case.json';
  if (c.config !== undefined)
    writeFileSync(path.join(dir, file), typeof c.config === 'string' ? c.config : JSON.stringify(c.config));
  return { dir, file };
}

function expectMessage(text: string, expected: string): void {
  const lines = text.trim().split('\n');
  if (expected.endsWith('…')) expect(lines.some((line) => line.startsWith(expected.slice(0, -1)))).toBe(true);
  else expect(lines).toContain(expected);
}

describe('invalid configs', () => {
  test('there are at least 15 kinds of them', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  test.each(cases.map((c) => [c.title, c] as const))(
    '%s: precise ConfigError, nothing written',
    async (_title, c) => {
      const { dir, file } = prepare(c);
      const before = snapshot(dir);
      const error = await runExperiments({ config: file, cwd: dir, progress: 'none', log: () => {} }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expectMessage((error as ConfigError).message, c.expected);
      expect(snapshot(dir)).toEqual(before);
    },
  );

  // The command line maps every ConfigError to exit code 2 and prints it without a stack trace.
  const throughCli = [
    'unknown experiment reference',
    'bad value in a sweep',
    'bad YAML',
    'missing file',
    'unknown kind',
  ];
  test.each(throughCli)(
    'through the CLI: %s → exit code 2, message on stderr, folder untouched',
    async (title) => {
      const c = cases.find((x) => x.title === title)!;
      const { dir, file } = prepare(c);
      const before = snapshot(dir);
      const result = await runCli([file], dir);
      expectMessage(result.stderr, c.expected);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(snapshot(dir)).toEqual(before);
    },
  );

  test('a bad command-line option is a usage error too', async () => {
    const dir = tempDir('probelab-invalid-');
    writeFileSync(path.join(dir, 'case.json'), JSON.stringify({ experiments: [st()] }));
    const result = await runCli(['case.json', '--workers', '0'], dir);
    expect(result.stderr).toContain('--workers: expected a positive integer, got "0"');
    expect(result.code).toBe(2);
    expect(snapshot(dir).size).toBe(1);
  });
});
