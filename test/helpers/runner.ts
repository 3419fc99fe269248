// Shared by the runner and config tests: temporary folders, configs, the compiled CLI.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');

export function writeConfig(dir: string, file: string, config: unknown): string {
  const full = path.join(dir, file);
  writeFileSync(full, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return full;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** Resolves once stdout has `count` lines matching `pattern` (or the process has ended). */
  lines(pattern: RegExp, count: number): Promise<void>;
}

export function startCli(args: string[], cwd: string): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const watchers: (() => void)[] = [];
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    for (const watch of [...watchers]) watch();
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const lines = (pattern: RegExp, count: number) =>
    new Promise<void>((resolve) => {
      const watch = () => {
        if (stdout.split('\n').filter((line) => pattern.test(line)).length >= count) resolve();
      };
      watchers.push(watch);
      void done.then(() => resolve());
      watch();
    });
  return { child, done, lines };
}

export function runCli(args: string[], cwd: string): Promise<CliResult> {
  return startCli(args, cwd).done;
}

/** Every file under `dir` (relative path → size, mtime and content), to prove nothing changed. */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = path.join(sub, name);
      const stat = statSync(path.join(dir, rel));
      if (stat.isDirectory()) {
        files.set(`${rel}/`, String(stat.mtimeMs));
        walk(rel);
      } else files.set(rel, `${stat.size} ${stat.mtimeMs} ${readFileSync(path.join(dir, rel), 'base64')}`);
    }
  };
  walk('');
  return files;
}

/** Published files under a run's tables/ (relative path → content). */
export function tables(runDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rel, value] of snapshot(path.join(runDir, 'tables'))) {
    if (!rel.endsWith('/')) out.set(rel, Buffer.from(value.split(' ')[2], 'base64').toString('utf8'));
  }
  return out;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
