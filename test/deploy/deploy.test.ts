// The deployment scripts, checked offline: YAML parses; the Kubernetes objects that run.sh builds
// (deploy/kubernetes/manifests.js) and applies through a stand-in kubectl validate against the
// official schemas (kubernetes-models), one Indexed Job per stage, and their container scripts,
// run in bash with a stand-in node, turn the completion index into --stage s/S --shard k/N; the
// Slurm scripts submit one array per stage, each after the one before, take the count from the
// job, pass sbatch options through, and print rerun lines with absolute paths and dependencies;
// every script answers --help and documents its settings, and none hard-codes a config.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const DEPLOY = path.join(ROOT, 'deploy');
const files = readdirSync(DEPLOY, { recursive: true, encoding: 'utf8' }).map((f) => path.join(DEPLOY, f));
const read = (rel: string) => readFileSync(path.join(DEPLOY, rel), 'utf8');

function yamlDocs(text: string, what: string): any[] {
  const docs = parseAllDocuments(text);
  for (const doc of docs) expect(doc.errors.map((e) => `${what}: ${e.message}`)).toEqual([]);
  return docs.map((doc) => doc.toJS()).filter(Boolean);
}

/**
 * A stand-in node: `-e` scripts run in the real node; `--dry-run --log-file f` writes a plan event
 * with a layout of 2, 3 and 1 tasks to f; `--dry-run` prints the runner's first line, with the
 * run folder; anything else exits with NODE_EXIT.
 */
const STAND_IN_NODE = (dir: string) => `case "$1" in -e) exec "${process.execPath}" "$@";; esac
case "$*" in
*--dry-run*--log-file*) for a; do [ "\${prev:-}" = --log-file ] && file=$a; prev=$a; done
  echo '{"event":"plan","stages":[{"tasks":2},{"tasks":3},{"tasks":1}]}' > "$file";;
*--dry-run*) echo "smoke: 20 jobs: 0 already done → \${DRY_OUT:-${dir}/out}/smoke\${SHARD_SUFFIX:-}";;
*) exit \${NODE_EXIT:-0};;
esac`;

/**
 * A folder of stand-in commands on PATH: each records its arguments (one line per call) in
 * calls.txt; `node … --dry-run` prints the first line the runner prints, with `runDir`.
 */
function standIns(
  dir: string,
  scripts: Record<string, string>,
): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const callsFile = path.join(dir, 'calls.txt');
  const all = {
    node: STAND_IN_NODE(dir),
    ...scripts,
  };
  for (const [name, body] of Object.entries(all)) {
    writeFileSync(
      path.join(bin, name),
      `#!/usr/bin/env bash\necho "${name} $*" >> "${callsFile}"\n${body}\n`,
    );
    chmodSync(path.join(bin, name), 0o755);
  }
  return {
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir },
    calls: () => (existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n') : []),
  };
}

const bash = (args: string[], env: NodeJS.ProcessEnv, input?: string) =>
  spawnSync('bash', args, { cwd: ROOT, env, encoding: 'utf8', input });

test('every YAML file parses, every shell script passes bash -n, and no script hard-codes a config', () => {
  const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f));
  expect(yamlFiles.length).toBeGreaterThanOrEqual(1);
  for (const file of yamlFiles) expect(yamlDocs(readFileSync(file, 'utf8'), file).length).toBeGreaterThan(0);
  const scripts = files.filter((f) => /\.(sh|sbatch)$/.test(f));
  expect(scripts.length).toBeGreaterThanOrEqual(7);
  for (const script of scripts) {
    const check = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect({ script, status: check.status, stderr: check.stderr }).toEqual({ script, status: 0, stderr: '' });
  }
  for (const file of files.filter((f) => !f.endsWith('/') && /\.\w+$|crontab$/.test(f)))
    expect({ file, allJson: readFileSync(file, 'utf8').includes('configs/all.json') }).toEqual({
      file,
      allJson: false,
    });
});

