// report.html: one page a person opens from the run folder (no server, works offline). Every
// figure, chart and table the jobs published, under its experiment's name, with links to the
// CSV and SVG files; up front the run's state, the model summary and the accuracy per seed with
// mean ± sd; the config at the end. Numbers are rounded for reading (./numbers.ts); the files
// keep every digit. Images are referenced by relative paths into the run folder, tables are
// inlined. Built from the run folder alone, so `run-experiments report` can rebuild it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../files';
import { CLAIMS_SECTION_ID, CLAIMS_TITLE, claimsSection } from './claims';
import { csvTable, escapeHtml, href, jsonFold, link, readCsvRows } from './html';
import { readableCell, readablePreview } from './numbers';
import {
  flattenFiles,
  readJobResult,
  readRunContents,
  type ReportExperiment,
  type ReportFile,
  type ReportJob,
  type RunContents,
} from './run-contents';
import { REPORT_CSS } from './style';
import { TRUST_ANCHOR, trustSection } from './trust-section';

export const REPORT_FILE = 'report.html';

export interface ReportOptions {
  /** Body rows shown per table before it is cut (the whole table stays linked). */
  maxTableRows?: number;
  /** Pictures shown per published folder or job (e.g. many adversarial images). */
  maxFolderImages?: number;
  /** Tables inlined per job or folder (an attribution job publishes one per image); the rest are linked. */
  maxListTables?: number;
  /** Rows of each experiment's job list (a sweep of 10,000 jobs would make a page nobody opens). */
  maxJobRows?: number;
}

export interface BuiltReport {
  file: string;
  images: number;
  tables: number;
  experiments: number;
}

const anchor = (name: string) => `exp-${name.replace(/[^A-Za-z0-9_-]+/g, '-')}`;

/** A job's key without its experiment's name: `shift/seed=1/strip` → `seed=1/strip`. */
function shortKey(job: ReportJob): string {
  const rest = job.job.key.slice(job.job.experiment.length + 1);
  return rest || job.job.experiment;
}

class PageBuilder {
  images = 0;
  tables = 0;
  private seenTables = new Map<string, string>();

  constructor(
    private readonly contents: RunContents,
    private readonly options: Required<ReportOptions>,
  ) {}

  image(file: ReportFile, svg?: ReportFile): string {
    this.images++;
    const extra = svg ? ` · ${link(svg.path, 'SVG')}` : '';
    return `<figure><img src="${href(file.path)}" alt="${escapeHtml(file.name)}"><figcaption>${link(file.path, file.name)}${extra}</figcaption></figure>`;
  }

  /** Identical tables (the same model summary for every seed) are shown once, then pointed to. */
  table(file: ReportFile): string {
    const digest = createHash('sha1')
      .update(readFileSync(path.join(this.contents.runDir, ...file.path.split('/'))))
      .digest('hex');
    const first = this.seenTables.get(digest);
    if (first)
      return `<p class="source">${escapeHtml(file.name)}: the same table as ${link(first)} (${link(file.path, 'this copy')})</p>`;
    this.seenTables.set(digest, file.path);
    this.tables++;
    return `<div class="table"><h4>${escapeHtml(file.name)}</h4>${csvTable(this.contents.runDir, file.path, file.bytes, this.options.maxTableRows)}</div>`;
  }

  files(files: ReportFile[]): string {
    const byPath = new Map(files.map((f) => [f.path, f]));
    const pictures: string[] = [];
    const rest: string[] = [];
    // Past the caps, files are linked rather than shown, so a job of 1,000 maps keeps the page light.
    const linkedOnly: ReportFile[] = [];
    let tables = 0;
    const picture = (file: ReportFile, svg?: ReportFile) => {
      if (pictures.length < this.options.maxFolderImages) pictures.push(this.image(file, svg));
      else linkedOnly.push(file);
    };
    for (const file of files) {
      if (file.kind === 'image') {
        const svg = byPath.get(file.path.replace(/\.png$/i, '.svg'));
        picture(file, svg && svg !== file ? svg : undefined);
      } else if (file.kind === 'svg') {
        if (!byPath.has(file.path.replace(/\.svg$/i, '.png'))) picture(file);
      } else if (file.kind === 'table') {
        if (tables++ < this.options.maxListTables) rest.push(this.table(file));
        else linkedOnly.push(file);
      } else if (file.kind === 'json')
        rest.push(
          jsonFold(
            `${escapeHtml(file.name)} (${link(file.path, 'file')})`,
            readFileSync(path.join(this.contents.runDir, ...file.path.split('/')), 'utf8'),
          ),
        );
      else if (file.kind === 'folder') rest.push(this.folder(file));
      else rest.push(`<p class="source">${link(file.path, file.name)}</p>`);
    }
    if (linkedOnly.length)
      rest.push(
        `<p class="source">${linkedOnly.length} more file${linkedOnly.length === 1 ? '' : 's'}, linked only: ${linkedOnly.map((f) => link(f.path, f.name)).join(', ')}</p>`,
      );
    return `${pictures.length ? `<div class="gallery">${pictures.join('\n')}</div>` : ''}${rest.join('\n')}`;
  }

