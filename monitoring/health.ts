// The health report: database, queue (Temporal), puppeteer (browsers, from worker telemetry) and workers, plus the
// seed's three metrics. Used by GET /api/monitoring/health and by the scheduled health check; every query bounded.
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { TimeoutError, withTimeout } from '../lib/async';
import type { Env } from '../lib/env';
import { Prisma, type PrismaClient } from '../lib/prisma';
import { sharedControlQueue, taskQueues } from '../core/contracts';
import { listWorkers, type WorkerView } from './telemetry';
import {
  browserStatus,
  databaseStatus,
  percent,
  puppeteerStatus,
  queueStatus,
  successRate,
  THRESHOLDS,
  workersStatus,
  worst,
  type BrowserProbe,
  type ComponentHealth,
  type HealthStatus,
} from './thresholds';

export interface HealthDeps {
  env: Env;
  prisma: PrismaClient;
  temporal: Client;
  /** The deployment's task queue prefix (TEMPORAL_TASK_QUEUE_PREFIX, or a test's own). */
  prefix: string;
}

export interface TaskQueueHealth {
  name: string;
  kind: 'workflow' | 'activity';
  pollers: number;
  pollerIdentities: string[];
  /** From Temporal's task queue stats (null when the server does not report them). */
  backlogCount: number | null;
  backlogAgeMs: number | null;
}

export interface QueueHealthDetails {
  temporalReachable: boolean;
  taskQueues: TaskQueueHealth[];
  queuesWithoutPollers: string[];
  backlogAgeMs: number;
  /** The oldest scan in Postgres that waits for a page (bulk items not yet started by their bulk excluded). */
  oldestWaitingScan: { scanId: string; since: string; ageMs: number } | null;
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  components: {
    queue: ComponentHealth<QueueHealthDetails>;
    puppeteer: ComponentHealth<{ maxMemoryMb: number; browsers: Array<BrowserProbe & { status: HealthStatus }> }>;
    database: ComponentHealth<{ reachable: boolean; latencyMs: number }>;
    workers: ComponentHealth<{ live: number; lost: number; stopped: number; lostIdentities: string[] }>;
  };
  metrics: {
    /** Completed / (completed + failed) over the last 24 h, as the seed's percent string; null without scans. */
    successRate: string | null;
    /** Mean durationMs of scans completed in the last 24 h. */
    averageScanTime: number | null;
    /** Live workers' Chromium PSS plus their own RSS. */
    memoryUsageMB: number;
    window: '24h';
    completed: number;
    failed: number;
  };
  workers: WorkerView[];
  asOf: string;
}

const safeMessage = (err: unknown) => (err instanceof TimeoutError ? err.message : 'unreachable');

export async function databaseHealth(prisma: PrismaClient): Promise<HealthReport['components']['database']> {
  const started = Date.now();
  try {
    await withTimeout(prisma.$queryRaw`SELECT 1`, THRESHOLDS.database.probeTimeoutMs);
    const latencyMs = Date.now() - started;
    const status = databaseStatus({ ok: true, latencyMs });
    return {
      status,
      message: status === 'healthy' ? `Postgres answered in ${latencyMs} ms` : `Postgres is slow: ${latencyMs} ms for SELECT 1`,
      details: { reachable: true, latencyMs },
    };
  } catch (err) {
    return { status: 'critical', message: `Postgres ${safeMessage(err)}`, details: { reachable: false, latencyMs: Date.now() - started } };
  }
}

const durationMs = (d: { seconds?: unknown; nanos?: number | null } | null | undefined): number | null =>
  d ? Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6) : null;

