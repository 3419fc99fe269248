// The deployment scripts, checked offline: YAML parses; the Kubernetes manifests that run.sh
// renders and applies (through a stand-in kubectl) match a JSON Schema of the fields they rely
// on, and their container scripts, run in bash with a stand-in node, turn the completion index
// into --shard k/n; the Slurm scripts take the shard count from the job, not the array's size;
// every script documents its settings and none hard-codes a config.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
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
    node: `case "$*" in *--dry-run*) echo "smoke: 20 jobs: 0 already done → ${dir}/out/smoke\${SHARD_SUFFIX:-}";; *) exit \${NODE_EXIT:-0};; esac`,
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
  expect(yamlFiles.length).toBeGreaterThanOrEqual(3);
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

test('each deployment documents its settings: config, shards, CPUs, memory, output folder, checkout', () => {
  const documented = {
    'slurm/submit.sh': ['CONFIG', 'SHARDS', 'CPUS', 'MEM', 'OUT', 'DIR', 'LOGS'],
    'kubernetes/run.sh': ['CONFIG', 'SHARDS', 'CPUS', 'MEM', 'OUT', 'DIR', 'IMAGE'],
    'github-actions/nightly.yml': ['CONFIG', 'SHARDS', 'CPUS', 'RUNNER', 'OUT'],
    'cron/nightly.sh': ['CONFIG', 'SHARDS', 'CPUS', 'OUT', 'DIR', 'LOGS'],
    'run-shard.sh': ['CONFIG', 'CPUS', 'OUT', 'DIR', 'LOGS', 'ATTEMPT'],
  };
  for (const [file, names] of Object.entries(documented)) {
    const text = read(file);
    // A comment line per setting: "#   PROBELAB_NAME  what it is  default".
    for (const name of names)
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
});

test('Kubernetes: run.sh applies an Indexed Job of n shards, waits for it to end, then the merge; the completion index reaches --shard', () => {
  const dir = tempDir();
  const applied = path.join(dir, 'applied.yaml');
  const { env, calls } = standIns(dir, {
    kubectl: `case "$1" in apply) cat >> "${applied}"; echo --- >> "${applied}";; get) echo Complete;; logs) echo merged;; esac`,
  });
  const settings = {
    PROBELAB_CONFIG: 'configs/train.json',
    PROBELAB_SHARDS: '3',
    PROBELAB_CPUS: '4',
    PROBELAB_MEM: '6Gi',
    PROBELAB_OUT: '/data/sweeps',
    PROBELAB_DIR: '/srv/app',
    PROBELAB_POLL_SECONDS: '0',
  };
  const run = bash([path.join(DEPLOY, 'kubernetes', 'run.sh')], { ...env, ...settings });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  // The merge Job is applied only after the shards' Job has ended.
  expect(calls().map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
    'kubectl delete job',
    'kubectl apply -f',
    'kubectl get job',
    'kubectl apply -f',
    'kubectl get job',
    'kubectl logs job/probelab-merge',
  ]);
  expect(calls()[2]).toContain('get job probelab-shards');

  const [pvc, shards, merge] = yamlDocs(readFileSync(applied, 'utf8'), applied);
  const validate = new Ajv({ allErrors: true }).compile(
    JSON.parse(readFileSync(path.join(__dirname, 'kubernetes-job.schema.json'), 'utf8')),
  );
  for (const job of [shards, merge])
    expect({ name: job.metadata.name, errors: validate(job) ? null : validate.errors }).toEqual({
      name: job.metadata.name,
      errors: null,
    });
  expect(pvc).toMatchObject({ kind: 'PersistentVolumeClaim', spec: { accessModes: ['ReadWriteMany'] } });
  expect(shards.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3 });
  const container = shards.spec.template.spec.containers[0];
  expect(container).toMatchObject({
    workingDir: '/srv/app',
    resources: { requests: { cpu: '4', memory: '6Gi' } },
  });
  for (const job of [shards, merge]) {
    const mount = job.spec.template.spec.containers[0].volumeMounts[0];
    expect(settings.PROBELAB_OUT.startsWith(`${mount.mountPath}/`)).toBe(true);
    expect(job.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
  }

  // The container's script, run as the pod of index 1 would run it (in this checkout).
  const podEnv = Object.fromEntries(
    container.env.map((e: { name: string; value?: string }) => [
      e.name,
      e.value ?? 'probelab-shards-1-abcde',
    ]),
  );
  const out = path.join(dir, 'out');
  for (const nodeExit of ['0', '1', '3']) {
    const pod = bash(['-c', container.args[0]], {
      ...env,
      ...podEnv,
      PROBELAB_OUT: out,
      PROBELAB_DIR: ROOT,
      JOB_COMPLETION_INDEX: '1',
      SHARD_SUFFIX: '-shard-2-of-3',
      NODE_EXIT: nodeExit,
    });
    // 1 (some jobs failed, the rest done) counts as a finished shard; other failures make Kubernetes retry the pod.
    expect({ nodeExit, status: pod.status }).toEqual({
      nodeExit,
      status: nodeExit === '1' ? 0 : Number(nodeExit),
    });
  }
  expect(
    calls()
      .filter((c) => c.startsWith('node') && !c.includes('--dry-run'))
      .at(-1),
  ).toBe(
    `node dist/src/cli.js configs/train.json --shard 2/3 --out ${out} --workers 4 --log json --log-file ${out}/logs/shard-2-of-3.probelab-shards-1-abcde.jsonl`,
  );
  // The merge container merges the n shard folders of the config into its run folder.
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
    `node dist/src/cli.js merge ${out}/smoke-shard-1-of-3 ${out}/smoke-shard-2-of-3 ${out}/smoke-shard-3-of-3 --out ${out}`,
  );
});

