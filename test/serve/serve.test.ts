// `run-experiments serve`: read-only over the run folder (nothing written, paths outside it
// refused however they are spelled), a clear exit when the port is taken, and the report's HTML
// served with the live panel.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { runExperiments } from '../../src/runner/run';
import { runCli, snapshot, startCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const SECRET = 'not for the web';

/** A GET with the path sent exactly as written (no normalising of `..` by a URL parser). */
function get(
  port: number,
  rawPath: string,
  method = 'GET',
): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: rawPath, method }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode!, body, type: response.headers['content-type'] }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** Starts `serve` on any free port; resolves with the port once it listens. */
async function serve(target: string, cwd: string) {
  const server = startCli(['serve', target, '--port', '0'], cwd);
  let said = '';
  server.child.stdout!.on('data', (chunk) => (said += chunk));
  await server.lines(/^serving /, 1);
  return { server, port: Number(/^serving .* at http:\/\/127\.0\.0\.1:(\d+)\//m.exec(said)![1]) };
}

let dir: string;
let runDir: string;
beforeAll(async () => {
  dir = tempDir();
  writeConfig(dir, 'tiny.json', { name: 'tiny', experiments: [{ name: 'a', kind: 'selftest', jobs: 2 }] });
  const summary = await runExperiments({
    config: 'tiny.json',
    cwd: dir,
    workers: 1,
    progress: 'none',
    log: () => {},
    buildReport: undefined,
  });
  expect(summary.exitCode).toBe(0);
  runDir = path.join(dir, 'outputs', 'tiny');
  writeFileSync(
    path.join(runDir, 'report.html'),
    '<!doctype html><html><head><title>r</title></head><body><h1>report</h1></body></html>',
  );
  writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  mkdirSync(path.join(dir, 'outside'));
  writeFileSync(path.join(dir, 'outside', 'secret.txt'), SECRET);
  symlinkSync(path.join(dir, 'outside'), path.join(runDir, 'link-out'));
  symlinkSync(path.join(dir, 'secret.txt'), path.join(runDir, 'escape.txt'));
});

test('paths outside the run folder are refused however they are spelled; files inside are served; nothing is written', async () => {
  const before = snapshot(runDir);
  const { server, port } = await serve(runDir, dir);
  try {
    const attempts = [
      '/../secret.txt',
      '/a/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/jobs/..%2f..%2fsecret.txt',
      '/%252e%252e/secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/..%5csecret.txt',
      `/${encodeURIComponent(path.join(dir, 'secret.txt'))}`,
      `/${path.join(dir, 'secret.txt')}`,
      `//${path.join(dir, 'secret.txt')}`,
      '/link-out/secret.txt',
      '/escape.txt',
      '/%00/secret.txt',
      '/%e0%a4%a',
    ];
    for (const attempt of attempts) {
      const response = await get(port, attempt);
      expect({
        attempt,
        refused: response.status >= 400 && response.status < 500,
        leaked: response.body.includes(SECRET),
      }).toEqual({
        attempt,
        refused: true,
        leaked: false,
      });
    }
    const plan = await get(port, '/plan.json');
    expect(plan.status).toBe(200);
    expect(JSON.parse(plan.body).name).toBe('tiny');
    const table = await get(port, '/tables/a/seed=1/job=0/values.csv');
    expect(table).toMatchObject({ status: 200, type: 'text/csv; charset=utf-8' });
    expect(table.body).toBe(readFileSync(path.join(runDir, 'tables/a/seed=1/job=0/values.csv'), 'utf8'));
    const report = await get(port, '/');
    expect(report.body).toContain('<script src="/_live/live.js" defer></script></head><body><h1>report</h1>');
    expect((await get(port, '/plan.json', 'POST')).status).toBe(405);
    const state = JSON.parse((await get(port, '/_live/state.json')).body);
    expect(state).toMatchObject({ name: 'tiny', live: false, counts: { done: 2, total: 2 } });
  } finally {
    server.child.kill('SIGINT');
    expect((await server.done).code).toBe(0);
  }
  expect(snapshot(runDir)).toEqual(before);
});

test('a port that is taken: exit code 2 and one line saying so', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const result = await runCli(['serve', runDir, '--port', String(port)], dir);
    expect(result).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `--port ${port}: the port is taken on 127.0.0.1; give another, or --port 0 for any free one\n`,
    });
  } finally {
    blocker.close();
  }
  const missing = await runCli(['serve', path.join(dir, 'nowhere')], dir);
  expect(missing).toMatchObject({
    code: 2,
    stderr: `${path.join(dir, 'nowhere')}: no such run folder or config file\n`,
  });
});
