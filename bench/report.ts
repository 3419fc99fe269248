// What a reader pays to open the report of a run: the time to build it, each page's HTML weight
// and height in screens, the images its first screen loads, and the time to the first screen in
// headless Chromium (median of fresh browsers: first contentful paint, the load event, which
// waits for the images the first screen shows but not for the lazy ones below it, and the later
// of the two, "first screen").
//   npm run bench -- report -- RUN_FOLDER   (a finished run, e.g. a copy of outputs/all)
//   npm run bench -- report                 (runs configs/smoke.json in a temporary folder first)
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReport, buildReportAfterRun } from '../src/report/build-report';
import { runExperiments } from '../src/runner/run';
import { median } from '../src/statistics';
import { reportPages, VIEWPORT, withBrowser } from '../test/helpers/browser';
import { ROOT } from './paths';

const OPENS = 5;

interface FirstScreen {
  fcp: number;
  load: number;
  height: number;
  images: number;
  imagesLoaded: number;
  homeworkTop: number | null;
}

async function smokeRun(): Promise<string> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-bench-report-'));
  const summary = await runExperiments({
    buildReport: buildReportAfterRun,
    config: 'configs/smoke.json',
    out,
    cwd: ROOT,
    workers: 2,
    progress: 'none',
    log: () => {},
  });
  return summary.runDir;
}

async function openOnce(file: string): Promise<FirstScreen> {
  return withBrowser(async (browser) => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // Runs in the page: numbers from the Navigation and Paint Timing APIs and the layout.
    return page.evaluate(`(async () => {
      // The paint entry is recorded after the first frame, which can come after the load event.
      const fcp = await new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const entry = list.getEntriesByName('first-contentful-paint')[0];
          if (entry) resolve(entry.startTime);
        }).observe({ type: 'paint', buffered: true });
        setTimeout(() => resolve(-1), 5000);
      });
      const nav = performance.getEntriesByType('navigation')[0];
      const images = [...document.images];
      const homework = document.getElementById('homework');
      return {
        fcp,
        load: nav.loadEventEnd,
        height: document.documentElement.scrollHeight,
        images: images.length,
        imagesLoaded: images.filter((i) => i.complete && i.naturalWidth > 0).length,
        homeworkTop: homework ? homework.getBoundingClientRect().top : null,
      };
    })()`) as Promise<FirstScreen>;
  });
}

export async function benchReport(args: string[] = []): Promise<void> {
  const runDir = path.resolve(args[0] ?? (await smokeRun()));
  const builds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    buildReport(runDir);
    builds.push(performance.now() - started);
  }
  process.stdout.write(`report of ${runDir}: built in ${median(builds).toFixed(0)} ms (median of 3)\n`);
  process.stdout.write(
    'page | HTML kB | height px | screens | images | loaded at open | FCP ms | load ms | first screen ms\n',
  );
  for (const name of reportPages(runDir)) {
    const file = path.join(runDir, name);
    const opens: FirstScreen[] = [];
    for (let i = 0; i < (name === 'report.html' ? OPENS : 1); i++) opens.push(await openOnce(file));
    const last = opens[opens.length - 1];
    const cells = [
      name,
      (statSync(file).size / 1000).toFixed(1),
      String(last.height),
      (last.height / VIEWPORT.height).toFixed(1),
      String(last.images),
      String(last.imagesLoaded),
      median(opens.map((o) => o.fcp)).toFixed(0),
      median(opens.map((o) => o.load)).toFixed(0),
      median(opens.map((o) => Math.max(o.fcp, o.load))).toFixed(0),
    ];
    process.stdout.write(`${cells.join(' | ')}\n`);
    if (name === 'report.html')
      process.stdout.write(
        `  homework table ${last.homeworkTop === null ? 'absent' : `at y = ${Math.round(last.homeworkTop)} px (first screen: < ${VIEWPORT.height})`}\n`,
      );
  }
}
