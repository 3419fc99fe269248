// The deployment examples are valid for their tools: the YAML files parse (and say what the
// README promises), the shell scripts pass `bash -n`, the systemd units have their sections.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/runner';

const DEPLOY = path.join(ROOT, 'deploy');
const files = readdirSync(DEPLOY, { recursive: true, encoding: 'utf8' }).map((f) => path.join(DEPLOY, f));
const read = (rel: string) => readFileSync(path.join(DEPLOY, rel), 'utf8');

function yamlDocs(file: string): any[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  for (const doc of docs) expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
  return docs.map((doc) => doc.toJS());
}

test('every YAML file parses', () => {
  const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f));
  expect(yamlFiles.length).toBeGreaterThanOrEqual(3);
  for (const file of yamlFiles) expect(yamlDocs(file).length).toBeGreaterThan(0);
});

test('Kubernetes: an Indexed Job maps JOB_COMPLETION_INDEX to --shard on a shared volume; a merge Job', () => {
  const [pvc, job] = yamlDocs(path.join(DEPLOY, 'kubernetes', 'shards.yaml'));
  expect(pvc).toMatchObject({ kind: 'PersistentVolumeClaim', spec: { accessModes: ['ReadWriteMany'] } });
  expect(job).toMatchObject({
    apiVersion: 'batch/v1',
    kind: 'Job',
    spec: { completionMode: 'Indexed', completions: 4 },
  });
  const container = job.spec.template.spec.containers[0];
  expect(container.args.join('\n')).toMatch(/JOB_COMPLETION_INDEX \+ 1[\s\S]*--shard "\$k\/\$SHARDS"/);
  expect(container.volumeMounts[0].mountPath).toBe('/data');
  const [merge] = yamlDocs(path.join(DEPLOY, 'kubernetes', 'merge.yaml'));
  expect(merge.spec.template.spec.containers[0].args.join(' ')).toContain(
    'merge /data/outputs/all-shard-*-of-4 --out /data/outputs/all',
  );
  expect(merge.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
});

test('GitHub Actions: a shard matrix and a merge job that needs it', () => {
  const [workflow] = yamlDocs(path.join(DEPLOY, 'github-actions', 'nightly.yml'));
  expect(workflow.on.schedule[0].cron).toBe('0 2 * * *');
  expect(workflow.jobs.shard.strategy.matrix.shard).toEqual([1, 2, 3, 4]);
  expect(workflow.jobs.shard.steps.map((s: { run?: string }) => s.run ?? '').join('\n')).toContain(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    '--shard ${{ matrix.shard }}/$SHARDS',
  );
  expect(workflow.jobs.merge.needs).toBe('shard');
  expect(workflow.jobs.merge.steps.map((s: { run?: string }) => s.run ?? '').join('\n')).toContain(
    'merge outputs/all-shard-*-of-4 --out outputs/all',
  );
});

test('shell scripts pass bash -n; Slurm uses SLURM_ARRAY_TASK_ID and a dependent merge', () => {
  const scripts = files.filter((f) => /\.(sh|sbatch)$/.test(f));
  expect(scripts.length).toBeGreaterThanOrEqual(5);
  for (const script of scripts) {
    const check = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect({ script, status: check.status, stderr: check.stderr }).toEqual({ script, status: 0, stderr: '' });
  }
  expect(read('slurm/shards.sbatch')).toMatch(
    /#SBATCH --array=1-4[\s\S]*k=\$SLURM_ARRAY_TASK_ID[\s\S]*--shard "\$k\/\$n"/,
  );
  expect(read('slurm/submit.sh')).toContain('--dependency=afterany:"$array"');
});

test('systemd service and timer, and a cron line, for the nightly run', () => {
  const service = read('systemd/probelab-nightly.service');
  expect(service).toMatch(/^\[Service\]$/m);
  expect(service).toMatch(/^Type=oneshot$/m);
  expect(service).toMatch(/^ExecStart=.*configs\/all\.json --log json$/m);
  const timer = read('systemd/probelab-nightly.timer');
  expect(timer).toMatch(/^\[Timer\]\nOnCalendar=\*-\*-\* 02:00:00$/m);
  expect(timer).toMatch(/^\[Install\]\nWantedBy=timers\.target$/m);
  const cronLines = read('cron/crontab')
    .split('\n')
    .filter((line) => line && !line.startsWith('#'));
  expect(cronLines).toEqual(['0 2 * * * /srv/probelab/deploy/cron/nightly.sh']);
  expect(cronLines[0].split(/\s+/).slice(0, 5)).toHaveLength(5);
});