/** Temporal reachable, a poller on every task queue of the deployment, and how old the backlog is. */
export async function queueHealth(deps: HealthDeps): Promise<HealthReport['components']['queue']> {
  const q = taskQueues(deps.prefix);
  const { TASK_QUEUE_TYPE_WORKFLOW: WF, TASK_QUEUE_TYPE_ACTIVITY: ACT } = proto.api.enums.v1.TaskQueueType;
  const wanted: Array<[string, 'workflow' | 'activity']> = [
    [q.high, 'workflow'],
    [q.low, 'workflow'],
    [q.browser, 'activity'],
    [sharedControlQueue(deps.prefix), 'workflow'],
  ];
  const oldestP = deps.prisma.$queryRaw<Array<{ id: string; since: Date }>>(Prisma.sql`
    SELECT id, coalesce(started_at, created_at) AS since FROM scans
    WHERE (status = 'queued' AND bulk_id IS NULL) OR (status = 'running' AND stage IN ('queued', 'waiting'))
    ORDER BY created_at ASC LIMIT 1`);
  let taskQueueHealth: TaskQueueHealth[] = [];
  let temporalReachable = true;
  let error: string | undefined;
  try {
    taskQueueHealth = await withTimeout(
      Promise.all(
        wanted.map(async ([name, kind]) => {
          const d = await deps.temporal.workflowService.describeTaskQueue({
            namespace: deps.env.TEMPORAL_NAMESPACE,
            taskQueue: { name },
            taskQueueType: kind === 'workflow' ? WF : ACT,
            reportStats: true,
          });
          const stats = (
            d as {
              stats?: { approximateBacklogCount?: unknown; approximateBacklogAge?: { seconds?: unknown; nanos?: number } | null } | null;
            }
          ).stats;
          return {
            name,
            kind,
            pollers: d.pollers?.length ?? 0,
            pollerIdentities: (d.pollers ?? []).map((p) => p.identity ?? '').filter(Boolean),
            backlogCount: stats ? Number(stats.approximateBacklogCount ?? 0) : null,
            backlogAgeMs: stats ? durationMs(stats.approximateBacklogAge) : null,
          };
        }),
      ),
      THRESHOLDS.queue.probeTimeoutMs,
    );
  } catch (err) {
    temporalReachable = false;
    error = `Temporal ${safeMessage(err)}`;
  }
  const oldestRow = (await oldestP.catch(() => []))[0];
  const now = Date.now();
  const oldestWaitingScan = oldestRow
    ? { scanId: oldestRow.id, since: oldestRow.since.toISOString(), ageMs: now - oldestRow.since.getTime() }
    : null;
  const temporalAges = taskQueueHealth.map((t) => t.backlogAgeMs).filter((a): a is number => a !== null);
  // Temporal's age is the time the oldest task waited for a poller; without stats, Postgres's oldest waiting scan.
  const backlogAgeMs = temporalAges.length > 0 ? Math.max(...temporalAges) : (oldestWaitingScan?.ageMs ?? 0);
  const queuesWithoutPollers = taskQueueHealth.filter((t) => t.pollers === 0).map((t) => t.name);
  const status = queueStatus({ temporalReachable, queuesWithoutPollers, backlogAgeMs });
  const message = !temporalReachable
    ? 'Temporal is unreachable: no scan can start or progress'
    : queuesWithoutPollers.length > 0
      ? `no worker polls ${queuesWithoutPollers.join(', ')}`
      : status === 'healthy'
        ? 'Temporal reachable, every task queue has pollers'
        : `the oldest waiting task is ${Math.round(backlogAgeMs / 1000)} s old`;
  return {
    status,
    message,
    details: {
      temporalReachable,
      taskQueues: taskQueueHealth,
      queuesWithoutPollers,
      backlogAgeMs,
      oldestWaitingScan,
      ...(error && { error }),
    },
  };
}

export function browserProbes(workers: WorkerView[]): BrowserProbe[] {
  return workers
    .filter((w) => w.state === 'running')
    .map((w) => ({
      identity: w.identity,
      connected: w.browser.connected,
      pssMb: w.browser.chromiumMemoryMb.pss,
      lastHealthOk: w.browser.lastHealthCheck ? w.browser.lastHealthCheck.ok : null,
      draining: w.browser.draining,
    }));
}

