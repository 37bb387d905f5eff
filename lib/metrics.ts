// Prometheus metrics (prom-client). One registry for the API and one for a worker, created once per process:
// tests run an API and workers in one process, and prom-client refuses to register a name twice.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrowserPoolStats } from '../core/browser-stats';
import type { BreakerKind, BreakerState } from './circuit-breakers';
import type { PrismaClient } from './prisma';

const PREFIX = 'wcag_';

const BREAKER_KINDS: BreakerKind[] = ['temporal', 'host', 'host_client'];
const BREAKER_STATES: BreakerState[] = ['closed', 'half_open', 'open'];

/**
 * Pure: how many breakers are in each state, per kind, keyed `kind\nstate`; every kind × state is present (0 when
 * none), so a series does not vanish when its last breaker changes state. Labels are bounded (3 × 3): the host
 * breakers are one row per target host (and client), which would grow the series forever; /api/monitoring/safety
 * names them.
 */
export function breakerStateCounts(rows: Array<{ kind: string; state: string }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const kind of BREAKER_KINDS) for (const state of BREAKER_STATES) out.set(`${kind}\n${state}`, 0);
  for (const r of rows) {
    const key = `${r.kind}\n${r.state}`;
    if (out.has(key)) out.set(key, out.get(key)! + 1);
  }
  return out;
}

/** Breaker state changes, by kind and new state (never by breaker name: host names are unbounded). */
function breakerTransitionsCounter(registry: Registry, help: string) {
  return new Counter({ name: `${PREFIX}circuit_breaker_transitions_total`, help, labelNames: ['kind', 'to'], registers: [registry] });
}

/**
 * API metrics: HTTP request durations, rejections by the safety layer, breaker counts by state (read from Postgres
 * on scrape) and transitions. Node's default metrics keep their standard names (no prefix), so stock Node.js
 * dashboards work; Prometheus's `job` label tells the API from a worker.
 */
function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let breakerSource: PrismaClient | null = null;
  const breakers = new Gauge({
    name: `${PREFIX}circuit_breakers`,
    help: 'Circuit breakers in each state (closed, half_open, open), by kind (temporal, host, host_client)',
    labelNames: ['kind', 'state'],
    registers: [registry],
  });
  const metrics = {
    registry,
    /** Route templates, never raw paths: ids in paths would make the series unbounded. */
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'API request durations, by method, route template (`unmatched` when no route answered) and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    rejections: new Counter({
      name: `${PREFIX}safety_rejections_total`,
      help: 'Requests or bulk items refused by the safety layer, by reason (rate_limited, abuse_limited, invalid_url, ...)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    scansSubmitted: new Counter({
      name: `${PREFIX}scans_submitted_total`,
      help: 'Scans accepted by the API, by kind (single, bulk items)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    breakerTransitions: breakerTransitionsCounter(registry, 'Circuit breaker state changes seen by this process, by kind and new state'),
    /** Every breaker row is exported at scrape time; the last API to build an app provides the database. */
    watchBreakers(prisma: PrismaClient) {
      breakerSource = prisma;
    },
    async refreshBreakers() {
      if (!breakerSource) return;
      const rows = await breakerSource.circuitBreaker.findMany({ select: { kind: true, state: true } }).catch(() => null);
      if (!rows) return;
      for (const [key, value] of breakerStateCounts(rows)) {
        const [kind, state] = key.split('\n');
        breakers.set({ kind, state }, value);
      }
    },
  };
  return metrics;
}

/**
 * Worker metrics: page attempts by outcome, scan duration, browser pool gauges, host breaker transitions, and Node's
 * default metrics under their standard names. The Temporal SDK's own (`temporal_*`) come from its exporter
 * (workers/temporal-runtime.ts).
 */
function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const pools = new Set<() => BrowserPoolStats>();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });
  const pagesInUse = gauge('browser_pages_in_use', 'Pages leased right now');
  const pagesMax = gauge('browser_pages_max', 'Pool size (MAX_CONCURRENT_PAGES)');
  const waiting = gauge('browser_lease_waiters', 'Scans waiting for a page');
  const connected = gauge('browser_connected', '1 when Chromium is connected');
  const memory = gauge('browser_memory_pss_bytes', 'Chromium process tree PSS at the last health check, bytes');
  // A counter read from the pools at scrape time: reset() + inc(total) exports the running total.
  const restarts = new Counter({
    name: `${PREFIX}browser_restarts_total`,
    help: 'Browser restarts since the worker started, by cause',
    labelNames: ['cause'],
    registers: [registry],
  });
  return {
    registry,
    scanDuration: new Histogram({
      name: `${PREFIX}scan_duration_seconds`,
      help: 'Duration of page scan attempts, by outcome',
      labelNames: ['outcome'],
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers: [registry],
    }),
    /** Where a scan attempt's time goes (the benchmark's per-page breakdown reads this too). */
    scanStageDuration: new Histogram({
      name: `${PREFIX}scan_stage_duration_seconds`,
      help: 'Time spent per stage of a page scan attempt: egress (proxy), lease (wait + context/page), prepare, navigate, settle, axe, facts, screenshot, store, release',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    scanOutcomes: new Counter({
      name: `${PREFIX}scan_attempts_total`,
      help: 'Page scan attempts by outcome: completed or the failure category (timeout, memory, blocked, ...)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    hostBreakerWaits: new Counter({
      name: `${PREFIX}host_breaker_deferrals_total`,
      help: "Page scans deferred by an open target host breaker, by kind: host (the shared one) or host_client (the scan's client's own)",
      labelNames: ['kind'],
      registers: [registry],
    }),
    breakerTransitions: breakerTransitionsCounter(registry, 'Circuit breaker state changes caused by this worker, by kind and new state'),
    /** The pool gauges read this pool's stats at scrape time. */
    watchPool(stats: () => BrowserPoolStats) {
      pools.add(stats);
      return () => pools.delete(stats);
    },
    refreshPool() {
      const all = [...pools].map((s) => s());
      const sum = (f: (s: BrowserPoolStats) => number) => all.reduce((n, s) => n + f(s), 0);
      pagesInUse.set(sum((s) => s.pagesInUse));
      pagesMax.set(sum((s) => s.maxPages));
      waiting.set(sum((s) => s.waiting));
      connected.set(all.some((s) => s.connected) ? 1 : 0);
      memory.set(sum((s) => s.chromium.pssMb) * 1024 * 1024);
      restarts.reset();
      for (const cause of new Set(all.flatMap((s) => Object.keys(s.restarts)))) {
        restarts.inc(
          { cause },
          sum((s) => s.restarts[cause as keyof BrowserPoolStats['restarts']] ?? 0),
        );
      }
    },
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

let api: ApiMetrics | undefined;
let worker: WorkerMetrics | undefined;
export const apiMetrics = (): ApiMetrics => (api ??= createApiMetrics());
export const workerMetrics = (): WorkerMetrics => (worker ??= createWorkerMetrics());

/** The worker's scrape endpoint: GET /metrics on its own port (no auth: bind it to a private interface). */
export async function startWorkerMetricsServer(port: number, host: string): Promise<Server> {
  const m = workerMetrics();
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    m.refreshPool();
    m.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': m.registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return server;
}
