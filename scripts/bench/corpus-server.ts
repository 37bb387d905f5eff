// Serves the corpora over HTTP on 127.0.0.1 and, for the multi-site corpus, on `siteCount` more loopback
// addresses (127.0.0.2, 127.0.0.3, …: Linux routes all of 127/8 to lo), each a different site to Chromium, so a
// navigation from one to the next swaps renderer processes as scanning a bulk of prospects' sites does. An
// optional transient-failure mode: URLs marked with FAIL_ONCE_MARKER answer 503 the first time, then the page.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CorpusPage } from './corpus';

export interface CorpusServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Every origin serving the corpus: `origin` first, then one per extra site address. */
  origins: string[];
  /** The addresses listened on (what the address rule must exempt). */
  hosts: string[];
  url(path: string, query?: string): string;
  /** The same path on the i-th site (i modulo the number of origins). */
  siteUrl(i: number, path: string): string;
  /** Document requests answered since the last reset (including 503s). */
  requests: number;
  /** When the first document was requested since the last reset (epoch ms), null before. */
  firstRequestAt: number | null;
  /** 503s answered. */
  injectedFailures: number;
  /** Turns transient failures for marked URLs on or off; resets the failed-once memory. */
  setTransientFailures(on: boolean): void;
  reset(): void;
  close(): Promise<void>;
}

/** The query marker that makes a URL fail its first request while transient failures are on. */
export const FAIL_ONCE_MARKER = 'failonce=1';

/** Marks every k-th URL (k = 1/share) to fail once, so the share is exact even for a handful of URLs. */
export function markFailOnce(urls: readonly string[], share: number): string[] {
  if (share <= 0) return [...urls];
  const every = Math.max(1, Math.round(1 / share));
  return urls.map((u, i) => (i % every === every - 1 ? `${u}${u.includes('?') ? '&' : '?'}${FAIL_ONCE_MARKER}` : u));
}

/** 127.0.0.1 and then `extra` more loopback addresses, 127.0.0.2 upwards. */
export function loopbackHosts(extra: number): string[] {
  if (extra > 253) throw new Error(`at most 253 extra loopback sites, asked for ${extra}`);
  return Array.from({ length: extra + 1 }, (_, i) => `127.0.0.${i + 1}`);
}

export async function startCorpusServer(pages: readonly CorpusPage[], o: { extraSites?: number } = {}): Promise<CorpusServer> {
  let failing = false;
  const failedOnce = new Set<string>();
  const state = { requests: 0, firstRequestAt: null as number | null, injectedFailures: 0 };
  const bodies = new Map(pages.map((p) => [p.path, Buffer.from(p.html)]));
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    // Browsers ask for it on every new context; a 404 page would be fine too, but a tiny answer keeps logs clean.
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const body = bodies.get(path);
    if (!body)
      return void res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Not found</title>');
    state.requests++;
    state.firstRequestAt ??= Date.now();
    const key = `${req.headers.host ?? ''}${req.url ?? path}`;
    if (failing && key.includes(FAIL_ONCE_MARKER) && !failedOnce.has(key)) {
      failedOnce.add(key);
      state.injectedFailures++;
      return void res
        .writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '1' })
        .end('<!doctype html><title>Busy</title><p>Try again</p>');
    }
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' })
      .end(body);
  };
  const sockets = new Set<Socket>();
  const servers: ReturnType<typeof createServer>[] = [];
  const closeAll = () =>
    Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
          }),
      ),
    ).then(() => undefined);
  const listen = (host: string, port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer(handle);
      server.on('connection', (s) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
      server.once('error', reject).listen(port, host, () => {
        servers.push(server);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const hosts = loopbackHosts(o.extraSites ?? 0);
  const origins: string[] = [];
  try {
    // One port on every address when it is free there too (tidier URLs); any port otherwise.
    const port = await listen(hosts[0], 0);
    origins.push(`http://${hosts[0]}:${port}`);
    for (const host of hosts.slice(1)) {
      const p = await listen(host, port).catch(() => listen(host, 0));
      origins.push(`http://${host}:${p}`);
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  const origin = origins[0];
  return {
    origin,
    origins,
    hosts,
    url: (path, query) => `${origin}${path}${query ? `?${query}` : ''}`,
    siteUrl: (i, path) => `${origins[i % origins.length]}${path}`,
    get requests() {
      return state.requests;
    },
    get firstRequestAt() {
      return state.firstRequestAt;
    },
    get injectedFailures() {
      return state.injectedFailures;
    },
    setTransientFailures(on) {
      failing = on;
      failedOnce.clear();
    },
    reset() {
      state.requests = 0;
      state.firstRequestAt = null;
      state.injectedFailures = 0;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return closeAll();
    },
  };
}