test('each deployment documents its settings, and every script answers --help without doing anything', () => {
  const documented = {
    'slurm/submit.sh': [
      'CONFIG',
      'MODE',
      'TASKS',
      'SHARDS',
      'CPUS',
      'MEM',
      'TIME',
      'STOP_SECONDS',
      'THROTTLE',
    ],
    'kubernetes/run.sh': [
      'CONFIG',
      'TASKS',
      'CPUS',
      'MEM',
      'OUT',
      'DIR',
      'IMAGE',
      'STORAGE_CLASS',
      'RETRIES',
    ],
    'github-actions/nightly.yml': ['CONFIG', 'SHARDS', 'CPUS', 'RUNNER', 'OUT'],
    'cron/nightly.sh': ['CONFIG', 'SHARDS', 'CPUS', 'OUT', 'DIR', 'LOGS'],
    'run-shard.sh': ['CONFIG', 'STAGE', 'CPUS', 'OUT', 'DIR', 'LOGS', 'ATTEMPT'],
  };
  const more = { 'slurm/submit.sh': ['SBATCH_ARGS', 'SETUP', 'OUT', 'DIR', 'LOGS', 'ARGS'] };
  for (const [file, names] of Object.entries(documented)) {
    const text = read(file);
    // A comment line per setting: "#   PROBELAB_NAME  what it is  default".
    for (const name of [...names, ...((more as Record<string, string[]>)[file] ?? [])])
      expect({ file, name, documented: new RegExp(`^#\\s+PROBELAB_${name}\\b`, 'm').test(text) }).toEqual({
        file,
        name,
        documented: true,
      });
  }
  const service = read('systemd/probelab-nightly.service');
  for (const line of [
    'Environment=PROBELAB_CONFIG=',
    'Environment=PROBELAB_CPUS=',
    'Environment=PROBELAB_OUT=',
    'Environment=PROBELAB_DIR=',
    'MemoryMax=',
  ])
    expect(service).toContain(line);

  const dir = tempDir();
  const { env, calls } = standIns(dir, { sbatch: 'echo 5', kubectl: 'exit 0' });
  const scripts = [
    'slurm/submit.sh',
    'slurm/shards.sbatch',
    'slurm/merge.sbatch',
    'kubernetes/run.sh',
    'run-shard.sh',
    'merge-shards.sh',
    'stage-layout.sh',
  ];
  for (const script of scripts) {
    const help = bash([path.join(DEPLOY, script), '--help'], env);
    expect({ script, status: help.status, stderr: help.stderr, says: help.stdout.length > 200 }).toEqual({
      script,
      status: 0,
      stderr: '',
      says: true,
    });
  }
  expect(calls()).toEqual([]); // nothing planned, submitted or applied
  const stray = bash([path.join(DEPLOY, 'slurm', 'submit.sh'), 'configs/train.json'], env);
  expect({ status: stray.status, stderr: stray.stderr }).toEqual({
    status: 2,
    stderr:
      'submit.sh: it takes no arguments (its settings are environment variables), got "configs/train.json"; see submit.sh --help\n',
  });
});

/**
 * Validates Kubernetes objects against the official schemas in kubernetes-models (an ES module:
 * it runs in a child node). One line per object: "<kind> <name>: valid" or its errors.
 */
