#!/usr/bin/env node
// The Kubernetes objects of a staged sweep, built as objects and written with the `yaml` library
// (every value escaped by it): `node deploy/kubernetes/manifests.js <what>`, where <what> is
//   claim             the shared ReadWriteMany volume of the run folders
//   plan              a Job that prints the task count of every stage (deploy/stage-layout.sh)
//   stage <s/S> <n>   the Indexed Job of stage s: n pods, pod i runs task i + 1
//   merge             the Job that merges every task's folder into <out>/<name>
// Settings: environment variables, see run.sh. Used by run.sh; tested against kubernetes-models.
const YAML = require('yaml');

const DEFAULTS = {
  PROBELAB_CONFIG: 'configs/smoke.json',
  PROBELAB_TASKS: '4',
  PROBELAB_CPUS: '2',
  PROBELAB_MEM: '4Gi',
  PROBELAB_OUT: '/data/outputs',
  PROBELAB_DIR: '/app',
  PROBELAB_IMAGE: 'probelab:latest',
  PROBELAB_VOLUME_SIZE: '20Gi',
  PROBELAB_STORAGE_CLASS: '',
  PROBELAB_RETRIES: '2',
  PROBELAB_ARGS: '',
};
const MOUNT = '/data';
const CLAIM = 'probelab-outputs';
/** On every Job, so that run.sh can delete the last sweep's Jobs at once. */
const PART_OF = { 'app.kubernetes.io/part-of': 'probelab' };

/** The settings: the environment's, else the defaults; exits 2 naming a bad one. */
function settings(env = process.env) {
  const s = Object.fromEntries(Object.entries(DEFAULTS).map(([name, value]) => [name, env[name] || value]));
  for (const name of ['PROBELAB_TASKS', 'PROBELAB_CPUS', 'PROBELAB_RETRIES'])
    if (!/^\d+$/.test(s[name]) || (name !== 'PROBELAB_RETRIES' && Number(s[name]) < 1))
      fail(`${name}: expected a whole number${name === 'PROBELAB_RETRIES' ? '' : ' ≥ 1'}, got "${s[name]}"`);
  if (!s.PROBELAB_OUT.startsWith(`${MOUNT}/`))
    fail(
      `PROBELAB_OUT: expected a folder under ${MOUNT}/ (the shared volume's mount), got "${s.PROBELAB_OUT}"`,
    );
  return s;
}

function fail(message) {
  process.stderr.write(`manifests.js: ${message}\n`);
  process.exit(2);
}

function claim(s) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: CLAIM },
    spec: {
      // NFS, CephFS, EFS, Filestore…: every pod of every stage mounts it.
      accessModes: ['ReadWriteMany'],
      ...(s.PROBELAB_STORAGE_CLASS ? { storageClassName: s.PROBELAB_STORAGE_CLASS } : {}),
      resources: { requests: { storage: s.PROBELAB_VOLUME_SIZE } },
    },
  };
}

/** A pod template running `script` in the image, with the shared volume and these settings. */
function podTemplate(s, container, script, env, resources) {
  return {
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: container,
          image: s.PROBELAB_IMAGE,
          workingDir: s.PROBELAB_DIR,
          env: [
            ...Object.entries(env).map(([name, value]) => ({ name, value: String(value) })),
            { name: 'PROBELAB_ATTEMPT', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          command: ['/bin/bash', '-c'],
          args: [script],
          resources,
          volumeMounts: [{ name: 'outputs', mountPath: MOUNT }],
        },
      ],
      volumes: [{ name: 'outputs', persistentVolumeClaim: { claimName: CLAIM } }],
    },
  };
}

const common = (s) => ({ PROBELAB_CONFIG: s.PROBELAB_CONFIG, PROBELAB_OUT: s.PROBELAB_OUT });
const small = { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } };

function plan(s) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'probelab-plan', labels: PART_OF },
    spec: {
      backoffLimit: 0, // a bad config fails the same way every time
      template: podTemplate(
        s,
        'plan',
        'deploy/stage-layout.sh',
        { ...common(s), PROBELAB_TASKS: s.PROBELAB_TASKS },
        small,
      ),
    },
  };
}

// Pod i of the Job runs task i + 1. Exit code 1 (some jobs failed, the rest finished) counts as a
// finished task: the merge names the failures. 2 (bad config, or inputs of earlier stages
// missing) fails the whole Job at once; anything else (a killed node, 130 on SIGTERM) retries
// that index alone, and the task resumes in its folder.
const TASK_SCRIPT = [
  'deploy/run-shard.sh "$((JOB_COMPLETION_INDEX + 1))" "$PROBELAB_TASKS"',
  'code=$?',
  'if [ "$code" -eq 1 ]; then exit 0; fi',
  'exit "$code"',
].join('\n');

function stage(s, stageText, tasks) {
  const match = /^(\d+)\/(\d+)$/.exec(stageText ?? '');
  if (!match || Number(match[1]) < 1 || Number(match[1]) > Number(match[2]))
    fail(`stage: expected s/S such as 2/3, got "${stageText}"`);
  if (!/^[1-9]\d*$/.test(tasks ?? ''))
    fail(`stage ${stageText}: expected the task count n ≥ 1, got "${tasks}"`);
  const env = {
    ...common(s),
    PROBELAB_STAGE: stageText,
    PROBELAB_TASKS: s.PROBELAB_TASKS,
    PROBELAB_CPUS: s.PROBELAB_CPUS,
    PROBELAB_ARGS: s.PROBELAB_ARGS,
  };
  const resources = {
    requests: { cpu: s.PROBELAB_CPUS, memory: s.PROBELAB_MEM },
    limits: { memory: s.PROBELAB_MEM },
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `probelab-stage-${match[1]}`, labels: PART_OF },
    spec: {
      completionMode: 'Indexed',
      completions: Number(tasks),
      parallelism: Number(tasks),
      // Each task retried on its own; one that keeps failing does not stop the others.
      backoffLimitPerIndex: Number(s.PROBELAB_RETRIES),
      // A replacement pod starts only once the old one has stopped: never two writers of one folder.
      podReplacementPolicy: 'Failed',
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'task', operator: 'In', values: [2] } },
          // Evicted or preempted: not the task's fault, not counted against its retries.
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
        ],
      },
      template: podTemplate(s, 'task', TASK_SCRIPT, env, resources),
    },
  };
}

function merge(s) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'probelab-merge', labels: PART_OF },
    spec: {
      backoffLimit: 0, // a merge that names missing tasks must not be retried as is
      template: podTemplate(s, 'merge', 'deploy/merge-shards.sh', common(s), small),
    },
  };
}

const BUILDERS = { claim, plan, stage, merge };

function main(argv) {
  const [what, ...rest] = argv;
  if (!BUILDERS[what]) fail(`expected claim, plan, stage <s/S> <n> or merge, got "${what ?? ''}"`);
  process.stdout.write(YAML.stringify(BUILDERS[what](settings(), ...rest)));
}

if (require.main === module) main(process.argv.slice(2));
module.exports = { claim, plan, stage, merge, settings };
