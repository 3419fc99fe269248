// The report: HTML pages a person opens from the run folder (no server, no script, works offline).
// report.html opens with "Homework vs measured" (each homework figure and number beside probelab's,
// linked to the figure that shows it), then the run's state, the claims' verdicts and which
// attribution to trust; the figures and tables follow on one page per homework chapter (./pages.ts),
// captioned, one seed chooser per figure, raw tables folded behind "data". A sticky side navigation
// on every page reaches every section. Numbers are rounded for reading (./numbers.ts); the files
// keep every digit. Built from the run folder alone, so `run-experiments report` can rebuild it.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { writeFileAtomic } from '../files';
import { CLAIMS_SECTION_ID, CLAIMS_TITLE, claimsSection } from './claims';
import {
  experimentAnchor,
  experimentSection,
  type FigureLabels,
  figureAnchor,
  type SectionOptions,
} from './experiment-section';
import { HOMEWORK } from './homework';
import {
  answering,
  type ConfigExperiment,
  HOMEWORK_ANCHOR,
  homeworkRows,
  homeworkTableHtml,
  type Locator,
  otherExperimentRows,
} from './homework-table';
import { escapeHtml, link, readCsvRows } from './html';
import { readableCell } from './numbers';
import { FIRST_PAGE, planPages, type ReportPage } from './pages';
import { readRunContents, type RunContents } from './run-contents';
import { experimentSlots, isFigure, type Slot, slotNamed } from './slots';
import { REPORT_CSS } from './style';
import { compareRuns } from '../diff/compare-runs';
import { BASELINE_ANCHOR, BASELINE_TITLE, baselineSection } from './baseline-section';
import { TRUST_ANCHOR, trustSection } from './trust-section';

export const REPORT_FILE = FIRST_PAGE;

export interface ReportOptions {
  /** Another run folder: the first page compares this run's tables with it (`report --baseline`). */
  baseline?: string;
  /** Body rows shown per table before it is cut (the whole table stays linked). */
  maxTableRows?: number;
  /** Pictures shown per folder of pictures (e.g. many adversarial images). */
  maxFolderImages?: number;
  /** Figures shown per experiment (an attribution job publishes one per image); the rest are linked. */
  maxFigures?: number;
  /** Tables previewed per experiment (an attribution job writes one map per image); the rest are linked. */
  maxTables?: number;
  /** Rows of each experiment's job list (a sweep of 10,000 jobs would make a page nobody opens). */
  maxJobRows?: number;
}

export interface BuiltReport {
  /** report.html, the first page. */
  file: string;
  /** Every page written, report.html first. */
  pages: string[];
  images: number;
  tables: number;
  experiments: number;
}

/** The config's experiments (name, kind, mode), from the copy the run keeps; [] without one. */
function configExperiments(contents: RunContents): ConfigExperiment[] {
  try {
    const parsed = YAML.parse(contents.config?.text ?? '') as { experiments?: ConfigExperiment[] } | null;
    return Array.isArray(parsed?.experiments) ? parsed.experiments : [];
  } catch {
    return [];
  }
}

/** "Figure 7" and its caption for each homework figure, by experiment and slot key. */
function homeworkLabels(
  config: ConfigExperiment[],
  slotsOf: (e: string) => Slot[],
): Map<string, FigureLabels> {
  const labels = new Map<string, FigureLabels>();
  for (const item of HOMEWORK) {
    const numbered = item.item.match(/^(Figure \d+): (.*)$/);
    const name = answering(item, config);
    if (!numbered || !item.figure || !name) continue;
    const slot = slotNamed(slotsOf(name), item.figure);
    if (!slot) continue;
    const forExperiment = labels.get(name) ?? new Map();
    labels.set(name, forExperiment);
    forExperiment.set(slot.key, { number: numbered[1], caption: numbered[2] });
  }
  return labels;
}