function validateOfficially(objects: object[]): string[] {
  const file = path.join(tempDir(), 'objects.json');
  writeFileSync(file, JSON.stringify(objects));
  const check = spawnSync(
    process.execPath,
    [
      '-e',
      `(async () => {
        const { Job } = await import('kubernetes-models/batch/v1/Job');
        const { PersistentVolumeClaim } = await import('kubernetes-models/v1/PersistentVolumeClaim');
        const models = { Job, PersistentVolumeClaim };
        for (const object of JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'))) {
          let verdict = 'valid';
          try { new models[object.kind](object).validate(); } catch (error) { verdict = error.message; }
          console.log(object.kind + ' ' + object.metadata.name + ': ' + verdict);
        }
      })();`,
      file,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(check.stderr).toBe('');
  return check.stdout.trim().split('\n');
}

/** A stand-in kubectl: apply appends the manifest to `applied`; get says Complete (or Bound); logs print a layout. */
function standInKubectl(dir: string, claimPhase = 'Bound') {
  const applied = path.join(dir, 'applied.yaml');
  const bin = path.join(dir, 'kbin');
  mkdirSync(bin, { recursive: true });
  const calls = path.join(dir, 'kubectl-calls.txt');
  writeFileSync(
    path.join(bin, 'kubectl'),
    `#!/usr/bin/env bash
echo "kubectl $*" >> "${calls}"
case "$1 $2" in
  "apply -f") cat >> "${applied}"; echo --- >> "${applied}";;
  "get pvc") echo ${claimPhase};;
  "get job") [ "${claimPhase}" = Bound ] && echo Complete;;
  "logs job/probelab-plan") echo "tasks of every stage:"; echo "2 3 1";;
  "logs job/probelab-merge") echo merged;;
esac
`,
  );
  chmodSync(path.join(bin, 'kubectl'), 0o755);
  return {
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: dir },
    applied: () => yamlDocs(readFileSync(applied, 'utf8'), applied),
    calls: () => readFileSync(calls, 'utf8').trim().split('\n'),
  };
}

test('Kubernetes: run.sh applies the claim, a plan Job, one Indexed Job per stage in order, then the merge; all valid by the official schemas', () => {
  const dir = tempDir();
  const kube = standInKubectl(dir);
  const settings = {
    PROBELAB_CONFIG: 'configs/train.json',
    PROBELAB_TASKS: '4',
    PROBELAB_CPUS: '3',
    PROBELAB_MEM: '6Gi',
    PROBELAB_OUT: '/data/sweeps',
    PROBELAB_DIR: '/srv/app',
    PROBELAB_IMAGE: 'registry.example.org/lab/probelab:1',
    PROBELAB_STORAGE_CLASS: 'nfs-client',
    PROBELAB_ARGS: "--rerun-failed 'x: y'",
    PROBELAB_POLL_SECONDS: '0',
  };
  const run = bash([path.join(DEPLOY, 'kubernetes', 'run.sh')], { ...kube.env, ...settings });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  // Each Job is applied only after the one before has ended.
  expect(kube.calls().filter((c) => /^kubectl (apply|get job|delete)/.test(c))).toEqual([
    'kubectl delete job -l app.kubernetes.io/part-of=probelab --ignore-not-found',
    'kubectl apply -f -',
    'kubectl apply -f -',
    'kubectl get job probelab-plan -o jsonpath={.status.conditions[?(@.status=="True")].type}',
    ...[1, 2, 3].flatMap((s) => [
      'kubectl apply -f -',
      `kubectl get job probelab-stage-${s} -o jsonpath={.status.conditions[?(@.status=="True")].type}`,
    ]),
    'kubectl apply -f -',
    'kubectl get job probelab-merge -o jsonpath={.status.conditions[?(@.status=="True")].type}',
  ]);

  const [claim, plan, ...jobs] = kube.applied();
  const merge = jobs.pop();
  const stages = jobs;
  // The official schemas (kubernetes-models), which catch a field of the wrong type or value.
  const verdicts = validateOfficially([claim, plan, ...stages, merge]);
  process.stdout.write(`kubernetes-models validation:\n${verdicts.join('\n')}\n`);
  expect(verdicts).toEqual([
    'PersistentVolumeClaim probelab-outputs: valid',
    'Job probelab-plan: valid',
    'Job probelab-stage-1: valid',
    'Job probelab-stage-2: valid',
    'Job probelab-stage-3: valid',
    'Job probelab-merge: valid',
  ]);
  const broken = { ...stages[0], spec: { ...stages[0].spec, podReplacementPolicy: 'Sometimes' } };
  expect(validateOfficially([broken])[0]).toMatch(
    /^Job probelab-stage-1: .*podReplacementPolicy must be equal to one of the allowed values/,
  );
  expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs-client' });
  expect(stages.map((job) => [job.metadata.name, job.spec.completions, job.spec.parallelism])).toEqual([
    ['probelab-stage-1', 2, 2],
    ['probelab-stage-2', 3, 3],
    ['probelab-stage-3', 1, 1],
  ]);
  expect(stages[1].spec).toMatchObject({
    completionMode: 'Indexed',
    backoffLimitPerIndex: 2,
    podReplacementPolicy: 'Failed',
    podFailurePolicy: {
      rules: [
        { action: 'FailJob', onExitCodes: { containerName: 'task', operator: 'In', values: [2] } },
        { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
      ],
    },
  });
  const container = stages[1].spec.template.spec.containers[0];
  expect(container).toMatchObject({
    image: 'registry.example.org/lab/probelab:1',
    workingDir: '/srv/app',
    resources: { requests: { cpu: '3', memory: '6Gi' } },
  });
  for (const job of [plan, ...stages, merge]) {
    const mount = job.spec.template.spec.containers[0].volumeMounts[0];
    expect(settings.PROBELAB_OUT.startsWith(`${mount.mountPath}/`)).toBe(true);
    expect(job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(claim.metadata.name);
  }
  // Values reach the pod as they were set (the YAML library escapes them).
  const podEnv = Object.fromEntries(
    container.env.map((e: { name: string; value?: string }) => [
      e.name,
      e.value ?? 'probelab-stage-2-1-abcde',
    ]),
  );
  expect(podEnv).toMatchObject({
    PROBELAB_STAGE: '2/3',
    PROBELAB_TASKS: '4',
    PROBELAB_ARGS: settings.PROBELAB_ARGS,
  });

  // The stage's container script, run as pod 1 would run it (in this checkout), with a stand-in node.
  const { env, calls } = standIns(dir, {});
  const out = path.join(dir, 'out');
  for (const nodeExit of ['0', '1', '2', '130']) {
    const pod = bash(['-c', container.args[0]], {
      ...env,
      ...podEnv,
      PROBELAB_ARGS: '',
      PROBELAB_OUT: out,
      PROBELAB_DIR: ROOT,
      JOB_COMPLETION_INDEX: '1',
      SHARD_SUFFIX: '-stage-2-of-3-shard-2-of-4',
      NODE_EXIT: nodeExit,
    });
    // 1 (some jobs failed, the rest done) counts as a finished task; 2 fails the Job, others retry the index.
    expect({ nodeExit, status: pod.status }).toEqual({
      nodeExit,
      status: nodeExit === '1' ? 0 : Number(nodeExit),
    });
  }
  expect(
    calls()
      .filter((c) => c.startsWith('node dist') && !c.includes('--dry-run'))
      .at(-1),
  ).toBe(
    `node dist/src/cli.js configs/train.json --stage 2/3 --shard 2/4 --out ${out} --workers 3 --log json --log-file ${out}/logs/stage-2-of-3-shard-2-of-4.probelab-stage-2-1-abcde.jsonl`,
  );
  // The merge container merges every stage folder present into the config's run folder.
  for (const folder of ['smoke-stage-1-of-3-shard-1-of-4', 'smoke-stage-2-of-3-shard-3-of-4'])
    mkdirSync(path.join(out, folder), { recursive: true });
  const mergeEnv = Object.fromEntries(
    merge.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  const merged = bash(['-c', merge.spec.template.spec.containers[0].args[0]], {
    ...env,
    ...mergeEnv,
    PROBELAB_OUT: out,
    PROBELAB_DIR: ROOT,
  });
  expect(merged.status).toBe(0);
  expect(calls().at(-1)).toBe(
    `node dist/src/cli.js merge ${out}/smoke-stage-1-of-3-shard-1-of-4 ${out}/smoke-stage-2-of-3-shard-3-of-4 --out ${out}`,
  );
});

test('Kubernetes: a claim that stays Pending stops run.sh with what to do; a bad setting stops it before anything is applied', () => {
  const dir = tempDir();
  const kube = standInKubectl(dir, 'Pending');
  const run = bash([path.join(DEPLOY, 'kubernetes', 'run.sh')], {
    ...kube.env,
    PROBELAB_CLAIM_SECONDS: '0',
    PROBELAB_POLL_SECONDS: '0',
  });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain(
    'the volume claim probelab-outputs is still Pending after 0 s, so no pod of probelab-plan can start:',
  );
  expect(run.stderr).toContain('set PROBELAB_STORAGE_CLASS to one that does');
  const bad = standInKubectl(tempDir());
  const refused = bash([path.join(DEPLOY, 'kubernetes', 'run.sh')], {
    ...bad.env,
    PROBELAB_OUT: '/elsewhere',
  });
  expect({ status: refused.status, stderr: refused.stderr }).toEqual({
    status: 2,
    stderr:
      'manifests.js: PROBELAB_OUT: expected a folder under /data/ (the shared volume\'s mount), got "/elsewhere"\n',
  });
});

test('Slurm: submit.sh submits one array per stage, each after the one before, then the merge; sbatch options pass through', () => {
  const dir = tempDir();
  const { env, calls } = standIns(dir, {
    sbatch: `id=$(( $(cat "${dir}/id" 2>/dev/null || echo 76) + 1 )); echo $id > "${dir}/id"; echo "stage=\${PROBELAB_STAGE:-}" >> "${dir}/stages.txt"; echo "$id;cluster"`,
  });
  const submit = bash([path.join(DEPLOY, 'slurm', 'submit.sh')], {
    ...env,
    PROBELAB_CONFIG: 'configs/train.json',
    PROBELAB_TASKS: '3',
    PROBELAB_CPUS: '1',
    PROBELAB_MEM: '3G',
    PROBELAB_THROTTLE: '2',
    PROBELAB_STOP_SECONDS: '120',
    PROBELAB_SBATCH_ARGS: '--constraint=avx2 --mail-type=END',
    // No PROBELAB_OUT: the run folder the runner names (the config's defaults.outputDir) sets it.
    DRY_OUT: path.join(dir, 'from-config'),
  });
  expect(submit.stderr).toBe('');
  expect(submit.status).toBe(0);
  const out = path.join(dir, 'from-config');
  const task = `--export=ALL --chdir=${ROOT} --cpus-per-task=1 --mem=3G --time=08:00:00 --signal=B:TERM@120 --output=${out}/logs/slurm-task-%A_%a.out --constraint=avx2 --mail-type=END`;
  const script = (name: string) => path.join(ROOT, 'deploy', 'slurm', name);
  expect(calls().filter((c) => c.startsWith('sbatch'))).toEqual([
    `sbatch --parsable ${task} --job-name=probelab-stage-1 --array=1-2%2 ${script('shards.sbatch')}`,
    `sbatch --parsable ${task} --job-name=probelab-stage-2 --array=1-3%2 --dependency=afterany:77 ${script('shards.sbatch')}`,
    `sbatch --parsable ${task} --job-name=probelab-stage-3 --array=1-1%2 --dependency=afterany:78 ${script('shards.sbatch')}`,
    `sbatch --parsable --export=ALL --chdir=${ROOT} --dependency=afterany:79 --output=${out}/logs/slurm-merge-%j.out --constraint=avx2 --mail-type=END ${script('merge.sbatch')}`,
  ]);
  expect(readFileSync(path.join(dir, 'stages.txt'), 'utf8')).toBe(
    'stage=1/3\nstage=2/3\nstage=3/3\nstage=\n',
  );
  // The config was planned without --out: its own outputDir holds.
  expect(calls().find((c) => c.startsWith('node dist'))).toBe(
    'node dist/src/cli.js configs/train.json --stages 3 --dry-run',
  );
  expect(submit.stdout).toContain('stage 2/3: job array 78 (tasks 1-3), after the stage before has ended');
  expect(submit.stdout).toContain(`merge: job 80, after every task has ended; logs in ${out}/logs`);
});

test('Slurm: a task takes k from the array and the count from the job, runs the setup hook, one log per attempt; no Node 20 stops it', () => {
  const dir = tempDir();
  const { env, calls } = standIns(dir, {});
  const out = path.join(dir, 'out');
  const task = {
    ...env,
    SLURM_ARRAY_TASK_ID: '2',
    SLURM_ARRAY_TASK_COUNT: '1',
    SLURM_ARRAY_JOB_ID: '90',
    SLURM_RESTART_COUNT: '1',
    SLURM_CPUS_PER_TASK: '1',
    PROBELAB_DIR: ROOT,
    PROBELAB_CONFIG: 'configs/train.json',
    PROBELAB_OUT: out,
    PROBELAB_SETUP: 'echo "setup ran on $(hostname)" >&2',
  };
  const shards = path.join(DEPLOY, 'slurm', 'shards.sbatch');
  const staged = bash([shards], {
    ...task,
    PROBELAB_STAGE: '2/3',
    PROBELAB_TASKS: '4',
    SHARD_SUFFIX: '-stage-2-of-3-shard-2-of-4',
  });
  expect(staged.status).toBe(0);
  expect(staged.stderr).toMatch(/^setup ran on /);
  expect(calls().at(-1)).toBe(
    `node dist/src/cli.js configs/train.json --stage 2/3 --shard 2/4 --out ${out} --workers 1 --log json --log-file ${out}/logs/stage-2-of-3-shard-2-of-4.job-90.attempt-2.jsonl`,
  );
  // Given the run's name (submit.sh passes it), a task knows its folder without planning it first:
  // no dry run, and an earlier attempt's lock is removed there.
  const folder = path.join(out, 'train-stage-2-of-3-shard-2-of-4');
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'lock'), '{}');
  const before = calls().length;
  const named = bash([shards], {
    ...task,
    PROBELAB_STAGE: '2/3',
    PROBELAB_TASKS: '4',
    PROBELAB_NAME: 'train',
  });
  expect(named.status).toBe(0);
  expect(
    calls()
      .slice(before)
      .filter((c) => c.startsWith('node dist')),
  ).toEqual([calls().at(-1)]);
  expect(calls().at(-1)).toMatch(/--stage 2\/3 --shard 2\/4 --out \S+ --workers 1 --log json/);
  expect(existsSync(path.join(folder, 'lock'))).toBe(false);
  expect(bash([shards], { ...task, PROBELAB_SHARDS: '3', SHARD_SUFFIX: '-shard-2-of-3' }).status).toBe(0);
  expect(calls().at(-1)).toBe(
    `node dist/src/cli.js configs/train.json --shard 2/3 --out ${out} --workers 1 --log json --log-file ${out}/logs/shard-2-of-3.job-90.attempt-2.jsonl`,
  );
  const noCount = bash([shards], task);
  expect(noCount.status).toBe(2);
  expect(noCount.stderr).toContain('PROBELAB_SHARDS=4 sbatch --array=1-4 deploy/slurm/shards.sbatch');
  // A node whose Node is older than 20 (here: one that fails the version check).
  const old = standIns(path.join(dir, 'old'), { node: 'exit 1' });
  const refused = bash([shards], { ...task, ...old.env, PROBELAB_SHARDS: '3', PROBELAB_SETUP: '' });
  expect(refused.status).toBe(2);
  expect(refused.stderr).toMatch(
    /Node 20 or later is not on PATH .*; install it on every node, or set PROBELAB_SETUP, e.g. PROBELAB_SETUP='module load nodejs\/20'/,
  );
});

test('Slurm: the merge job names what is missing and prints rerun lines: absolute paths, each stage after the one before, the merge last', () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  mkdirSync(path.join(out, 'smoke'), { recursive: true });
  const task = (stage: string, shard: string, state: string) => ({ stage, shard, state });
  writeFileSync(
    path.join(out, 'smoke', 'summary.json'),
    JSON.stringify({
      merged: {
        shards: [
          task('1/3', '1/4', 'complete'),
          task('1/3', '2/4', 'interrupted'),
          task('2/3', '1/4', 'missing'),
          task('2/3', '3/4', 'failed'),
          task('3/3', '1/4', 'missing'),
        ],
      },
    }),
  );
  mkdirSync(path.join(out, 'smoke-stage-1-of-3-shard-1-of-4'));
  const { env } = standIns(dir, {});
  const merge = bash([path.join(DEPLOY, 'slurm', 'merge.sbatch')], {
    ...env,
    PROBELAB_DIR: ROOT,
    PROBELAB_CONFIG: 'configs/smoke.json',
    PROBELAB_TASKS: '4',
    PROBELAB_OUT: out,
    NODE_EXIT: '1',
  });
  expect(merge.status).toBe(1);
  const lines = merge.stdout.trim().split('\n');
  const settings = `PROBELAB_DIR=${ROOT} PROBELAB_MODE=stages PROBELAB_CONFIG=configs/smoke.json PROBELAB_TASKS=4 PROBELAB_SHARDS=2 PROBELAB_CPUS=2 PROBELAB_MEM=4G PROBELAB_TIME=08:00:00 PROBELAB_STOP_SECONDS=300 PROBELAB_OUT=${out} PROBELAB_LOGS=${out}/logs`;
  const task_ = `--export=ALL --chdir=${ROOT} --cpus-per-task=2 --mem=4G --time=08:00:00 --signal=B:TERM@300 --output=${out}/logs/slurm-task-%A_%a.out`;
  const shards = path.join(ROOT, 'deploy', 'slurm', 'shards.sbatch');
  expect(lines).toEqual([
    'rerun what is missing on Slurm: paste these lines (each stage starts when the one before has ended, the merge last):',
    `  rerun1=$(env ${settings} PROBELAB_STAGE=1/3 sbatch --parsable --job-name=probelab-stage-1 --array=2 ${task_} ${shards})`,
    `  rerun2=$(env ${settings} PROBELAB_STAGE=2/3 PROBELAB_ARGS=--rerun-failed sbatch --parsable --job-name=probelab-stage-2 --array=1,3 --dependency=afterany:\${rerun1%%;*} ${task_} ${shards})`,
    `  rerun3=$(env ${settings} PROBELAB_STAGE=3/3 sbatch --parsable --job-name=probelab-stage-3 --array=1 --dependency=afterany:\${rerun2%%;*} ${task_} ${shards})`,
    `  env ${settings} sbatch --dependency=afterany:\${rerun3%%;*} --output=${out}/logs/slurm-merge-%j.out ${path.join(ROOT, 'deploy', 'slurm', 'merge.sbatch')}`,
    'or submit the whole sweep again (finished tasks are reused and end within seconds):',
    `  env ${settings} ${path.join(ROOT, 'deploy', 'slurm', 'submit.sh')}`,
  ]);
  // Pasted into bash, the lines run: the stand-in sbatch records them.
  const pasted = standIns(path.join(dir, 'paste'), {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
    sbatch: 'echo "7${PROBELAB_STAGE%%/*};cluster"',
  });
  const block = lines
    .slice(1, 5)
    .map((line) => line.trim())
    .join('\n');
  expect(bash(['-euc', block], pasted.env).status).toBe(0);
  expect(pasted.calls().map((c) => /--dependency=afterany:(\S+)/.exec(c)?.[1] ?? '-')).toEqual([
    '-',
    '71',
    '72',
    '73',
  ]);
});

test('GitHub Actions: the shard matrix comes from the shard count; each shard runs run-shard.sh; the merge needs them all', () => {
  const [workflow] = yamlDocs(read('github-actions/nightly.yml'), 'nightly.yml');
  expect(workflow.on.schedule[0].cron).toBe('0 2 * * *');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub Actions expressions, not templates
  expect(workflow.jobs.shard.strategy.matrix.shard).toBe('${{ fromJSON(needs.plan.outputs.shards) }}');
  const output = path.join(tempDir(), 'github-output');
  const list = bash(['-c', workflow.jobs.plan.steps[0].run], {
    PATH: process.env.PATH,
    PROBELAB_SHARDS: '4',
    GITHUB_OUTPUT: output,
  });
  expect({ status: list.status, output: readFileSync(output, 'utf8') }).toEqual({
    status: 0,
    output: 'shards=[1,2,3,4]\n',
  });
  const steps = (job: { steps: { run?: string }[] }) => job.steps.map((s) => s.run ?? '').join('\n');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
  expect(steps(workflow.jobs.shard)).toContain('deploy/run-shard.sh ${{ matrix.shard }} "$PROBELAB_SHARDS"');
  expect(workflow.jobs.merge.needs).toBe('shard');
  expect(steps(workflow.jobs.merge)).toContain('deploy/merge-shards.sh "$PROBELAB_SHARDS"');
});

test('systemd service and timer, and a cron line, for the nightly run', () => {
  const service = read('systemd/probelab-nightly.service');
  expect(service).toMatch(/^\[Service\]$/m);
  expect(service).toMatch(/^Type=oneshot$/m);
  expect(service).toMatch(/^ExecStart=\/srv\/probelab\/deploy\/cron\/nightly\.sh$/m);
  const timer = read('systemd/probelab-nightly.timer');
  expect(timer).toMatch(/^\[Timer\]\nOnCalendar=\*-\*-\* 02:00:00$/m);
  expect(timer).toMatch(/^\[Install\]\nWantedBy=timers\.target$/m);
  const cronLines = read('cron/crontab')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'));
  expect(cronLines).toHaveLength(1);
  expect(cronLines[0]).toMatch(
    /^0 2 \* \* \* (PROBELAB_\w+=\S+ )+\/srv\/probelab\/deploy\/cron\/nightly\.sh$/,
  );
});

test('merge-shards.sh without a count takes it from the shard folders present, and refuses when they disagree', () => {
  const dir = tempDir();
  const { env, calls } = standIns(dir, {});
  const out = path.join(dir, 'out');
  for (const folder of ['smoke-shard-1-of-3', 'smoke-shard-3-of-3', 'smoke'])
    mkdirSync(path.join(out, folder), { recursive: true });
  const settings = { ...env, PROBELAB_DIR: ROOT, PROBELAB_OUT: out };
  expect(bash([path.join(DEPLOY, 'merge-shards.sh')], settings).status).toBe(0);
  expect(calls().at(-1)).toBe(
    `node dist/src/cli.js merge ${out}/smoke-shard-1-of-3 ${out}/smoke-shard-2-of-3 ${out}/smoke-shard-3-of-3 --out ${out}`,
  );
  mkdirSync(path.join(out, 'smoke-shard-1-of-2'));
  const mixed = bash([path.join(DEPLOY, 'merge-shards.sh')], settings);
  expect(mixed.status).toBe(2);
  expect(mixed.stderr).toBe(
    `merge-shards.sh: give the number of shards: the shard folders of ${out}/smoke have counts: 2, 3\n`,
  );
});
