// The live view in a real browser: `serve` follows a run as it goes. A job's completion appears
// in the open page within 2 s without a reload, and a training's curve grows epoch by epoch.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { resolveBrowser } from '../helpers/browser';
import { sleep, startCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

/** When the journal says `key` finished (ms since the epoch), once it does. */
async function finishedAt(runDir: string, key: string): Promise<number> {
  for (;;) {
    let text = '';
    try {
      text = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8');
    } catch {}
    const line = text
      .split('\n')
      .find((l) => l.includes('"event":"finished"') && l.includes(`"key":"${key}"`));
    if (line) return Date.parse(JSON.parse(line).at);
    await sleep(20);
  }
}

test('serve on a run in progress: a job done shows up within 2 s, no reload; the training curve grows', async () => {
  const dir = tempDir();
  writeConfig(dir, 'live.json', {
    name: 'live',
    defaults: {
      data: { source: 'mnist', train: { first: 3000 }, test: { first: 100 } },
      training: { epochs: 4 },
    },
    experiments: [
      { name: 'train', kind: 'train' },
      { name: 'nap', kind: 'selftest', jobs: 3, action: 'sleep', ms: 2500 },
    ],
  });
  const runDir = path.join(dir, 'outputs', 'live');
  // Serving the config before its run starts: the page waits for the run folder.
  const server = startCli(['serve', 'live.json', '--port', '0'], dir);
  let said = '';
  server.child.stdout!.on('data', (chunk) => (said += chunk));
  await server.lines(/^serving /, 1);
  const url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(said)![1];
  const browser = await chromium.launch(resolveBrowser());
  let run: ReturnType<typeof startCli> | undefined;
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(url);
    await page.waitForSelector('#probelab-live [data-part="state"]:text("waiting for the run to start")');
    // Every text the panel's legend shows, as it changes (the page draws on each event).
    await page.evaluate(`window.loadedOnce = true; window.legends = [];
      new MutationObserver(() => {
        const legend = document.querySelector('#probelab-live .legend');
        if (legend) window.legends.push(legend.textContent);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });`);
    run = startCli(['live.json', '--workers', '2', '--progress', 'none'], dir);
    await page.waitForSelector('#probelab-live [data-part="state"]:text("running")', { timeout: 20_000 });
    // The first nap to finish, as the journal records it, and when the page shows it.
    const key = 'nap/seed=1/job=0';
    const done = await finishedAt(runDir, key);
    await page.waitForSelector(`#probelab-live [data-ended="${key}"]`, { timeout: 10_000 });
    const shownAfter = Date.now() - done;
    expect(shownAfter).toBeLessThan(2000);
    // The training's curve grows while it runs (the legend counts its epochs), then shows its whole history.
    await page.waitForFunction(
      'window.legends.some((t) => /train\\/seed=1(?! \\(epoch)/.test(t))',
      undefined,
      {
        timeout: 60_000,
      },
    );
    const legends = (await page.evaluate('window.legends')) as string[];
    const epochs = new Set(
      legends.map((t) => /train\/seed=1 \(epoch (\d)/.exec(t)?.[1]).filter((e) => e && e !== '0'),
    );
    expect(epochs.size).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#probelab-live svg polyline').count()).toBeGreaterThanOrEqual(2);
    expect(await page.evaluate('window.loadedOnce')).toBe(true);
    expect(errors).toEqual([]);
    await page.screenshot({ path: path.join(dir, 'live.png') });
    process.stdout.write(`live view: ${key} shown ${shownAfter} ms after the journal recorded it\n`);
  } finally {
    await browser.close();
    if (run) expect((await run.done).code).toBe(0);
    server.child.kill('SIGINT');
    await server.done;
  }
});
