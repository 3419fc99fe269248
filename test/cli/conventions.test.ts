// The command line's conventions, each through the built CLI: --version, did-you-mean for commands,
// flags, kinds and config fields, flags on either side of the config, examples in every command's
// help, `kinds` and `describe`, and Hydra-style overrides that act exactly like the same edit of
// the file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { commands } from '../../src/commands/index';
import { experimentKinds } from '../../src/jobs/registry';
import { ROOT, runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const selftest = (jobs: number) => ({ name: 'st', experiments: [{ name: 'a', kind: 'selftest', jobs }] });
const publicKinds = experimentKinds.filter((kind) => !kind.internal).map((kind) => kind.kind);

test('--version and -V print the package version', async () => {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const flag of ['--version', '-V'])
    expect(await runCli([flag], tempDir())).toMatchObject({ code: 0, stdout: `${version}\n` });
});

test('a mistyped command or flag: exit 2 and the nearest one', async () => {
  const dir = tempDir();
  writeConfig(dir, 'st.json', selftest(1));
  const [command, flag, statusFlag, far] = await Promise.all([
    runCli(['stauts', 'outputs/all'], dir),
    runCli(['st.json', '--worker', '2'], dir),
    runCli(['status', '--explian', 'x'], dir),
    runCli(['st.json', '--zzzzzzzz'], dir),
  ]);
  const first = (r: { stderr: string }) => r.stderr.split('\n')[0];
  expect([command.code, flag.code, statusFlag.code, far.code]).toEqual([2, 2, 2, 2]);
  expect(first(command)).toBe('unknown command or config "stauts" (did you mean "status"?)');
  expect(first(flag)).toBe('unknown flag --worker (did you mean --workers?)');
  expect(first(statusFlag)).toBe('unknown flag --explian (did you mean --explain?)');
  expect(first(far)).toBe('unknown flag --zzzzzzzz');
});

test('flags before or after the config; --only takes a list with commas', async () => {
  const dir = tempDir();
  writeConfig(dir, 'st.json', {
    experiments: [
      { name: 'a', kind: 'selftest' },
      { name: 'b', kind: 'selftest' },
      { name: 'c', kind: 'selftest' },
    ],
  });
  const before = await runCli(['--only', 'a,b', '--workers', '1', 'st.json', '--dry-run'], dir);
  const after = await runCli(['st.json', '--dry-run', '--workers', '1', '--only', 'a', '--only', 'b'], dir);
  expect(before.code).toBe(0);
  expect(before.stdout).toContain('st: 2 jobs (--only a,b of 3 jobs)');
  expect(after.stdout).toBe(before.stdout);
  const spaced = await runCli(['st.json', '--only', 'a', 'b'], dir);
  expect(spaced.code).toBe(2);
  expect(spaced.stderr).toContain('"b" is not a field=value override');
  expect(spaced.stderr).toContain('write --only a,b');
});

test('numeric flags are typed numbers in the help', async () => {
  const help = await runCli(['--help'], tempDir());
  for (const flag of ['workers', 'retries', 'timeout'])
    expect(help.stdout).toMatch(new RegExp(`--${flag} .*\\n?.*\\[number\\]`));
});

test('the help of every command has 2 to 4 examples', async () => {
  const names = commands
    .map((c) => String([c.command].flat()[0]).split(' ')[0])
    .map((n) => (n === '$0' ? 'run' : n));
  expect(names).toEqual(expect.arrayContaining(['run', 'status', 'report', 'merge', 'kinds', 'describe']));
  const helps = await Promise.all(names.map((name) => runCli([name, '--help'], tempDir())));
  helps.forEach((help, i) => {
    expect({ command: names[i], code: help.code }).toEqual({ command: names[i], code: 0 });
    const examples = help.stdout.split('Examples:\n')[1]?.split('\n\n')[0] ?? '';
    const count = examples.split('\n').filter((line) => line.startsWith('  run-experiments ')).length;
    expect({ command: names[i], count: count >= 2 && count <= 4 }).toEqual({
      command: names[i],
      count: true,
    });
  });
});

