// Opens a report in headless Chromium (driven by playwright-core) and says what a person would
// see: console errors, pictures that failed to load, the tables. The browser is the one inside
// the npm package @sparticuz/chromium (Linux x64), or the one PROBELAB_CHROMIUM names.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import packagedChromium from '@sparticuz/chromium';
import { chromium } from 'playwright-core';

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
  images: { src: string; naturalWidth: number }[];
  tableSources: string[];
  title: string;
}

/** Loads the page from the file system, collects what went wrong, saves a full-page screenshot. */
export async function openReport(file: string, screenshot: string): Promise<PageCheck> {
  const browser = await chromium.launch(resolveBrowser());
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const failedRequests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('requestfailed', (request) => failedRequests.push(request.url()));
    await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load' });
    // These callbacks run in the page (tsconfig has no DOM types, hence the plain shapes).
    type Img = { complete: boolean; naturalWidth: number; getAttribute(name: string): string | null };
    const images = await page.$$eval('img', (imgs) =>
      (imgs as unknown as Img[]).map((img) => ({
        src: img.getAttribute('src') ?? '',
        naturalWidth: img.complete ? img.naturalWidth : 0,
      })),
    );
    const tableSources = await page.$$eval('table[data-source]', (tables) =>
      (tables as unknown as Img[]).map((t) => t.getAttribute('data-source') ?? ''),
    );
    await page.screenshot({ path: screenshot, fullPage: true });
    return { errors, failedRequests, images, tableSources, title: await page.title() };
  } finally {
    await browser.close();
  }
}
