// Pushes the live page's snapshot to every open page (Server-Sent Events). The run folder is
// polled only while a page is open: a few file sizes and times every POLL_MS, and the snapshot
// read again when they moved (or every REFRESH_MS while a run is live, for its elapsed times and
// ETA). One read serves every page: a second viewer costs the run nothing.
import { statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { RunFolder } from '../runner/run-folder';
import { CurveReader } from './curves';
import { readSnapshot, type Snapshot } from './snapshot';

const POLL_MS = 250;
const REFRESH_MS = 2000;
/** A comment line now and then keeps proxies and browsers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private readonly curves: CurveReader;
  private timer?: NodeJS.Timeout;
  private signature = '';
  private readAt = 0;
  private last?: Snapshot;
  private lastJson = '';
  private keepalive = 0;

  constructor(private readonly folder: RunFolder) {
    this.curves = new CurveReader(folder);
  }

  /** The snapshot now (read again if the folder moved). */
  snapshot(): Snapshot {
    this.poll(true);
    return this.last!;
  }

  /** Keeps `response` as an event stream until the page goes away. */
  subscribe(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    this.clients.add(response);
    response.on('close', () => {
      this.clients.delete(response);
      if (this.clients.size === 0) this.stop();
    });
    this.poll(true);
    response.write(`data: ${this.lastJson}\n\n`);
    this.timer ??= setInterval(() => this.poll(false), POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  /** Sizes and times of the files a run changes as it goes. */
  private currentSignature(): string {
    const { folder } = this;
    return [folder.planFile, folder.journalFile, folder.progressFile, folder.lockFile, folder.summaryFile]
      .map((file) => {
        try {
          const stat = statSync(file);
          return `${stat.size}:${stat.mtimeMs}`;
        } catch {
          return '-';
        }
      })
      .join('|');
  }

  private poll(force: boolean): void {
    const signature = this.currentSignature();
    const now = Date.now();
    const stale = this.last?.live && now - this.readAt >= REFRESH_MS;
    if (signature === this.signature && this.last && !stale) {
      if (!force) this.keepAlive(now);
      return;
    }
    this.signature = signature;
    this.readAt = now;
    try {
      this.last = readSnapshot(this.folder, this.curves, now);
    } catch (error) {
      // A file caught half-written by the run: the next poll reads it again.
      if (this.last) return;
      throw error;
    }
    const json = JSON.stringify(this.last);
    if (json === this.lastJson) return;
    this.lastJson = json;
    for (const client of this.clients) client.write(`data: ${json}\n\n`);
  }

  private keepAlive(now: number): void {
    if (now - this.keepalive < KEEPALIVE_MS) return;
    this.keepalive = now;
    for (const client of this.clients) client.write(': keep-alive\n\n');
  }
}
