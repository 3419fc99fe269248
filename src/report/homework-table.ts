// The report's opening table, "Homework vs measured": each figure and number of the homework the
// run's config answers (./homework.ts), its value as printed, probelab's (mean ± sd over seeds),
// and a link to the figure or section that shows it; then every experiment of the config that no
// homework line names, in config order, with what it published.
import path from 'node:path';
import { readVerdictCsv, VERDICT_FILE } from '../claims/verdict';
import { HOMEWORK, type HomeworkItem } from './homework';
import { escapeHtml } from './html';
import { measure, type Measured } from './measures';
import type { ReportExperiment, RunContents } from './run-contents';
import { isFigure, type Slot, slotNamed } from './slots';

export const HOMEWORK_ANCHOR = 'homework';

export interface ConfigExperiment {
  name: string;
  kind: string;
  mode?: string;
}

/** The experiment of the config that answers a homework line: the first of its kind (and mode). */
export function answering(item: HomeworkItem, experiments: readonly ConfigExperiment[]): string | undefined {
  return experiments.find(
    (e) => e.kind === item.kind && (item.mode === undefined || (e.mode ?? 'maps') === item.mode),
  )?.name;
}

export interface TableRow {
  item: string;
  homework: string;
  measured: Measured;
  /** Where the page shows it: `report-problem-4.html#fig-…`. */
  target: string;
}

/** Where things are on the pages, for the links. */
export interface Locator {
  experimentHref(experiment: string): string;
  figureHref(experiment: string, slot: Slot): string;
}

export function homeworkRows(
  contents: RunContents,
  config: readonly ConfigExperiment[],
  slotsOf: (experiment: string) => Slot[],
  at: Locator,
): TableRow[] {
  const rows: TableRow[] = [];
  for (const item of HOMEWORK) {
    const name = answering(item, config);
    if (!name || !contents.experiments.some((e) => e.name === name)) continue;
    const slots = slotsOf(name);
    const figure = item.figure ? slotNamed(slots, item.figure) : undefined;
    const table = item.measure ? slotNamed(slots, item.measure.file) : undefined;
    const files = (table?.copies ?? []).map((c) => ({
      seed: c.seed,
      file: path.join(contents.runDir, ...c.file.path.split('/')),
    }));
    rows.push({
      item: item.detail ? `${item.item} (${item.detail})` : item.item,
      homework: item.homework,
      measured: item.measure
        ? measure(item.measure, files)
        : { text: figure ? 'see the figure' : 'not published' },
      target: figure ? at.figureHref(name, figure) : at.experimentHref(name),
    });
  }
  return rows;
}

/** What an experiment no homework line names published: its verdicts, or its count of figures and tables. */
function publishedSummary(contents: RunContents, experiment: ReportExperiment, slots: Slot[]): string {
  const failed = experiment.jobs.filter((j) => j.state === 'failed').length;
  const done = experiment.jobs.filter((j) => j.state === 'done').length;
  const state = `${done} of ${experiment.jobs.length} jobs done${failed ? `, ${failed} failed` : ''}`;
  const verdicts = slots.filter((s) => s.key.endsWith(VERDICT_FILE));
  if (verdicts.length) {
    try {
      const rows = verdicts.flatMap((s) =>
        readVerdictCsv(path.join(contents.runDir, ...s.copies[0].file.path.split('/'))),
      );
      return `${rows.map((r) => `${r.claim}: ${r.verdict}`).join('; ')} (${state})`;
    } catch (error) {
      return `cannot read the verdict: ${(error as Error).message}`;
    }
  }
  const figures = slots.filter(isFigure).length;
  const tables = slots.filter((s) => s.kind === 'table').length;
  return `${figures} figure${figures === 1 ? '' : 's'}, ${tables} table${tables === 1 ? '' : 's'} (${state})`;
}

export function otherExperimentRows(
  contents: RunContents,
  others: readonly ReportExperiment[],
  slotsOf: (experiment: string) => Slot[],
  at: Locator,
): TableRow[] {
  return others.map((experiment) => ({
    item: `${experiment.name} (${experiment.kinds[0] ?? 'no jobs'})`,
    homework: '',
    measured: { text: publishedSummary(contents, experiment, slotsOf(experiment.name)) },
    target: at.experimentHref(experiment.name),
  }));
}

export function homeworkTableHtml(rows: readonly TableRow[], seeds: number): string {
  const body = rows.map((row) => {
    const title = row.measured.title ? ` title="${escapeHtml(row.measured.title)}"` : '';
    return `<tr><td>${escapeHtml(row.item)}</td><td class="num">${escapeHtml(row.homework || '—')}</td><td class="num"${title}>${escapeHtml(row.measured.text)}</td><td><a href="${escapeHtml(row.target)}">show</a></td></tr>`;
  });
  const note =
    seeds > 1
      ? `Where the run has ${seeds} seeds, probelab's value is their mean ± sd (sample standard deviation); hover for each seed's.`
      : 'One seed: each value is that seed’s.';
  return [
    `<section id="${HOMEWORK_ANCHOR}"><h2>Homework vs measured</h2>`,
    '<div class="table-wrap"><table class="homework"><thead><tr><th>homework</th><th>its value</th><th>probelab measured</th><th></th></tr></thead>',
    `<tbody>${body.join('\n')}</tbody></table></div>`,
    `<p class="note">${escapeHtml(note)} Full precision in the tables each section links.</p></section>`,
  ].join('\n');
}
