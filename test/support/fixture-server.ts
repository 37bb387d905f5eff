import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { useResource } from './hooks';

export type FixtureRoute = (req: IncomingMessage, res: ServerResponse) => void;

export interface FixtureServer {
  origin: string;
  /** Same server under another host name: a different origin, for cross-origin frames. */
  altOrigin: string;
  url(path: string): string;
  /** Requests seen per path, for asserting what the browser fetched. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

const PAGES = join(__dirname, '..', 'fixtures', 'pages');

/** Serves test/fixtures/pages on 127.0.0.1 plus programmable routes for hostile behaviour. */
export async function startFixtureServer(routes: Record<string, FixtureRoute> = {}): Promise<FixtureServer> {
  const hits = new Map<string, number>();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (route) return route(req, res);
    const file = normalize(join(PAGES, path === '/' ? 'index.html' : path));
    if (!file.startsWith(PAGES)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      const type = file.endsWith('.html')
        ? 'text/html; charset=utf-8'
        : file.endsWith('.js')
          ? 'text/javascript'
          : 'application/octet-stream';
      res.writeHead(200, { 'Content-Type': type }).end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Not found</title><p>Not found</p>');
    }
  });
  // Hostile routes leave sockets open on purpose; close them all when the test ends.
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    altOrigin: `http://localhost:${port}`,
    url: (p) => `${origin}${p}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A fixture server for the enclosing describe (or file): started before its tests, closed after them. */
export function useFixtureServer(routes: Record<string, FixtureRoute> = {}): () => FixtureServer {
  return useResource(
    'fixture server',
    () => startFixtureServer(routes),
    (site) => site.close(),
  );
}
