// An experiment's published files gathered across seeds: the "slot" `strip/figures/shift_strip.png`
// holds seed=1's, seed=2's and seed=3's copies of that figure, so the report shows one figure with
// a seed chooser instead of one block per seed. A file without a seed in its path is a slot of one.
import path from 'node:path';
import { type FileKind, flattenFiles, type ReportExperiment, type ReportFile } from './run-contents';

export interface SeedCopy {
  /** `seed=2`, or undefined for a file no seed has its own copy of. */
  seed?: string;
  file: ReportFile;
  /** The SVG published beside a PNG. */
  svg?: ReportFile;
}

export interface Slot {
  /** The job's key within the experiment and the published name, the seed taken out. */
  key: string;
  kind: FileKind | 'gallery';
  /** The kind of the job that published it. */
  jobKind: string;
  copies: SeedCopy[];
}

const SEED = /seed=\d+/;

function slotKey(jobKey: string, experiment: string, name: string): { key: string; seed?: string } {
  const inExperiment = jobKey === experiment ? '' : jobKey.slice(experiment.length + 1);
  const full = inExperiment ? `${inExperiment}/${name}` : name;
  const seed = full.match(SEED)?.[0];
  const key = full.replace(/(^|\/)seed=\d+\//, '$1').replace(SEED, 'seed=N');
  return { key, seed };
}

function slotKind(file: ReportFile): Slot['kind'] {
  if (file.kind !== 'folder') return file.kind;
  return flattenFiles(file.children ?? []).some((f) => f.kind === 'image') ? 'gallery' : 'folder';
}

/** Every file the experiment's finished jobs published, as slots in the order jobs published them. */
export function experimentSlots(experiment: ReportExperiment): Slot[] {
  const slots = new Map<string, Slot>();
  for (const job of experiment.jobs) {
    const byPath = new Map(job.files.map((f) => [f.path, f]));
    for (const file of job.files) {
      const png = file.kind === 'svg' ? byPath.get(file.path.replace(/\.svg$/i, '.png')) : undefined;
      if (png) continue; // shown as its PNG's SVG link
      const { key, seed } = slotKey(job.job.key, experiment.name, file.name);
      const slot = slots.get(key) ?? { key, kind: slotKind(file), jobKind: job.job.kind, copies: [] };
      slots.set(key, slot);
      const svg = file.kind === 'image' ? byPath.get(file.path.replace(/\.png$/i, '.svg')) : undefined;
      slot.copies.push({ seed, file, svg: svg && svg !== file ? svg : undefined });
    }
  }
  return [...slots.values()];
}

export const isFigure = (slot: Slot) =>
  slot.kind === 'image' || slot.kind === 'svg' || slot.kind === 'gallery';

/** The slot whose key ends with `name` (a published file name such as `tables/loss.csv`). */
export function slotNamed(slots: readonly Slot[], name: string): Slot | undefined {
  return slots.find(
    (slot) => slot.key === name || slot.key.endsWith(`/${name}`) || path.posix.basename(slot.key) === name,
  );
}
