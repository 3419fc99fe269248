// Opens a report in headless Chromium (Debian's `chromium`, driven by playwright-core) and
// says what a person would see: console errors, pictures that failed to load, the tables.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface PageCheck {
  errors: string[];
  failedRequests: string[];
  images: { src: string; naturalWidth: number }[];
  tableSources: string[];
  title: string;
}

/** Loads the page from the file system, collects what went wrong, saves a full-page screenshot. */
export async function openReport(file: string, screenshot: string): Promise<PageCheck> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get update && apt-get install -y chromium), as .ci/run does`,
    );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
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
