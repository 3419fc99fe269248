// How the report is split into pages. report.html holds what a reader wants first (the homework
// table, the run's state, verdicts); every other page holds one chapter of the homework (Problem 3,
// Problem 4, …; its experiments in the homework's order), then the experiments no homework line
// names, in config order. A chapter whose figures pass FIGURES_PER_PAGE continues on a next page
// (an experiment is never cut), so no page asks the browser for more than a few screens of figures.
import { HOMEWORK, HOMEWORK_CHAPTERS } from './homework';
import { answering, type ConfigExperiment } from './homework-table';
import type { ReportExperiment } from './run-contents';

export const FIRST_PAGE = 'report.html';
/** Figures one page shows at most, unless a single experiment has more. */
export const FIGURES_PER_PAGE = 10;

export interface ReportPage {
  file: string;
  /** The chapter's title, with "page k of n" when it takes several. */
  title: string;
  chapter: string;
  experiments: ReportExperiment[];
}

export interface PagePlan {
  pages: ReportPage[];
  /** Experiments no homework line names, in config order. */
  others: ReportExperiment[];
}

/** Greedy: experiments in order, a new page once the figures would pass the budget. */
function split(
  chapter: { id: string; title: string },
  experiments: ReportExperiment[],
  figures: (e: ReportExperiment) => number,
): ReportPage[] {
  const groups: ReportExperiment[][] = [];
  let count = 0;
  for (const experiment of experiments) {
    const n = figures(experiment);
    if (groups.length === 0 || (count + n > FIGURES_PER_PAGE && groups[groups.length - 1].length > 0)) {
      groups.push([]);
      count = 0;
    }
    groups[groups.length - 1].push(experiment);
    count += n;
  }
  return groups.map((group, i) => ({
    file: `report-${chapter.id}${i === 0 ? '' : `-${i + 1}`}.html`,
    title: groups.length > 1 ? `${chapter.title} (page ${i + 1} of ${groups.length})` : chapter.title,
    chapter: chapter.title,
    experiments: group,
  }));
}

/** The run's experiments in config order (those the config no longer lists last, in plan order). */
export function inConfigOrder(
  experiments: readonly ReportExperiment[],
  config: readonly ConfigExperiment[],
): ReportExperiment[] {
  const position = (name: string) => {
    const i = config.findIndex((e) => e.name === name);
    return i < 0 ? config.length : i;
  };
  return [...experiments].sort((a, b) => position(a.name) - position(b.name));
}

export function planPages(
  experiments: readonly ReportExperiment[],
  config: readonly ConfigExperiment[],
  figures: (e: ReportExperiment) => number,
): PagePlan {
  const byName = new Map(experiments.map((e) => [e.name, e]));
  const placed = new Set<string>();
  const pages: ReportPage[] = [];
  for (const chapter of HOMEWORK_CHAPTERS) {
    const names = HOMEWORK.filter((item) => item.chapter === chapter.id).map((item) =>
      answering(item, config),
    );
    const members: ReportExperiment[] = [];
    for (const name of names) {
      const experiment = name ? byName.get(name) : undefined;
      if (!experiment || placed.has(experiment.name)) continue;
      placed.add(experiment.name);
      members.push(experiment);
    }
    if (members.length) pages.push(...split(chapter, members, figures));
  }
  const others = inConfigOrder(
    experiments.filter((e) => !placed.has(e.name)),
    config,
  );
  const title = pages.length ? 'Other experiments' : 'Experiments';
  if (others.length) pages.push(...split({ id: 'experiments', title }, others, figures));
  return { pages, others };
}