/** "test accuracy 0.9592 ± 0.0012 (mean ± sd over 3 seeds)" from a train experiment's accuracy.csv. */
export function accuracySentence(file: string): string {
  const [header, ...rows] = readCsvRows(file);
  const column = (name: string) => header.indexOf(name);
  const row = (seed: string) => rows.find((r) => r[0] === seed);
  const seeds = rows.filter((r) => r[0] !== 'mean' && r[0] !== 'sd').length;
  const [mean, sd] = [row('mean'), row('sd')];
  const test = column('test_accuracy');
  const train = column('train_accuracy');
  if (!mean || !sd || test < 0)
    return `accuracy per seed: see the table (${seeds} seed${seeds === 1 ? '' : 's'})`;
  const shown = (row: string[], column: number) => readableCell(row[column]).text;
  const trainText = train >= 0 ? `, training accuracy ${shown(mean, train)} ± ${shown(sd, train)}` : '';
  return `Test accuracy ${shown(mean, test)} ± ${shown(sd, test)}${trainText} (mean ± sd over ${seeds} seed${seeds === 1 ? '' : 's'})`;
}

class ReportBuilder {
  readonly config: ConfigExperiment[];
  readonly slots = new Map<string, Slot[]>();
  readonly pages: ReportPage[];
  readonly others: RunContents['experiments'];
  readonly labels: Map<string, FigureLabels>;
  private readonly pageOf = new Map<string, string>();

  constructor(
    readonly contents: RunContents,
    readonly options: SectionOptions,
  ) {
    this.config = configExperiments(contents);
    for (const e of contents.experiments) this.slots.set(e.name, experimentSlots(e));
    const figures = (e: { name: string }) =>
      Math.min(this.slotsOf(e.name).filter(isFigure).length, options.maxFigures);
    ({ pages: this.pages, others: this.others } = planPages(contents.experiments, this.config, figures));
    for (const page of this.pages) for (const e of page.experiments) this.pageOf.set(e.name, page.file);
    this.labels = homeworkLabels(this.config, (name) => this.slotsOf(name));
  }

  slotsOf = (name: string): Slot[] => this.slots.get(name) ?? [];

  readonly at: Locator = {
    experimentHref: (name) => `${this.pageOf.get(name) ?? FIRST_PAGE}#${experimentAnchor(name)}`,
    figureHref: (name, slot) => `${this.pageOf.get(name) ?? FIRST_PAGE}#${figureAnchor(name, slot)}`,
  };

  seeds(): number {
    const seeds = new Set(this.contents.plan.jobs.flatMap((j) => j.key.match(/seed=\d+/) ?? []));
    return seeds.size;
  }

  /** The side navigation, the same on every page; the current page's links marked. */
  nav(current: string, extras: { href: string; text: string }[]): string {
    const item = (href: string, text: string, cls = '') =>
      `<li${cls ? ` class="${cls}"` : ''}><a href="${escapeHtml(href)}">${escapeHtml(text)}</a></li>`;
    const first = [
      item(`${FIRST_PAGE}#${HOMEWORK_ANCHOR}`, 'Homework vs measured'),
      item(`${FIRST_PAGE}#overview`, 'Run overview'),
      ...extras.map((e) => item(`${FIRST_PAGE}#${e.href}`, e.text)),
    ];
    const chapters: string[] = [];
    for (const page of this.pages) {
      const here = page.file === current ? 'here' : '';
      const entries = page.experiments.map((e) => {
        const numbered = [...(this.labels.get(e.name) ?? new Map()).entries()].map(([key, label]) => {
          const slot = this.slotsOf(e.name).find((s) => s.key === key)!;
          return item(this.at.figureHref(e.name, slot), `${label.number}: ${label.caption}`, 'figure');
        });
        const sub = numbered.length ? `<ul>${numbered.join('')}</ul>` : '';
        return `<li class="${here}"><a href="${escapeHtml(this.at.experimentHref(e.name))}">${escapeHtml(e.name)}</a>${sub}</li>`;
      });
      chapters.push(`<h3>${escapeHtml(page.title)}</h3><ul>${entries.join('')}</ul>`);
    }
    const config = item(`${FIRST_PAGE}#config`, 'Config');
    return `<nav aria-label="Contents"><h2><a href="${FIRST_PAGE}">probelab · ${escapeHtml(this.contents.plan.name)}</a></h2><ul class="${current === FIRST_PAGE ? 'here' : ''}">${first.join('')}</ul>${chapters.join('')}<ul>${config}</ul></nav>`;
  }

