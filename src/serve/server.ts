// `run-experiments serve`: a read-only HTTP server (Node's http) over one run folder. It serves
// the folder's files (the report pages, figures, tables), adds the live panel to every HTML page
// it serves, and streams the run's progress to it (Server-Sent Events, live-feed.ts). It never
// writes: no file is created, changed or locked, and any number of viewers leave the run alone.
import { createReadStream, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { UsageError } from '../errors';
import type { RunFolder } from '../runner/run-folder';
import { LiveFeed } from './live-feed';
import { LIVE_CSS, LIVE_SCRIPT, livePage } from './live-page';
import { resolveInFolder } from './resolve-path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const TEXT = 'text/plain; charset=utf-8';

/** Where the server's own files live: no run folder file starts with this. */
export const LIVE_PREFIX = '/_live/';
const HEAD_TAGS = `<link rel="stylesheet" href="${LIVE_PREFIX}live.css"><script src="${LIVE_PREFIX}live.js" defer></script>`;

/** An HTML page of the folder with the live panel's style and script added to its head. */
function withLivePanel(html: string): string {
  const at = html.search(/<\/head>/i);
  return at < 0 ? `${HEAD_TAGS}${html}` : `${html.slice(0, at)}${HEAD_TAGS}${html.slice(at)}`;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(body);
}

export interface ServeOptions {
  folder: RunFolder;
  host: string;
  port: number;
}

export class RunServer {
  private readonly feed: LiveFeed;
  private readonly server: Server;

  constructor(private readonly options: ServeOptions) {
    this.feed = new LiveFeed(options.folder);
    this.server = createServer((request, response) => this.handle(request, response));
  }

  /** Listens; a port in use is a UsageError (exit code 2) saying so. Resolves with the URL. */
  listen(): Promise<string> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE')
          reject(
            new UsageError(
              `--port ${port}: the port is taken on ${host}; give another, or --port 0 for any free one`,
            ),
          );
        else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
          reject(new UsageError(`--host ${host}: not an address of this machine`));
        else if (error.code === 'EACCES')
          reject(
            new UsageError(`--port ${port}: not allowed for this user (ports below 1024 need privileges)`),
          );
        else reject(error);
      });
      this.server.listen(port, host, () => {
        const address = this.server.address();
        const bound = typeof address === 'object' && address ? address.port : port;
        resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}/`);
      });
    });
  }

  close(): Promise<void> {
    this.feed.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Browsers keep idle connections open: the server would wait for them.
    this.server.closeAllConnections();
    return closed;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, TEXT, 'read-only: GET and HEAD only\n');
      return;
    }
    const urlPath = (request.url ?? '/').split(/[?#]/)[0];
    try {
      if (urlPath.startsWith(LIVE_PREFIX)) this.live(urlPath.slice(LIVE_PREFIX.length), response);
      else if (urlPath === '/') this.index(response);
      else this.file(urlPath, response);
    } catch (error) {
      send(response, 500, TEXT, `${(error as Error).message}\n`);
    }
  }

  /** The server's own: the event stream, the snapshot, the panel's script and style, the live page. */
  private live(name: string, response: ServerResponse): void {
    if (name === 'events') {
      this.feed.subscribe(response);
      return;
    }
    const own: Record<string, () => [string, string]> = {
      'state.json': () => [TYPES['.json'], JSON.stringify(this.feed.snapshot())],
      'live.js': () => [TYPES['.js'], LIVE_SCRIPT],
      'live.css': () => [TYPES['.css'], LIVE_CSS],
      '': () => [TYPES['.html'], livePage(this.options.folder.dir)],
    };
    const [type, body] = Object.hasOwn(own, name) ? own[name]() : [TEXT, 'not found\n'];
    send(response, Object.hasOwn(own, name) ? 200 : 404, type, body);
  }

  /** The report when there is one (with the live panel), else the live page alone. */
  private index(response: ServerResponse): void {
    const report = this.feed.snapshot().pages[0];
    if (report) this.file(`/${encodeURIComponent(report.name)}`, response);
    else send(response, 200, TYPES['.html'], livePage(this.options.folder.dir));
  }

  private file(urlPath: string, response: ServerResponse): void {
    const resolved = resolveInFolder(this.options.folder.dir, urlPath);
    if ('refused' in resolved) {
      send(response, resolved.refused, TEXT, `${resolved.reason}\n`);
      return;
    }
    const type = TYPES[path.extname(resolved.file).toLowerCase()] ?? 'application/octet-stream';
    if (type.startsWith('text/html')) {
      send(response, 200, type, withLivePanel(readFileSync(resolved.file, 'utf8')));
      return;
    }
    response.writeHead(200, {
      'content-type': type,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    createReadStream(resolved.file)
      .on('error', () => response.destroy())
      .pipe(response);
  }
}