  folder(file: ReportFile): string {
    const all = flattenFiles(file.children ?? []);
    const images = all.filter((f) => f.kind === 'image');
    const shown = images.slice(0, this.options.maxFolderImages);
    const others = all.filter((f) => f.kind !== 'image');
    const note = images.length > shown.length ? ` (first ${shown.length} of ${images.length} pictures)` : '';
    return [
      `<div class="folder"><h4>${escapeHtml(file.name)} — ${all.length} file${all.length === 1 ? '' : 's'}${note}: ${link(file.path, 'open folder')}</h4>`,
      shown.length ? `<div class="gallery thumbs">${shown.map((f) => this.image(f)).join('\n')}</div>` : '',
      others.length ? this.files(others) : '',
      '</div>',
    ].join('\n');
  }

  jobsTable(experiment: ReportExperiment): string {
    const shown = experiment.jobs.slice(0, this.options.maxJobRows);
    const rows = shown.map(({ job, state, error }) => {
      const result = state === 'done' ? readJobResult(this.contents.runDir, job.id) : undefined;
      const detail = error
        ? `<span class="error">${escapeHtml(error)}</span>`
        : result === undefined
          ? ''
          : escapeHtml(readablePreview(result, 240));
      return `<tr class="state-${escapeHtml(state)}"><td>${escapeHtml(job.key)}</td><td>${escapeHtml(job.kind)}</td><td>${escapeHtml(state)}</td><td><code>${job.id.slice(0, 10)}</code></td><td class="detail">${detail}</td></tr>`;
    });
    const hidden = experiment.jobs.length - shown.length;
    if (hidden > 0) {
      const more = `${hidden} more job${hidden === 1 ? '' : 's'} not listed here: <code>run-experiments status ${escapeHtml(this.contents.runDir)}</code> counts them and lists every failure`;
      rows.push(`<tr><td colspan="5" class="detail">${more}</td></tr>`);
    }
    return `<details><summary>Jobs (${experiment.jobs.length})</summary><div class="table-wrap"><table class="jobs"><thead><tr><th>key</th><th>kind</th><th>state</th><th>id</th><th>result or error</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div></details>`;
  }

  experiment(experiment: ReportExperiment): string {
    const states = countStates(experiment.jobs);
    const parts = [
      `<section id="${anchor(experiment.name)}"><h2>${escapeHtml(experiment.name)} <small>${experiment.kinds.map(escapeHtml).join(', ')}</small></h2>`,
      `<p class="states">${escapeHtml(states)}</p>`,
    ];
    for (const job of experiment.jobs) {
      if (job.state === 'failed')
        parts.push(
          `<p class="error">${escapeHtml(job.job.key)} failed: ${escapeHtml(job.error ?? 'unknown error')}</p>`,
        );
      if (job.files.length === 0) continue;
      parts.push(`<div class="job"><h3>${escapeHtml(shortKey(job))}</h3>${this.files(job.files)}</div>`);
    }
    parts.push(this.jobsTable(experiment), '</section>');
    return parts.join('\n');
  }

  /** The model summary and accuracy per seed of each train experiment, first on the page. */
  overview(): string {
    const parts: string[] = [];
    for (const experiment of this.contents.experiments) {
      const summaryJob = experiment.jobs.find((j) => j.job.kind === 'train-summary');
      const accuracy = summaryJob?.files.find((f) => f.name === 'tables/accuracy.csv');
      const modelSummary = experiment.jobs
        .find((j) => j.job.kind === 'train')
        ?.files.find((f) => f.name === 'tables/model_summary.csv');
      if (!accuracy && !modelSummary) continue;
      parts.push(
        `<h3>Models of <a href="#${anchor(experiment.name)}">${escapeHtml(experiment.name)}</a></h3>`,
      );
      if (accuracy) {
        parts.push(
          `<p class="headline">${escapeHtml(accuracySentence(path.join(this.contents.runDir, ...accuracy.path.split('/'))))}</p>`,
        );
        parts.push(this.table(accuracy));
      }
      if (modelSummary) parts.push(this.table(modelSummary));
    }
    return parts.join('\n');
  }

