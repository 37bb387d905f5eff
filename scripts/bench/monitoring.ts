// Monitoring latency: every GET under /api/monitoring and the dashboard page, with 10,000 scans of history while
// scans run, under autocannon, against the API in its own process (autocannon in another).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOGIN_CSRF_COOKIE, SESSION_COOKIE } from '../../api/ui/session';
import type { PrismaClient } from '../../lib/prisma';
import { startApiProcess } from './api-process';
import type { BenchContext } from './context';
import { BENCH_ENV } from './infra';
import { loadInOwnProcess } from './load-process';
import { apiOf, cancelBulk, submitBulk } from './platform';
import { round } from './stats';

const ROOT = join(__dirname, '..', '..');

/** Endpoints the monitoring issue names; discovery from the routers adds whatever else exists. */
export const KNOWN_MONITORING_GETS = [
  '/api/monitoring/queue/stats',
  '/api/monitoring/queue/failed',
  '/api/monitoring/reconcile',
  '/api/monitoring/workers',
  '/api/monitoring/health',
  '/api/monitoring/reliability',
  '/api/monitoring/puppeteer',
  '/api/monitoring/safety',
  '/api/monitoring/rate-limits',
  '/api/monitoring/circuit-breakers',
  '/api/monitoring/dashboard',
  '/api/monitoring/alerts',
  '/api/monitoring/metrics',
];

/**
 * GET paths without parameters of the routers mounted under /api/monitoring in `app.ts` source: the mount point
 * from `api.use('/monitoring…', fooRouter(…))`, the paths from `router.get('…'` in the file defining fooRouter.
 */
export function discoverMonitoringGets(appSource: string, routerSources: ReadonlyArray<{ source: string }>): string[] {
  const out = new Set<string>();
  for (const m of appSource.matchAll(/api\.use\(\s*'(\/monitoring[^']*)'\s*,\s*(\w+)\s*\(/g)) {
    const [, mount, fn] = m;
    const file = routerSources.find((f) => new RegExp(`function\\s+${fn}\\b|const\\s+${fn}\\s*=`).test(f.source));
    if (!file) continue;
    for (const g of file.source.matchAll(/\.get\(\s*'(\/[^']*)'/g)) {
      if (g[1].includes(':')) continue;
      out.add(`/api${mount}${g[1] === '/' ? '' : g[1]}`.replace(/\/+$/, ''));
    }
  }
  return [...out].sort();
}

function discover(): string[] {
  try {
    const app = readFileSync(join(ROOT, 'api', 'app.ts'), 'utf8');
    const dir = join(ROOT, 'api', 'routes');
    const routers = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => ({ source: readFileSync(join(dir, f), 'utf8') }));
    return discoverMonitoringGets(app, routers);
  } catch {
    return [];
  }
}

/**
 * 10,000 scans over the last 30 days in one statement: ~85 % completed (scores spread 20-100, some with
 * violations stored), ~10 % failed across the failure categories (each with its attempts), the rest cancelled;
 * 25 clients, both queues.
 */
export async function seedHistory(prisma: PrismaClient, count: number): Promise<void> {
  await prisma.$executeRawUnsafe(`
    INSERT INTO scans (id, workflow_id, url, target_host, client_id, queue, priority, status, stage, attempts, score,
      violation_count, incomplete_count, critical_count, serious_count, moderate_count, minor_count,
      failure_reason, failure_message, created_at, started_at, finished_at, duration_ms)
    SELECT id, 'scan-' || id, 'https://site' || (n % 400) || '.example/page' || n, 'site' || (n % 400) || '.example',
      'client-' || (n % 25), CASE WHEN n % 4 = 0 THEN 'high' ELSE 'low' END, 1 + n % 10,
      st::"ScanStatus", 'done', CASE WHEN st = 'failed' THEN 3 ELSE 1 END,
      CASE WHEN st = 'completed' THEN 20 + (n * 37) % 81 END,
      CASE WHEN st = 'completed' THEN (n * 7) % 12 END, CASE WHEN st = 'completed' THEN n % 3 END,
      CASE WHEN st = 'completed' THEN n % 2 END, CASE WHEN st = 'completed' THEN n % 4 END,
      CASE WHEN st = 'completed' THEN n % 3 END, CASE WHEN st = 'completed' THEN n % 2 END,
      CASE WHEN st = 'failed' THEN (ARRAY['timeout','navigation','http_error','blocked','crash','memory'])[1 + n % 6] END,
      CASE WHEN st = 'failed' THEN 'seeded failure' END,
      at, at + interval '1 second', at + make_interval(secs => 2 + n % 40), 2000 + (n % 40) * 1000
    FROM (
      SELECT n, gen_random_uuid() AS id, now() - (random() * interval '30 days') AS at,
        CASE WHEN n % 20 < 17 THEN 'completed' WHEN n % 20 < 19 THEN 'failed' ELSE 'cancelled' END AS st
      FROM generate_series(1, ${Number(count)}) AS n
    ) s`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO scan_attempts (scan_id, attempt, category, message, created_at)
    SELECT id, a, failure_reason, 'seeded attempt', started_at + make_interval(secs => a)
    FROM scans, generate_series(1, 3) AS a WHERE status = 'failed' AND failure_message = 'seeded failure'`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO scan_violations (scan_id, kind, rule_id, impact, wcag, tags, help, help_url, node_count, nodes)
    SELECT id, 'violation', (ARRAY['image-alt','label','color-contrast','link-name','button-name'])[1 + (abs(hashtext(id::text)) + r) % 5],
      'serious', ARRAY['1.1.1'], ARRAY['wcag2a'], 'seeded', 'https://dequeuniversity.com/rules/axe/4.14/x', 1 + r, '[]'::jsonb
    FROM scans, generate_series(1, 2) AS r WHERE status = 'completed' AND client_id LIKE 'client-%'`);
}