  stateLine(): string {
    const { plan, summary } = this.contents;
    return summary
      ? `${summary.counts.done} of ${summary.counts.total} jobs done, ${summary.counts.failed} failed, ${summary.counts.blocked} blocked, ${summary.counts.pending} pending; last run finished ${summary.finishedAt} after ${(summary.ms / 1000).toFixed(1)} s${summary.configHash ? `; config ${summary.configHash}` : ''}`
      : `${plan.jobs.length} jobs planned (no summary.json: the run has not finished)`;
  }

  shell(file: string, title: string, nav: string, body: string[]): string {
    const name = escapeHtml(this.contents.plan.name);
    return [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>probelab: ${name}${file === FIRST_PAGE ? '' : ` — ${escapeHtml(title)}`}</title><style>${REPORT_CSS}</style></head><body>`,
      `<div class="layout">${nav}<main>`,
      `<header><h1>${file === FIRST_PAGE ? `probelab report: ${name}` : escapeHtml(title)}</h1><p class="source">${escapeHtml(this.stateLine())}.</p></header>`,
      ...body,
      `<footer><p>Generated ${new Date().toISOString()} by probelab from ${escapeHtml(this.contents.runDir)}; rebuild with <code>run-experiments report ${escapeHtml(this.contents.runDir)}</code>.</p></footer>`,
      '</main></div></body></html>',
    ].join('\n');
  }
}

/** The model's accuracy per seed of each train experiment, and the run's failures. */
function overview(builder: ReportBuilder): string {
  const parts: string[] = [];
  for (const experiment of builder.contents.experiments) {
    const accuracy = slotNamed(builder.slotsOf(experiment.name), 'summary/tables/accuracy.csv');
    if (!accuracy) continue;
    const file = path.join(builder.contents.runDir, ...accuracy.copies[0].file.path.split('/'));
    parts.push(
      `<p><a href="${escapeHtml(builder.at.experimentHref(experiment.name))}">${escapeHtml(experiment.name)}</a>: ${escapeHtml(accuracySentence(file))} · ${link(accuracy.copies[0].file.path, 'CSV')}</p>`,
    );
  }
  const failed = builder.contents.experiments.flatMap((e) => e.jobs.filter((j) => j.state === 'failed'));
  if (failed.length)
    parts.push(
      `<h3>Failed jobs</h3><ul class="error">${failed.map((j) => `<li>${escapeHtml(j.job.key)}: ${escapeHtml(j.error ?? 'unknown error')}</li>`).join('')}</ul>`,
    );
  const { plan, runDir } = builder.contents;
  const files = `<p class="source">Run folder ${escapeHtml(runDir)} · ${link('plan.json')} · ${link('summary.json')} · ${plan.jobs.length} jobs planned</p>`;
  return `<section id="overview"><h2>Run overview</h2>${parts.join('\n') || '<p>No trained models in this run.</p>'}${files}</section>`;
}

/** The verdict sections of the first page, the comparison with a baseline run, and their entries in the navigation. */
function verdicts(builder: ReportBuilder, baseline: string) {
  const claims = claimsSection(builder.contents, builder.at.experimentHref);
  const trust = trustSection(builder.contents);
  const extras = [
    ...(claims ? [{ href: CLAIMS_SECTION_ID, text: CLAIMS_TITLE }] : []),
    ...(trust ? [{ href: TRUST_ANCHOR, text: 'Which attribution to trust' }] : []),
    ...(baseline ? [{ href: BASELINE_ANCHOR, text: BASELINE_TITLE }] : []),
  ];
  return { claims, trust, baseline, extras };
}

function firstPage(
  builder: ReportBuilder,
  { claims, trust, baseline, extras }: ReturnType<typeof verdicts>,
): string {
  const { contents } = builder;
  const rows = [
    ...homeworkRows(contents, builder.config, builder.slotsOf, builder.at),
    ...otherExperimentRows(contents, builder.others, builder.slotsOf, builder.at),
  ];
  const { config } = contents;
  const configSection = `<section id="config"><h2>Config</h2>${config ? `<details><summary>${escapeHtml(config.source)}</summary><pre>${escapeHtml(config.text)}</pre></details>` : '<p>The config file is no longer where the plan says it was.</p>'}</section>`;
  const pages = builder.pages.map(
    (p) =>
      `<li><a href="${escapeHtml(p.file)}">${escapeHtml(p.title)}</a>: ${p.experiments.map((e) => escapeHtml(e.name)).join(', ')}</li>`,
  );
  const pageList = pages.length
    ? `<section id="pages"><h2>Figures and tables</h2><ul>${pages.join('')}</ul></section>`
    : '';
  return builder.shell(FIRST_PAGE, 'report', builder.nav(FIRST_PAGE, extras), [
    homeworkTableHtml(rows, builder.seeds()),
    overview(builder),
    baseline,
    claims,
    trust,
    pageList,
    configSection,
  ]);
}

function chapterPage(
  builder: ReportBuilder,
  page: ReportPage,
  extras: { href: string; text: string }[],
): string {
  const index = builder.pages.indexOf(page);
  const step = (other: ReportPage | undefined, word: string) =>
    other ? `<a href="${escapeHtml(other.file)}">${word}: ${escapeHtml(other.title)}</a>` : '';
  const sections = page.experiments.map((e) =>
    experimentSection(e, builder.slotsOf(e.name), builder.labels.get(e.name) ?? new Map(), builder.options),
  );
  const steps = `<p class="steps">${[step(builder.pages[index - 1], '← previous'), step(builder.pages[index + 1], 'next →')].filter(Boolean).join(' · ')}</p>`;
  return builder.shell(page.file, page.title, builder.nav(page.file, extras), [...sections, steps]);
}

/** Writes report.html and its chapter pages into the run folder; removes pages a former build left. */
export function buildReport(runDir: string, options: ReportOptions = {}): BuiltReport {
  const contents = readRunContents(runDir);
  const builder = new ReportBuilder(contents, {
    runDir: contents.runDir,
    maxTableRows: options.maxTableRows ?? 10,
    maxFolderImages: options.maxFolderImages ?? 12,
    maxFigures: options.maxFigures ?? 24,
    maxTables: options.maxTables ?? 12,
    maxJobRows: options.maxJobRows ?? 200,
  });
  // `--baseline`: the section comparing this run with a baseline run (baseline-section.ts).
  const baseline = options.baseline ? baselineSection(compareRuns(options.baseline, contents.runDir)) : '';
  const sections = verdicts(builder, baseline);
  const first = firstPage(builder, sections);
  const { extras } = sections;
  const written = new Map([[FIRST_PAGE, first]]);
  for (const page of builder.pages) written.set(page.file, chapterPage(builder, page, extras));
  for (const [name, html] of written) writeFileAtomic(path.join(contents.runDir, name), html);
  for (const stale of readdirSync(contents.runDir).filter(
    (f) => /^report-.+\.html$/.test(f) && !written.has(f),
  ))
    rmSync(path.join(contents.runDir, stale), { force: true });
  const all = [...written.values()].join('\n');
  return {
    file: path.join(contents.runDir, FIRST_PAGE),
    pages: [...written.keys()].map((name) => path.join(contents.runDir, name)),
    images: all.match(/<img /g)?.length ?? 0,
    tables: all.match(/<table data-source=/g)?.length ?? 0,
    experiments: contents.experiments.length,
  };
}

/** For the end of a run: builds the report, and says why not instead of failing the run. */
export function buildReportAfterRun(runDir: string, log: (line: string) => void): string | undefined {
  try {
    const built = buildReport(runDir);
    log(`report → ${built.file}`);
    return built.file;
  } catch (error) {
    log(`report not written: ${(error as Error).message}`);
    return undefined;
  }
}
