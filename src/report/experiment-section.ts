// One experiment's section of the report: its figures (captioned, one seed chooser per figure),
// then its raw tables folded behind a "data" disclosure (the first rows of one seed's copy, every
// copy linked as CSV), then its job list, folded too.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { escapeHtml, csvTable, link } from './html';
import { readablePreview } from './numbers';
import { figureCaption } from './captions';
import { figureHtml } from './figure-html';
import { flattenFiles, readJobResult, type ReportExperiment, type ReportJob } from './run-contents';
import { meanSdSeries, meanSdSvg, SEED_CHARTS } from './seed-chart';
import { isFigure, type Slot, slotNamed } from './slots';

export interface SectionOptions {
  runDir: string;
  /** Body rows shown per table before it is cut (the whole table stays linked). */
  maxTableRows: number;
  /** Pictures shown per folder of pictures (e.g. many adversarial images). */
  maxFolderImages: number;
  /** Figures shown per experiment (an attribution job publishes one per image); the rest are linked. */
  maxFigures: number;
  /** Tables previewed per experiment; the rest are linked. */
  maxTables: number;
  /** Rows of each experiment's job list. */
  maxJobRows: number;
}

/** What the homework calls a figure: "Figure 7" and its caption, by slot key. */
export type FigureLabels = Map<string, { number?: string; caption: string }>;

export const experimentAnchor = (name: string) => `exp-${name.replace(/[^A-Za-z0-9_-]+/g, '-')}`;

export function figureAnchor(experiment: string, slot: Slot): string {
  return `fig-${experiment}-${slot.key}`.replace(/[^A-Za-z0-9_-]+/g, '-');
}

function copyLinks(slot: Slot): string {
  return slot.copies
    .map((c, i) => link(c.file.path, c.seed ?? (slot.copies.length > 1 ? `copy ${i + 1}` : c.file.name)))
    .join(' · ');
}

/** Files linked one by one per list; past that, the folder that holds them is linked. */
const MAX_LINKED = 40;

/** The experiment's published `tables/` or `figures/` folder, when it has one. */
function folder(experiment: string, top: 'tables' | 'figures', options: SectionOptions): string | undefined {
  const relative = `${top}/${experiment}`;
  return existsSync(path.join(options.runDir, top, experiment)) ? relative : undefined;
}

function moreInFolder(count: number, noun: string, where: string | undefined): string {
  if (count <= 0) return '';
  const place = where ? `: ${link(where, `open ${where}/`)}` : '';
  return `<p class="source">… and ${count} more ${noun}${count === 1 ? '' : 's'}${place}</p>`;
}

/** The files inside a published folder, linked (the first 20). */
function folderFiles(slot: Slot): string {
  if (slot.kind !== 'folder') return '';
  const files = flattenFiles(slot.copies[0].file.children ?? []);
  const shown = files.slice(0, 20).map((f) => link(f.path, f.name));
  const more = files.length > shown.length ? ` and ${files.length - shown.length} more` : '';
  return files.length ? `<br>${shown.join(', ')}${more}` : '';
}