test('Slurm: submit.sh passes the settings and a dependent merge; a task takes k from the array and n from the job, one log per attempt', () => {
  const dir = tempDir();
  const { env, calls } = standIns(dir, {
    sbatch: 'case "$*" in *--dependency*) echo 78;; *) echo "77;cluster";; esac',
  });
  const out = path.join(dir, 'out');
  const submit = bash([path.join(DEPLOY, 'slurm', 'submit.sh')], {
    ...env,
    PROBELAB_CONFIG: 'configs/train.json',
    PROBELAB_SHARDS: '3',
    PROBELAB_CPUS: '1',
    PROBELAB_MEM: '3G',
    PROBELAB_OUT: out,
  });
  expect(submit.stderr).toBe('');
  expect(submit.status).toBe(0);
  const sbatch = calls().filter((c) => c.startsWith('sbatch'));
  expect(sbatch).toEqual([
    `sbatch --parsable --export=ALL --chdir=${ROOT} --array=1-3 --cpus-per-task=1 --mem=3G --time=08:00:00 --output=${out}/logs/slurm-shard-%A_%a.out deploy/slurm/shards.sbatch`,
    `sbatch --parsable --export=ALL,PROBELAB_ARRAY_JOB=77 --chdir=${ROOT} --dependency=afterany:77 --output=${out}/logs/slurm-merge-%j.out deploy/slurm/merge.sbatch`,
  ]);
  expect(submit.stdout).toContain('merge: job 78, after every task has ended');

  // A task resubmitted alone (an array of one) still runs share 2 of 3, with its own log.
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
    SHARD_SUFFIX: '-shard-2-of-3',
  };
  expect(bash([path.join(DEPLOY, 'slurm', 'shards.sbatch')], { ...task, PROBELAB_SHARDS: '3' }).status).toBe(
    0,
  );
  expect(calls().at(-1)).toBe(
    `node dist/src/cli.js configs/train.json --shard 2/3 --out ${out} --workers 1 --log json --log-file ${out}/logs/shard-2-of-3.job-90.attempt-2.jsonl`,
  );
  const noCount = bash([path.join(DEPLOY, 'slurm', 'shards.sbatch')], task);
  expect(noCount.status).toBe(2);
  expect(noCount.stderr).toContain('PROBELAB_SHARDS=4 sbatch --array=1-4 deploy/slurm/shards.sbatch');
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
