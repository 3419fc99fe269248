// A real single-node Slurm for the system test: munged, slurmctld and slurmd started directly
// (no systemd) as children of this process, with their state, sockets, logs and ports in one
// folder, and stopped by PID. Needs root and Debian's slurm-wlm and munge.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './runner';

export interface JobInfo {
  JobId: string;
  JobState: string;
  ExitCode: string;
  [field: string]: string;
}

export class SlurmCluster {
  private readonly daemons: { name: string; child: ChildProcess }[] = [];
  /** Environment for Slurm's commands (sbatch, squeue, scontrol, scancel) talking to this cluster. */
  readonly env: NodeJS.ProcessEnv;

  private constructor(readonly dir: string) {
    this.env = { ...process.env, SLURM_CONF: path.join(dir, 'slurm.conf') };
  }

  /** Starts the daemons and waits until the node is idle. Each PID is also written to `pids`. */
  static async start(dir: string): Promise<SlurmCluster> {
    const cluster = new SlurmCluster(dir);
    try {
      cluster.writeConfig();
      const socket = path.join(dir, 'munge.socket');
      cluster.spawn('munged', [
        '--foreground',
        '--force', // as root, with its files in a private folder
        `--socket=${socket}`,
        `--key-file=${path.join(dir, 'munge.key')}`,
        `--log-file=${path.join(dir, 'log', 'munged.log')}`,
        `--pid-file=${path.join(dir, 'munged.pid')}`,
        `--seed-file=${path.join(dir, 'munged.seed')}`,
      ]);
      await cluster.until('munged socket', () => existsSync(socket));
      cluster.spawn('slurmctld', ['-D', '-i']);
      cluster.spawn('slurmd', ['-D']);
      await cluster.until('node idle', () => /^idle/.test(cluster.run('sinfo', ['-h', '-N', '-o', '%t'])));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  private writeConfig(): void {
    const { dir } = this;
    for (const sub of ['state', 'spool', 'log']) mkdirSync(path.join(dir, sub), { recursive: true });
    writeFileSync(path.join(dir, 'munge.key'), randomBytes(1024), { mode: 0o400 });
    const host = os.hostname().split('.')[0];
    const cpus = os.availableParallelism();
    const memoryMb = Math.floor((os.totalmem() / 2 ** 20) * 0.8);
    // The slurm.conf, with this machine's name and size, root as SlurmUser, everything in `dir`.
    const config = [
      'ClusterName=probe',
      `SlurmctldHost=${host}`,
      'SlurmUser=root',
      'AuthType=auth/munge',
      `AuthInfo=socket=${path.join(dir, 'munge.socket')}`,
      'MpiDefault=none',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/backfill',
      'ReturnToService=2',
      // Keep ended jobs' records for an hour (default 5 minutes): on a slow machine the first task
      // of an array ends long before the last, and the test reads every task's final state.
      'MinJobAge=3600',
      'SlurmctldPort=16817',
      'SlurmdPort=16818',
      `StateSaveLocation=${path.join(dir, 'state')}`,
      `SlurmdSpoolDir=${path.join(dir, 'spool')}`,
      `SlurmctldPidFile=${path.join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${path.join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${path.join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${path.join(dir, 'log', 'slurmd.log')}`,
      `NodeName=${host} CPUs=${cpus} RealMemory=${memoryMb} State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    ];
    writeFileSync(path.join(dir, 'slurm.conf'), `${config.join('\n')}\n`);
  }

  private spawn(name: string, args: string[]): void {
    const log = openSync(path.join(this.dir, 'log', `${name}.out`), 'a');
    const child = spawn(name, args, { env: this.env, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`${name} did not start (is it installed?)`);
    appendFileSync(path.join(this.dir, 'pids'), `${child.pid}\n`);
    this.daemons.push({ name, child });
  }

  private async until(what: string, ready: () => boolean, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const gone = this.daemons.find((d) => d.child.exitCode !== null || d.child.signalCode !== null);
      if (gone) throw new Error(`${gone.name} stopped while waiting for ${what}; see ${this.dir}/log`);
      try {
        if (ready()) return;
      } catch {
        // not up yet
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; see ${this.dir}/log`);
      await sleep(200);
    }
  }

  /** Runs one of Slurm's commands against this cluster; its stdout. */
  run(command: string, args: string[]): string {
    return execFileSync(command, args, { env: this.env, encoding: 'utf8' });
  }

  /** `scontrol show job` as fields (one object per job; an array job lists each task). */
  jobs(id: string): JobInfo[] {
    return this.run('scontrol', ['show', 'job', '-o', id])
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const fields: Record<string, string> = {};
        for (const match of line.matchAll(/(\w+)=(\S*)/g)) fields[match[1]] ??= match[2];
        return fields as JobInfo;
      });
  }

  /** Waits until every job (every task of an array) has ended; their final records. */
  async waitForEnd(id: string, timeoutMs: number): Promise<JobInfo[]> {
    let jobs: JobInfo[] = [];
    await this.until(
      `job ${id} to end`,
      () => {
        jobs = this.jobs(id);
        return (
          jobs.length > 0 &&
          jobs.every((job) => !/PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUE/.test(job.JobState))
        );
      },
      timeoutMs,
    );
    return jobs;
  }

  /** SIGTERM to each daemon by PID, newest first; SIGKILL after 10 s. */
  async stop(): Promise<void> {
    for (const { child } of this.daemons.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const ended = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid!, 'SIGTERM');
      const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 10_000);
      await ended;
      clearTimeout(timer);
    }
    this.daemons.length = 0;
  }
}
