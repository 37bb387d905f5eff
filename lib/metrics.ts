// Prometheus metrics (prom-client). One registry for the API and one for a worker, created once per process:
// tests run an API and workers in one process, and prom-client refuses to register a name twice.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrowserPoolStats } from '../core/browser-stats';
import { BREAKER_STATE_VALUE, breakerMetricName, type BreakerState } from './circuit-breakers';
import type { PrismaClient } from './prisma';

const PREFIX = 'wcag_';

function breakerGauge(registry: Registry) {
  return new Gauge({
    name: `${PREFIX}circuit_breaker_state`,
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
    labelNames: ['name', 'kind'],
    registers: [registry],
  });
}

/**
 * Pure: the breaker gauge's series, keyed `name\nkind`. A client's own host breakers (`host:<h>#client:<id>`) are
 * folded into one series per host (`host:<h>#client`, the worst state among them), so the series grow with hosts,
 * not with clients × hosts; /api/monitoring/safety names the clients.
 */
export function breakerGaugeValues(rows: Array<{ name: string; kind: string; state: string }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const key = `${breakerMetricName(r.name)}\n${r.kind}`;
    out.set(key, Math.max(out.get(key) ?? 0, BREAKER_STATE_VALUE[r.state as BreakerState] ?? 0));
  }
  return out;
}

/** API metrics: rejections by the safety layer, breaker states (read from Postgres on scrape) and transitions. */
function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${PREFIX}api_` });
  let breakerSource: PrismaClient | null = null;
  const breakers = breakerGauge(registry);
  const metrics = {
    registry,
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
    breakerTransitions: new Counter({
      name: `${PREFIX}circuit_breaker_transitions_total`,
      help: 'Circuit breaker state changes seen by this process',
      labelNames: ['name', 'to'],
      registers: [registry],
    }),
    /** Every breaker row is exported at scrape time; the last API to build an app provides the database. */
    watchBreakers(prisma: PrismaClient) {
      breakerSource = prisma;
    },
    async refreshBreakers() {
      if (!breakerSource) return;
      const rows = await breakerSource.circuitBreaker.findMany({ select: { name: true, kind: true, state: true } }).catch(() => null);
      if (!rows) return;
      breakers.reset();
      for (const [key, value] of breakerGaugeValues(rows)) {
        const [name, kind] = key.split('\n');
        breakers.set({ name, kind }, value);
      }
    },
  };
  return metrics;
}

/** Worker metrics: page attempts by outcome, scan duration, browser pool gauges, host breaker transitions. */
function createWorkerMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${PREFIX}worker_` });
  const pools = new Set<() => BrowserPoolStats>();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });
  const pagesInUse = gauge('browser_pages_in_use', 'Pages leased right now');
  const pagesMax = gauge('browser_pages_max', 'Pool size (MAX_CONCURRENT_PAGES)');
  const waiting = gauge('browser_lease_waiters', 'Scans waiting for a page');
  const connected = gauge('browser_connected', '1 when Chromium is connected');
  const memory = gauge('browser_memory_pss_mb', 'Chromium process tree PSS at the last health check, MB');
  const restarts = gauge('browser_restarts', 'Browser restarts since the worker started, by cause', ['cause']);
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
    breakerTransitions: new Counter({
      name: `${PREFIX}circuit_breaker_transitions_total`,
      help: 'Circuit breaker state changes caused by this worker',
      labelNames: ['name', 'to'],
      registers: [registry],
    }),
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
      memory.set(sum((s) => s.chromium.pssMb));
      restarts.reset();
      for (const cause of new Set(all.flatMap((s) => Object.keys(s.restarts)))) {
        restarts.set(
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
