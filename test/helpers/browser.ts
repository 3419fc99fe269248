// Opens a report in headless Chromium (driven by playwright-core) and says what a person would
// see: console errors, pictures that failed to load, the tables. The browser is the one inside
// the npm package @sparticuz/chromium (Linux x64), or the one PROBELAB_CHROMIUM names.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import packagedChromium from '@sparticuz/chromium';
import { type Browser as PlaywrightBrowser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_VARIABLE = 'PROBELAB_CHROMIUM';
// Flags for a browser that runs tests: no sandbox (CI runs as root), nothing fetched or synced.
const SAFE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Machine {
  env: NodeJS.ProcessEnv;
  platform: string;
  arch: string;
}

export interface Browser {
  executablePath: string;
  args: string[];
}

/** Which browser the tests use here, or an error of one line that says what to set. */
export function chooseBrowser(machine: Machine): { system: string } | { packaged: true } {
  const given = machine.env[CHROMIUM_VARIABLE];
  if (given) {
    if (!existsSync(given))
      throw new Error(`${CHROMIUM_VARIABLE}=${given}: no such file; set it to a Chromium binary`);
    return { system: given };
  }
  if (machine.platform === 'linux' && machine.arch === 'x64') return { packaged: true };
  throw new Error(
    `no Chromium for ${machine.platform}-${machine.arch} in @sparticuz/chromium (Linux x64 only): ` +
      `set ${CHROMIUM_VARIABLE}=/path/to/chromium`,
  );
}

/**
 * The packaged Chromium, unpacked once per machine into a folder of the temp dir. The package
 * unpacks into os.tmpdir() and trusts any file already there, so two test files at once could
 * start a half-written binary: unpack in a child whose TMPDIR is a private folder, then rename
 * that folder into place (atomic; the loser of a race drops its copy).
 */
function unpackedChromium(): string {
  const entry = require.resolve('@sparticuz/chromium');
  const version = JSON.parse(readFileSync(path.join(entry, '../../../package.json'), 'utf8')).version;
  const folder = path.join(os.tmpdir(), `probelab-chromium-${version}`);
  const binary = path.join(folder, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = mkdtempSync(`${folder}-unpacking-`);
  execFileSync(process.execPath, ['-e', `require(${JSON.stringify(entry)}).executablePath()`], {
    env: { ...process.env, TMPDIR: staging },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    renameSync(staging, folder);
  } catch (error) {
    if (!existsSync(binary)) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

export function resolveBrowser(machine: Machine = process): Browser {
  const choice = chooseBrowser(machine);
  if ('system' in choice) return { executablePath: choice.system, args: SAFE_ARGS };
  return { executablePath: unpackedChromium(), args: [...packagedChromium.args, ...SAFE_ARGS] };
}

export interface PageCheck {
  errors: string[];
  failedRequests: string[];
  images: { src: string; naturalWidth: number; lazy: boolean; sized: boolean }[];
  tableSources: string[];
  title: string;
  /** Every element id of the page, with its caption or heading text (what a link lands on). */
  anchors: Record<string, string>;
  /** Every link's href, as written. */
  links: string[];
  /** The side navigation's links. */
  navLinks: string[];
}

// The callbacks of page.evaluate run in the page (tsconfig has no DOM types, hence the plain shapes).
type Img = {
  complete: boolean;
  naturalWidth: number;
  loading: string;
  getAttribute(name: string): string | null;
  addEventListener(event: string, listener: () => void): void;
};
type Element = {
  id: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): Element | null;
};

/** Runs `work` with a headless Chromium, closed afterwards. */
export async function withBrowser<T>(work: (browser: PlaywrightBrowser) => Promise<T>): Promise<T> {
  const browser = await chromium.launch(resolveBrowser());
  try {
    return await work(browser);
  } finally {
    await browser.close();
  }
}

/**
 * Loads the page from the file system and collects what went wrong, with every image loaded (lazy
 * ones and those in hidden seed tabs too: each is switched to eager and awaited), then saves a
 * full-page screenshot when `screenshot` is given.
 */
export async function checkPage(page: Page, file: string, screenshot?: string): Promise<PageCheck> {
  const errors: string[] = [];
  const failedRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('requestfailed', (request) => failedRequests.push(request.url()));
  await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load' });
  const images = await page.$$eval('img', async (imgs) => {
    const all = imgs as unknown as Img[];
    const lazy = all.map((img) => img.getAttribute('loading') === 'lazy');
    // A lazy picture outside the screen (or in a hidden seed panel) is not fetched: fetch each now.
    await Promise.all(
      all.map(
        (img) =>
          new Promise<void>((resolve) => {
            if (img.complete) return resolve(); // loaded, or failed
            img.addEventListener('load', () => resolve());
            img.addEventListener('error', () => resolve());
            img.loading = 'eager';
          }),
      ),
    );
    return all.map((img, i) => ({
      src: img.getAttribute('src') ?? '',
      naturalWidth: img.complete ? img.naturalWidth : 0,
      lazy: lazy[i],
      sized: img.getAttribute('width') !== null && img.getAttribute('height') !== null,
    }));
  });
  const anchors = await page.$$eval('[id]', (elements) =>
    Object.fromEntries(
      (elements as unknown as Element[]).map((e) => {
        const label = e.querySelector('figcaption') ?? e.querySelector('h2') ?? e;
        return [e.id, (label.textContent ?? '').trim()];
      }),
    ),
  );
  const hrefs = (selector: string) =>
    page.$$eval(selector, (links) =>
      (links as unknown as Element[]).map((a) => a.getAttribute('href') ?? ''),
    );
  const [links, navLinks] = [await hrefs('a[href]'), await hrefs('nav a[href]')];
  const tableSources = await page.$$eval('table[data-source]', (tables) =>
    (tables as unknown as Img[]).map((t) => t.getAttribute('data-source') ?? ''),
  );
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  return {
    errors,
    failedRequests,
    images,
    tableSources,
    title: await page.title(),
    anchors,
    links,
    navLinks,
  };
}

/** The report's HTML pages in a run folder: report.html first, then the others by name. */
export function reportPages(runDir: string): string[] {
  const pages = readdirSync(runDir)
    .filter((f) => /^report(-.+)?\.html$/.test(f))
    .map((f) => f.slice(0, -'.html'.length));
  return pages.sort().map((name) => `${name}.html`);
}

export interface ReportCheck {
  /** Each page's check, by file name. */
  pages: Record<string, PageCheck>;
  /** Links between pages whose page or id does not exist. */
  brokenLinks: string[];
  /** Sections (`<section id>`) of any page the first page's navigation does not link to. */
  unreachable: string[];
  /** Where a link of the first page lands: `page#id` → the caption or heading there. */
  landing(href: string): string | undefined;
}

/** Opens every page of the report in one browser; a full-page screenshot of each into `shots`. */
export async function checkReport(runDir: string, shots?: string): Promise<ReportCheck> {
  const pages: Record<string, PageCheck> = {};
  await withBrowser(async (browser) => {
    for (const name of reportPages(runDir)) {
      const page = await browser.newPage({ viewport: VIEWPORT });
      const shot = shots ? path.join(shots, name.replace(/\.html$/, '.png')) : undefined;
      // No page.close(): the packaged Chromium runs as one process, and closing a page can end it.
      pages[name] = await checkPage(page, path.join(runDir, name), shot);
    }
  });
  const target = (href: string) => {
    const [file, id] = href.split('#');
    return { file: file || 'report.html', id };
  };
  const internal = (href: string) => /^(report(-[^/#]+)?\.html)?(#.*)?$/.test(href) && href !== '';
  const brokenLinks = Object.values(pages)
    .flatMap((p) => p.links.filter(internal))
    .filter((href) => {
      const { file, id } = target(href);
      return !pages[file] || (id !== undefined && !(id in pages[file].anchors));
    });
  const nav = new Set(
    (pages['report.html']?.navLinks ?? []).map((href) => {
      const { file, id } = target(href);
      return `${file}#${id}`;
    }),
  );
  const sections = Object.entries(pages).flatMap(([file, p]) =>
    Object.keys(p.anchors)
      .filter((id) => /^(exp-|homework$|overview$|claims$|config$|which-)/.test(id))
      .map((id) => `${file}#${id}`),
  );
  return {
    pages,
    brokenLinks,
    unreachable: sections.filter((s) => !nav.has(s)),
    landing: (href) => {
      const { file, id } = target(href);
      return pages[file]?.anchors[id];
    },
  };
}

/** Loads the page from the file system, collects what went wrong, saves a full-page screenshot. */
export async function openReport(file: string, screenshot: string): Promise<PageCheck> {
  return withBrowser(async (browser) => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    return checkPage(page, file, screenshot);
  });
}

/** A laptop's window: what "the first screen" means in the tests and the bench. */
export const VIEWPORT = { width: 1400, height: 900 };
