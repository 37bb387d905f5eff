// Serves the corpus on 127.0.0.1 through the test fixture server (its programmable routes), with an optional
// transient-failure mode: URLs marked with FAIL_ONCE_MARKER answer 503 the first time, then the page.
import { startFixtureServer, type FixtureRoute } from '../../test/support/fixture-server';
import type { CorpusPage } from './corpus';

export interface CorpusServer {
  origin: string;
  url(path: string, query?: string): string;
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

export async function startCorpusServer(pages: readonly CorpusPage[]): Promise<CorpusServer> {
  let failing = false;
  const failedOnce = new Set<string>();
  const state = { requests: 0, firstRequestAt: null as number | null, injectedFailures: 0 };
  const routes: Record<string, FixtureRoute> = {};
  for (const p of pages) {
    const body = Buffer.from(p.html);
    routes[p.path] = (req, res) => {
      state.requests++;
      state.firstRequestAt ??= Date.now();
      const key = req.url ?? p.path;
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
  }
  // Browsers ask for it on every new context; a 404 page would be fine too, but a tiny answer keeps logs clean.
  routes['/favicon.ico'] = (_req, res) => void res.writeHead(204).end();
  const server = await startFixtureServer(routes);
  return {
    origin: server.origin,
    url: (path, query) => `${server.origin}${path}${query ? `?${query}` : ''}`,
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
    close: () => server.close(),
  };
}