  page(): string {
    const { plan, summary, config } = this.contents;
    const overview = this.overview();
    const claims = claimsSection(this.contents, anchor);
    const claimsNav = claims
      ? `<li><a href="#${CLAIMS_SECTION_ID}">${escapeHtml(CLAIMS_TITLE)}</a></li>`
      : '';
    const trust = trustSection(this.contents);
    const trustNav = trust ? `<li><a href="#${TRUST_ANCHOR}">Which attribution to trust</a></li>` : '';
    const sections = this.contents.experiments.map((e) => this.experiment(e));
    const nav = this.contents.experiments.map(
      (e) =>
        `<li><a href="#${anchor(e.name)}">${escapeHtml(e.name)}</a> <small>${e.kinds.map(escapeHtml).join(', ')}</small></li>`,
    );
    const counts = summary
      ? `${summary.counts.done} of ${summary.counts.total} jobs done, ${summary.counts.failed} failed, ${summary.counts.blocked} blocked, ${summary.counts.pending} pending; last run finished ${summary.finishedAt} after ${(summary.ms / 1000).toFixed(1)} s${summary.configHash ? `; config ${summary.configHash}` : ''}`
      : `${plan.jobs.length} jobs planned (no summary.json: the run has not finished)`;
    return [
      '<!doctype html>',
      '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>probelab: ${escapeHtml(plan.name)}</title><style>${REPORT_CSS}</style></head><body>`,
      `<header><h1>probelab report: ${escapeHtml(plan.name)}</h1><p>${escapeHtml(counts)}.</p><p class="source">Run folder ${escapeHtml(this.contents.runDir)} · ${link('plan.json')} · ${link('summary.json')} · rebuild with <code>run-experiments report ${escapeHtml(this.contents.runDir)}</code></p></header>`,
      `<nav><h2>Contents</h2><ul><li><a href="#overview">Overview</a></li>${claimsNav}${trustNav}${nav.join('')}<li><a href="#config">Config</a></li></ul></nav>`,
      `<section id="overview"><h2>Overview</h2>${overview || '<p>No trained models in this run.</p>'}${failuresList(this.contents)}</section>`,
      claims,
      trust,
      ...sections,
      `<section id="config"><h2>Config</h2>${config ? `<p class="source">From ${escapeHtml(config.source)}</p><pre>${escapeHtml(config.text)}</pre>` : '<p>The config file is no longer where the plan says it was.</p>'}</section>`,
      `<footer><p>Generated ${new Date().toISOString()} by probelab from ${escapeHtml(this.contents.runDir)}.</p></footer>`,
      '</body></html>',
    ].join('\n');
  }
}

function countStates(jobs: ReportJob[]): string {
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
  return `${jobs.length} job${jobs.length === 1 ? '' : 's'}: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}`;
}

function failuresList(contents: RunContents): string {
  const failed = contents.experiments.flatMap((e) => e.jobs.filter((j) => j.state === 'failed'));
  if (failed.length === 0) return '';
  return `<h3>Failed jobs</h3><ul class="error">${failed.map((j) => `<li>${escapeHtml(j.job.key)}: ${escapeHtml(j.error ?? 'unknown error')}</li>`).join('')}</ul>`;
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

/** Writes `<runDir>/report.html` from the run folder's contents. */
export function buildReport(runDir: string, options: ReportOptions = {}): BuiltReport {
  const contents = readRunContents(runDir);
  const builder = new PageBuilder(contents, {
    maxTableRows: options.maxTableRows ?? 30,
    maxFolderImages: options.maxFolderImages ?? 24,
    maxListTables: options.maxListTables ?? 12,
    maxJobRows: options.maxJobRows ?? 500,
  });
  const html = builder.page();
  const file = path.join(contents.runDir, REPORT_FILE);
  writeFileAtomic(file, html);
  return { file, images: builder.images, tables: builder.tables, experiments: contents.experiments.length };
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