/**
 * Query strings for endpoints whose default scope is the whole history: reconcile asks Temporal about every scan
 * of the last 24 h, and the seeded history has no workflows, so it would measure 10,000 describe calls.
 */
export const MONITORING_QUERIES: Record<string, string> = {
  '/api/monitoring/reconcile': '?since=15m&limit=200',
};

export interface EndpointLatency {
  path: string;
  query: string;
  present: boolean;
  status: number;
  requests?: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  non2xx?: number;
}

export interface MonitoringResult {
  history: number;
  runningScans: number;
  connections: number;
  seconds: number;
  /** The measured API ran in a process of its own (not the workers'). */
  apiInOwnProcess?: boolean;
  endpoints: EndpointLatency[];
}

/**
 * Named monitoring GETs served elsewhere than their name: Prometheus text at /metrics, a client's rate limit at
 * /rate-limit/:clientId, circuit breakers inside /safety (measured there). The dashboard page and its live poll
 * are the Web UI's (session cookie).
 */
const SERVED_ELSEWHERE: Record<string, string> = {
  '/api/monitoring/metrics': '/metrics',
  '/api/monitoring/rate-limits': '/api/monitoring/rate-limit/bench-monitoring',
  '/api/monitoring/circuit-breakers': '/api/monitoring/safety',
};
const UI_PAGES = ['/dashboard', '/dashboard/live'];

/** A Web UI session for the admin key: the sign-in form's double-submit token is ours, so one POST suffices. */
async function signIn(baseUrl: string, apiKey: string): Promise<string> {
  const csrf = randomBytes(16).toString('hex');
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `${LOGIN_CSRF_COOKIE}=${csrf}` },
    body: new URLSearchParams({ _csrf: csrf, apiKey, next: '/' }).toString(),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!session) throw new Error(`sign-in to the Web UI failed (status ${res.status})`);
  return session;
}

export async function runMonitoring(ctx: BenchContext): Promise<MonitoringResult> {
  const pl = await ctx.infra.platform(3);
  const api = apiOf(pl);
  ctx.log(`monitoring: seeding ${ctx.opts.historyScans} scans of history`);
  await seedHistory(ctx.infra.prisma, ctx.opts.historyScans);
  // The measured API runs alone in its process, as in production, on the workers' task queues; the workers (and
  // the in-process API the load is submitted through) stay in this process.
  const measured = await startApiProcess({
    env: {
      ...BENCH_ENV,
      DATABASE_URL: ctx.infra.databaseUrl,
      TEMPORAL_ADDRESS: ctx.infra.temporalAddress,
      TEMPORAL_TASK_QUEUE_PREFIX: pl.taskQueuePrefix,
      LOG_LEVEL: 'error',
    },
    nodeArgs: process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean),
    log: ctx.log,
  });
  // Enough scans to keep all three pages busy for the whole measurement.
  const urls = Array.from({ length: 200 }, (_, i) => ctx.server.url(ctx.corpus[i % ctx.corpus.length].path, `monitoring=${i}`));
  const bulkId = await submitBulk(api, urls, { clientId: 'bench-monitoring' });
  const endpoints: EndpointLatency[] = [];
  try {
    const session = await signIn(measured.baseUrl, measured.apiKey);
    const named = [...new Set([...KNOWN_MONITORING_GETS, ...discover()])];
    const paths = [...new Set(named.map((p) => SERVED_ELSEWHERE[p] ?? p))].sort();
    // Wait until pages are busy.
    const until = Date.now() + 60_000;
    while (pl.pool.stats().pagesInUse < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    for (const path of [...paths, ...UI_PAGES]) {
      const query = MONITORING_QUERIES[path] ?? '';
      const headers: Record<string, string> = UI_PAGES.includes(path)
        ? { Cookie: session, Accept: 'text/html' }
        : { Authorization: `Bearer ${measured.apiKey}` };
      const probe = await fetch(`${measured.baseUrl}${path}${query}`, { headers, redirect: 'manual' });
      await probe.arrayBuffer();
      if (probe.status === 404) {
        endpoints.push({ path, query, present: false, status: 404 });
        continue;
      }
      // Bounded by time, not by count: a slow endpoint shows up as few requests and a high p99, not a stuck run.
      const r = await loadInOwnProcess(
        {
          url: `${measured.baseUrl}${path}${query}`,
          headers,
          connections: ctx.opts.monitoringConnections,
          duration: ctx.opts.monitoringSeconds,
          timeout: 10,
        },
        ROOT,
      );
      endpoints.push({
        path,
        query,
        present: true,
        status: probe.status,
        requests: r.total,
        p50Ms: r.p50,
        p99Ms: r.p99,
        maxMs: r.max,
        non2xx: r.failed,
      });
      ctx.log(
        `  ${path}: p50 ${r.p50} ms, p99 ${r.p99} ms (${round(r.average)} req/s, status ${probe.status}, pages busy ${pl.pool.stats().pagesInUse})`,
      );
    }
  } finally {
    await measured.stop();
    await cancelBulk(api, bulkId, 180_000);
  }
  return {
    history: ctx.opts.historyScans,
    runningScans: 3,
    connections: ctx.opts.monitoringConnections,
    seconds: ctx.opts.monitoringSeconds,
    apiInOwnProcess: true,
    endpoints,
  };
}
