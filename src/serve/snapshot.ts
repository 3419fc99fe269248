// What the live page shows, as one JSON object: the run's counts, the jobs running now and
// queued, the ETA, the jobs finished lately, and the training curves. Built from the run folder
// alone (runner/live-run.ts); a folder a config will create but has not yet is `waiting`.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatDuration } from '../duration';
import { formatEta } from '../runner/eta';
import type { JournalEvent } from '../runner/journal';
import { readLiveRun } from '../runner/live-run';
import { describeOwner } from '../runner/lock';
import type { RunFolder } from '../runner/run-folder';
import type { Curve, CurveReader } from './curves';

export interface Snapshot {
  runDir: string;
  /** No plan.json yet: the run has not started. */
  waiting: boolean;
  name?: string;
  live: boolean;
  owner?: string;
  counts?: Record<string, number>;
  running: { key: string; kind: string; seconds: number; queued: boolean; report?: string }[];
  eta?: { seconds: number; text: string; measured: boolean };
  /** The last jobs to finish or fail, latest first. */
  recent: {
    key: string;
    event: 'finished' | 'failed' | 'blocked';
    at: string;
    seconds?: number;
    error?: string;
  }[];
  curves: Curve[];
  /** The report pages at the top of the folder (report.html first), with when each was written. */
  pages: { name: string; mtimeMs: number }[];
  /** When this was read (the page counts elapsed time on from it). */
  at: number;
}

const RECENT = 12;

/** The last run's latest ends, from its journal events. */
function recentEvents(events: JournalEvent[]): Snapshot['recent'] {
  const recent: Snapshot['recent'] = [];
  for (let i = events.length - 1; i >= 0 && recent.length < RECENT; i--) {
    const event = events[i];
    if (event.event === 'finished')
      recent.push({ key: event.key, event: 'finished', at: event.at, seconds: event.ms / 1000 });
    else if (event.event === 'failed' && event.final)
      recent.push({ key: event.key, event: 'failed', at: event.at, error: event.error });
    else if (event.event === 'blocked') recent.push({ key: event.key, event: 'blocked', at: event.at });
  }
  return recent;
}

export function reportPages(runDir: string): Snapshot['pages'] {
  if (!existsSync(runDir)) return [];
  return readdirSync(runDir)
    .filter((name) => name.endsWith('.html'))
    .sort((a, b) => Number(b === 'report.html') - Number(a === 'report.html') || a.localeCompare(b))
    .map((name) => ({ name, mtimeMs: statSync(path.join(runDir, name)).mtimeMs }));
}

export function readSnapshot(folder: RunFolder, curves: CurveReader, now = Date.now()): Snapshot {
  const empty = {
    runDir: folder.dir,
    running: [],
    recent: [],
    curves: [],
    pages: reportPages(folder.dir),
    at: now,
  };
  if (!existsSync(folder.planFile)) return { ...empty, waiting: true, live: false };
  const live = readLiveRun(folder.dir, now);
  return {
    ...empty,
    waiting: false,
    name: live.plan.name,
    live: !!live.liveRun,
    ...(live.liveRun ? { owner: describeOwner(live.liveRun) } : {}),
    counts: { ...live.counts },
    running: live.liveRun
      ? live.running.map((job) => ({
          key: job.key,
          kind: job.kind,
          seconds: job.seconds,
          queued: job.queued,
          ...(job.report ? { report: job.report.text } : {}),
        }))
      : [],
    ...(live.eta
      ? {
          eta: {
            seconds: live.eta.seconds,
            text: formatEta(live.eta, formatDuration),
            measured: live.eta.measured,
          },
        }
      : {}),
    recent: recentEvents(live.events),
    curves: curves.curves(live),
  };
}