function dataSection(experiment: string, slots: Slot[], options: SectionOptions): string {
  if (slots.length === 0) return '';
  const tables = slots.filter((s) => s.kind === 'table');
  // Past the cap a table is linked, not previewed: an attribution job writes one map per image.
  const parts = tables.slice(0, options.maxTables).map((slot) => {
    const first = slot.copies[0].file;
    const seeds = slot.copies.length > 1 ? `<p class="source">every seed's CSV: ${copyLinks(slot)}</p>` : '';
    return `<div class="table"><h4>${escapeHtml(slot.key)}</h4>${seeds}${csvTable(options.runDir, first.path, first.bytes, options.maxTableRows)}</div>`;
  });
  const others = [...tables.slice(options.maxTables), ...slots.filter((s) => s.kind !== 'table')];
  if (others.length)
    parts.push(
      `<ul class="files">${others
        .slice(0, MAX_LINKED)
        .map((s) => `<li>${escapeHtml(s.key)}: ${copyLinks(s)}${folderFiles(s)}</li>`)
        .join(
          '',
        )}</ul>${moreInFolder(others.length - MAX_LINKED, 'file', folder(experiment, 'tables', options))}`,
    );
  const counts = [
    tables.length ? `${tables.length} table${tables.length === 1 ? '' : 's'}` : '',
    tables.length > options.maxTables ? `the first ${options.maxTables} shown` : '',
    slots.length > tables.length
      ? `${slots.length - tables.length} other file${slots.length - tables.length === 1 ? '' : 's'}`
      : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `<details class="data"><summary>data: ${counts}</summary>${parts.join('\n')}</details>`;
}

function jobsTable(experiment: ReportExperiment, options: SectionOptions): string {
  const shown = experiment.jobs.slice(0, options.maxJobRows);
  const rows = shown.map(({ job, state, error }) => {
    const result = state === 'done' ? readJobResult(options.runDir, job.id) : undefined;
    const detail = error
      ? `<span class="error">${escapeHtml(error)}</span>`
      : result === undefined
        ? ''
        : escapeHtml(readablePreview(result, 240));
    return `<tr class="state-${escapeHtml(state)}"><td>${escapeHtml(job.key)}</td><td>${escapeHtml(job.kind)}</td><td>${escapeHtml(state)}</td><td><code>${job.id.slice(0, 10)}</code></td><td class="detail">${detail}</td></tr>`;
  });
  const hidden = experiment.jobs.length - shown.length;
  if (hidden > 0) {
    const more = `${hidden} more job${hidden === 1 ? '' : 's'} not listed here: <code>run-experiments status ${escapeHtml(options.runDir)}</code> counts them and lists every failure`;
    rows.push(`<tr><td colspan="5" class="detail">${more}</td></tr>`);
  }
  return `<details><summary>Jobs (${experiment.jobs.length})</summary><div class="table-wrap"><table class="jobs"><thead><tr><th>key</th><th>kind</th><th>state</th><th>id</th><th>result or error</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div></details>`;
}

function countStates(jobs: ReportJob[]): string {
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
  return `${jobs.length} job${jobs.length === 1 ? '' : 's'}: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}`;
}

/** The mean ± sd chart of a figure each seed draws (SEED_CHARTS), from the seeds' tables. */
function acrossSeeds(slot: Slot, slots: Slot[], runDir: string): { label: string; body: string } | undefined {
  const spec = SEED_CHARTS.find((c) => path.posix.basename(slot.key) === c.figure);
  const table = spec ? slotNamed(slots, spec.table) : undefined;
  if (!spec || !table || table.copies.length < 2) return undefined;
  const label = `mean ± sd (${table.copies.length} seeds)`;
  try {
    const files = table.copies.map((c) => path.join(runDir, ...c.file.path.split('/')));
    const body = meanSdSvg(spec, meanSdSeries(spec, files), files.length);
    return { label, body: `${body}<p class="source">from ${copyLinks(table)}</p>` };
  } catch (error) {
    return { label, body: `<p class="error">${escapeHtml((error as Error).message)}</p>` };
  }
}

export function experimentSection(
  experiment: ReportExperiment,
  slots: Slot[],
  labels: FigureLabels,
  options: SectionOptions,
): string {
  const parts = [
    `<section id="${experimentAnchor(experiment.name)}"><h2>${escapeHtml(experiment.name)} <small>${experiment.kinds.map(escapeHtml).join(', ')}</small></h2>`,
    `<p class="states">${escapeHtml(countStates(experiment.jobs))}</p>`,
  ];
  for (const job of experiment.jobs.filter((j) => j.state === 'failed'))
    parts.push(
      `<p class="error">${escapeHtml(job.job.key)} failed: ${escapeHtml(job.error ?? 'unknown error')}</p>`,
    );
  const figures = slots.filter(isFigure);
  const shown = figures.slice(0, options.maxFigures);
  const figureOptions = { runDir: options.runDir, maxGalleryImages: options.maxFolderImages };
  const html = shown.map((slot) => {
    const label = labels.get(slot.key);
    const caption = label?.caption ?? figureCaption(slot.key, slot.jobKind);
    return figureHtml(slot, {
      ...figureOptions,
      id: figureAnchor(experiment.name, slot),
      number: label?.number,
      caption,
      summary: acrossSeeds(slot, slots, options.runDir),
    });
  });
  if (html.length) parts.push(`<div class="figures">${html.join('\n')}</div>`);
  const linked = figures.slice(shown.length);
  if (linked.length)
    parts.push(
      `<p class="source">${linked.length} more figure${linked.length === 1 ? '' : 's'}, linked only: ${linked
        .slice(0, MAX_LINKED)
        .map((s) => `${escapeHtml(figureCaption(s.key, s.jobKind))} (${copyLinks(s)})`)
        .join(
          ', ',
        )}</p>${moreInFolder(linked.length - MAX_LINKED, 'figure', folder(experiment.name, 'figures', options))}`,
    );
  parts.push(
    dataSection(
      experiment.name,
      slots.filter((s) => !isFigure(s)),
      options,
    ),
    jobsTable(experiment, options),
    '</section>',
  );
  return parts.join('\n');
}