export function puppeteerHealth(workers: WorkerView[], maxMemoryMb: number): HealthReport['components']['puppeteer'] {
  const browsers = browserProbes(workers).map((b) => ({ ...b, status: browserStatus(b, maxMemoryMb) }));
  const status = puppeteerStatus(browsers, maxMemoryMb);
  const bad = browsers.filter((b) => b.status !== 'healthy');
  const message =
    browsers.length === 0
      ? 'no live worker: no browser can run a scan'
      : bad.length === 0
        ? `${browsers.length} browser pool(s) healthy`
        : bad
            .map((b) => `${b.identity}: ${b.lastHealthOk === false ? 'unresponsive' : `${b.pssMb} MB PSS of ${maxMemoryMb} MB`}`)
            .join('; ');
  return { status, message, details: { maxMemoryMb, browsers } };
}

export function workersHealth(workers: WorkerView[]): HealthReport['components']['workers'] {
  const live = workers.filter((w) => w.state === 'running').length;
  const lostIdentities = workers.filter((w) => w.state === 'lost').map((w) => w.identity);
  const stopped = workers.filter((w) => w.state === 'stopped').length;
  const status = workersStatus({ live, lost: lostIdentities.length });
  const message =
    live === 0
      ? 'no worker is publishing telemetry'
      : lostIdentities.length > 0
        ? `${lostIdentities.length} worker(s) lost: ${lostIdentities.join(', ')}`
        : `${live} worker(s) live`;
  return { status, message, details: { live, lost: lostIdentities.length, stopped, lostIdentities } };
}

interface MetricsRow {
  completed: number;
  failed: number;
  avgDuration: number | null;
}

async function scanMetrics(prisma: PrismaClient, since: Date): Promise<MetricsRow> {
  // Through the finished_at index: only the scans that ended inside the window are read.
  const [row] = await prisma.$queryRaw<MetricsRow[]>(Prisma.sql`
    SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
           -- a scheduled run refused for its client's quota never ran: not a failure of the platform
           count(*) FILTER (WHERE status = 'failed' AND failure_reason IS DISTINCT FROM 'rate_limited')::int AS failed,
           round(avg(duration_ms) FILTER (WHERE status = 'completed'))::int AS "avgDuration"
    FROM scans WHERE finished_at >= ${since}`);
  return row ?? { completed: 0, failed: 0, avgDuration: null };
}

export async function buildHealthReport(deps: HealthDeps): Promise<HealthReport> {
  const now = new Date();
  const [database, queue, workers, metrics] = await Promise.all([
    databaseHealth(deps.prisma),
    queueHealth(deps),
    listWorkers(deps.prisma, deps.prefix, now).catch(() => null),
    scanMetrics(deps.prisma, new Date(now.getTime() - 24 * 3600_000)).catch(() => null),
  ]);
  const views = workers ?? [];
  const puppeteer = puppeteerHealth(views, deps.env.MAX_MEMORY_MB);
  const workersComponent = workersHealth(views);
  if (!workers) {
    // Without the database there is no telemetry: say so instead of claiming every worker is gone.
    puppeteer.message = 'unknown: worker telemetry is in Postgres, which is unreachable';
    workersComponent.message = puppeteer.message;
  }
  const live = views.filter((w) => w.state === 'running');
  const memoryUsageMB = live.reduce((n, w) => n + w.browser.chromiumMemoryMb.pss + w.process.rssMb, 0);
  return {
    status: worst([queue.status, puppeteer.status, database.status, workersComponent.status]),
    components: { queue, puppeteer, database, workers: workersComponent },
    metrics: {
      successRate: percent(metrics ? successRate(metrics.completed, metrics.failed) : null),
      averageScanTime: metrics?.avgDuration ?? null,
      memoryUsageMB,
      window: '24h',
      completed: metrics?.completed ?? 0,
      failed: metrics?.failed ?? 0,
    },
    workers: views,
    asOf: now.toISOString(),
  };
}
