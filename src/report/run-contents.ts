// What a report shows, read from a run folder alone: the saved plan, each job's state and
// result, the files each job publishes (the published copy under tables/ or figures/ when it is
// there, else the job folder's own), the config the run used and the summary of its last run.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { JsonValue } from '../jobs/kind';
import type { PlanJob } from '../plan/build-plan';
import { RunFolder } from '../runner/run-folder';
import { readStatus, type SavedPlan } from '../runner/status';
import type { RunSummary } from '../runner/summary';

export type FileKind = 'image' | 'svg' | 'table' | 'json' | 'folder' | 'other';

export interface ReportFile {
  /** Path relative to the run folder, with `/` separators (what the page links to). */
  path: string;
  /** The path the job published it under, e.g. `figures/layer1_conv2d.png`. */
  name: string;
  kind: FileKind;
  bytes: number;
  /** For folders: the files inside (relative to the run folder), sorted. */
  children?: ReportFile[];
}

export interface ReportJob {
  job: PlanJob;
  state: string;
  error?: string;
  files: ReportFile[];
}

export interface ReportExperiment {
  name: string;
  kinds: string[];
  jobs: ReportJob[];
}

export interface RunContents {
  runDir: string;
  plan: SavedPlan;
  summary?: RunSummary;
  config?: { source: string; text: string };
  experiments: ReportExperiment[];
}

export function fileKind(name: string): FileKind {
  const ext = path.extname(name).toLowerCase();
  if (ext === '.png' || ext === '.jpg' || ext === '.jpeg' || ext === '.gif') return 'image';
  if (ext === '.svg') return 'svg';
  if (ext === '.csv') return 'table';
  if (ext === '.json') return 'json';
  return 'other';
}

const toPosix = (p: string) => p.split(path.sep).join('/');

function describe(runDir: string, full: string, name: string): ReportFile | undefined {
  // No exception for a missing file: building one costs more than the stat, times thousands of jobs.
  const stat = statSync(full, { throwIfNoEntry: false });
  if (!stat) return undefined;
  const rel = toPosix(path.relative(runDir, full));
  if (!stat.isDirectory()) return { path: rel, name, kind: fileKind(name), bytes: stat.size };
  const children = readdirSync(full)
    .sort()
    .flatMap((child) => describe(runDir, path.join(full, child), `${name}/${child}`) ?? []);
  return { path: rel, name, kind: 'folder', bytes: 0, children };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The config the run used: the copy the runner keeps in the run folder, else (a folder from before it kept one) the file the plan names. */
function readConfig(folder: RunFolder, plan: SavedPlan): RunContents['config'] {
  for (const [file, source] of [
    [folder.configFile, 'config.json in the run folder: the config as the last run read it'],
    [plan.config, `${plan.config} (as it is now; the run may have used an earlier version)`],
  ] as const) {
    if (file && existsSync(file)) return { source, text: readFileSync(file, 'utf8') };
  }
  return undefined;
}

/** Where a job writes what a person looks at; `model/` and the like stay out of the report. */
const VISIBLE_FOLDERS = ['figures', 'tables'];

/**
 * Pictures and tables a done job wrote but could not list in `publish` before it ran (such as
 * occlusion's `figures/adv_img/`), as one folder entry pointing into the job's folder.
 */
function unpublishedFiles(folder: RunFolder, job: PlanJob): ReportFile | undefined {
  const covered = (name: string) => job.publish.some((p) => name === p || name.startsWith(`${p}/`));
  const jobDir = folder.jobDir(job.id);
  const found = VISIBLE_FOLDERS.flatMap((top) =>
    flattenFiles(describe(folder.dir, path.join(jobDir, top), top)?.children ?? []),
  ).filter((f) => !covered(f.name));
  if (found.length === 0) return undefined;
  return {
    path: toPosix(path.relative(folder.dir, jobDir)),
    name: 'not published (in the job folder)',
    kind: 'folder',
    bytes: 0,
    children: found,
  };
}

/** The files of a tree of folders, depth first. */
export function flattenFiles(files: ReportFile[]): ReportFile[] {
  return files.flatMap((f) => (f.kind === 'folder' ? flattenFiles(f.children ?? []) : [f]));
}

export function readRunContents(runDir: string): RunContents {
  const status = readStatus(runDir); // throws UsageError for a folder without plan.json
  const folder = new RunFolder(status.runDir);
  const summary = readJson<RunSummary>(folder.summaryFile);
  const failures = new Map((summary?.failures ?? []).map((f) => [f.id, f.error]));
  const experiments = new Map<string, ReportExperiment>();
  for (const job of status.plan.jobs) {
    const experiment = experiments.get(job.experiment) ?? { name: job.experiment, kinds: [], jobs: [] };
    experiments.set(job.experiment, experiment);
    if (!experiment.kinds.includes(job.kind)) experiment.kinds.push(job.kind);
    const state = status.states.get(job.id)?.state ?? 'pending';
    const files: ReportFile[] =
      state === 'done'
        ? job.publish.flatMap((name) => {
            const published = describe(folder.dir, folder.publishedFile(job.key, name), name);
            return (
              published ??
              describe(folder.dir, path.join(folder.jobDir(job.id), ...name.split('/')), name) ??
              []
            );
          })
        : [];
    if (state === 'done') {
      const extra = unpublishedFiles(folder, job);
      if (extra) files.push(extra);
    }
    const lastError = status.states.get(job.id)?.last as { error?: string } | undefined;
    experiment.jobs.push({
      job,
      state,
      error: failures.get(job.id) ?? (state === 'failed' ? lastError?.error : undefined),
      files,
    });
  }
  return {
    runDir: folder.dir,
    plan: status.plan,
    summary,
    config: readConfig(folder, status.plan),
    experiments: [...experiments.values()],
  };
}

/** A done job's result from its result.json (read only for the jobs a page shows). */
export function readJobResult(runDir: string, id: string): JsonValue | undefined {
  return readJson<{ result?: JsonValue }>(new RunFolder(runDir).resultFile(id))?.result;
}