test('kinds lists every public kind of the registry, one line each, and docs/ documents each', async () => {
  const listed = await runCli(['kinds'], tempDir());
  expect(listed.code).toBe(0);
  const lines = listed.stdout.trim().split('\n');
  expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(publicKinds);
  expect(listed.stdout).not.toMatch(/^selftest/m);
  for (const line of lines) expect(line.split(/\s{2,}/)[1]?.length).toBeGreaterThan(10);
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => readFileSync(path.join(ROOT, 'docs', file), 'utf8'))
    .join('\n');
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const kind of publicKinds) {
    expect({ kind, inDocs: docs.includes(`\`${kind}\``) }).toEqual({ kind, inDocs: true });
    expect({ kind, inReadme: readme.includes(`| \`${kind}\``) }).toEqual({ kind, inReadme: true });
  }
});

test('describe KIND: fields, types, defaults, descriptions and a shipped example; a typo gets the nearest kind', async () => {
  const dir = tempDir();
  const [occlusion, typo] = await Promise.all([
    runCli(['describe', 'occlusion'], dir),
    runCli(['describe', 'oclusion'], dir),
  ]);
  expect(occlusion.code).toBe(0);
  expect(occlusion.stdout).toMatch(/^occlusion: /);
  expect(occlusion.stdout).toMatch(/\n {2}patch +a positive integer; default 8\n +Side of the square patch/);
  expect(occlusion.stdout).toMatch(/\n {2}model +required; /);
  expect(occlusion.stdout).toContain('Example (from configs/');
  expect(occlusion.stdout).toContain('"kind": "occlusion"');
  expect(typo.code).toBe(2);
  expect(typo.stderr).toBe(
    'describe: unknown kind "oclusion" (did you mean "occlusion"?); run-experiments kinds lists them\n',
  );
});

test('an override run has the job ids and config hash of the same change written in the file', async () => {
  const viaFile = tempDir();
  const viaFlag = tempDir();
  writeConfig(viaFile, 'st.json', { ...selftest(3), defaults: { seeds: [1, 2] } });
  writeConfig(viaFlag, 'st.json', selftest(1));
  const [file, flag] = await Promise.all([
    runCli(['st.json', '--workers', '1', '--progress', 'none'], viaFile),
    runCli(
      ['st.json', 'experiments.a.jobs=3', 'defaults.seeds=[1, 2]', '--workers', '1', '--progress', 'none'],
      viaFlag,
    ),
  ]);
  expect([file.code, flag.code]).toEqual([0, 0]);
  const plan = (dir: string) =>
    JSON.parse(readFileSync(path.join(dir, 'outputs', 'st', 'plan.json'), 'utf8'));
  const ids = (dir: string) => plan(dir).jobs.map((job: { id: string }) => job.id);
  expect(ids(viaFlag)).toHaveLength(6);
  expect(ids(viaFlag)).toEqual(ids(viaFile));
  expect(plan(viaFlag).configHash).toBe(plan(viaFile).configHash);
  expect(plan(viaFlag).overrides).toEqual(['experiments.a.jobs=3', 'defaults.seeds=[1, 2]']);
});

test('overrides are validated like the file: an unknown field gets the nearest one; --print-config shows the result', async () => {
  const dir = tempDir();
  writeConfig(dir, 'st.json', selftest(1));
  const [unknown, badValue, noSuchExperiment, printed] = await Promise.all([
    runCli(['st.json', 'experiments.a.job=3'], dir),
    runCli(['st.json', 'experiments.0.jobs=many'], dir),
    runCli(['st.json', 'experiments.b.jobs=3'], dir),
    runCli(['st.json', 'experiments.a.jobs=4', 'defaults.seeds=[7]', '--print-config'], dir),
  ]);
  expect(unknown).toMatchObject({
    code: 2,
    stderr: 'st.json: experiments[0].job: unknown field (did you mean "jobs"?)\n',
  });
  expect(badValue).toMatchObject({
    code: 2,
    stderr: 'st.json: experiments[0].jobs: expected a positive integer, got "many"\n',
  });
  expect(noSuchExperiment.stderr).toBe(
    'st.json: override "experiments.b.jobs=3": no experiment is named "b" (experiments: "a")\n',
  );
  expect(printed.code).toBe(0);
  expect(JSON.parse(printed.stdout)).toEqual({ ...selftest(4), defaults: { seeds: [7] } });
  expect(readdirSync(dir)).toEqual(['st.json']);
});
