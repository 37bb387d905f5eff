// Worker telemetry: each worker process upserts its own row in worker_status every WORKER_TELEMETRY_INTERVAL, so
// the API and the health check see every worker (pool, memory, restarts) without asking it.
import type { BrowserPoolView } from '../core/browser-stats';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../lib/prisma';
import { isLost } from './thresholds';

export interface TelemetryOptions {
  prisma: PrismaClient;
  pool: BrowserPoolView;
  identity: string;
  taskQueuePrefix: string;
  taskQueues: string[];
  intervalMs: number;
  logger: Logger;
}

export interface TelemetryPublisher {
  /** Publishes once now (also what the timer does). */
  publish(): Promise<void>;
  /** Stops publishing; `clean` marks the worker stopped (a clean shutdown), otherwise it will be reported lost. */
  stop(opts?: { clean?: boolean }): Promise<void>;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

export function startWorkerTelemetry(o: TelemetryOptions): TelemetryPublisher {
  const [hostname, pid] = [o.identity.slice(0, o.identity.lastIndexOf(':')), Number(o.identity.split(':').pop())];
  const startedAt = new Date();
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();

  const write = async () => {
    // stats() carries the memory of the last pool health check; measure now so the row is never a period stale.
    if (o.pool.stats().connected) o.pool.memory();
    const pool = o.pool.stats();
    const mem = process.memoryUsage();
    const now = new Date();
    const row = {
      hostname,
      pid,
      taskQueuePrefix: o.taskQueuePrefix,
      state: 'running',
      intervalMs: o.intervalMs,
      taskQueues: o.taskQueues,
      pool: JSON.parse(JSON.stringify(pool)),
      process: { heapUsedMb: mb(mem.heapUsed), rssMb: mb(mem.rss) },
      lastHealthCheckAt: pool.lastHealthCheck ? new Date(pool.lastHealthCheck.at) : null,
      lastSeenAt: now,
      stoppedAt: null,
    };
    await o.prisma.workerStatus.upsert({
      where: { identity: o.identity },
      create: { identity: o.identity, startedAt, ...row },
      update: row,
    });
  };

  const publish = () => {
    // One write at a time: a slow database must not pile writes up behind each other.
    inFlight = inFlight.then(write).catch((err: unknown) => {
      o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'worker telemetry not published');
    });
    return inFlight;
  };

  const timer = setInterval(() => {
    if (!stopped) void publish();
  }, o.intervalMs);
  timer.unref();
  void publish();

  return {
    publish,
    async stop({ clean = true } = {}) {
      stopped = true;
      clearInterval(timer);
      await inFlight;
      if (!clean) return;
      await o.prisma.workerStatus
        .updateMany({ where: { identity: o.identity }, data: { state: 'stopped', stoppedAt: new Date(), lastSeenAt: new Date() } })
        .catch((err: unknown) => o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'worker stop not recorded'));
    },
  };
}

export interface WorkerView {
  identity: string;
  state: 'running' | 'stopped' | 'lost';
  browser: {
    connected: boolean;
    pid: number | null;
    pagesInUse: number;
    maxPages: number;
    waiting: number;
    draining: boolean;
    chromiumMemoryMb: { pss: number; rss: number };
    restarts: Record<string, number>;
    launches: number;
    leasesGranted: number;
    lastHealthCheck: { at: string; ok: boolean; message: string } | null;
  };
  process: { heapUsedMb: number; rssMb: number };
  taskQueues: string[];
  intervalMs: number;
  startedAt: string;
  lastSeenAt: string;
  stoppedAt: string | null;
}

type Row = Awaited<ReturnType<PrismaClient['workerStatus']['findMany']>>[number];

export function toWorkerView(r: Row, now: Date): WorkerView {
  const p = (r.pool ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const proc = (r.process ?? {}) as { heapUsedMb?: number; rssMb?: number };
  return {
    identity: r.identity,
    state: r.state === 'stopped' ? 'stopped' : isLost(r, now) ? 'lost' : 'running',
    browser: {
      connected: Boolean(p.connected),
      pid: p.pid ?? null,
      pagesInUse: p.pagesInUse ?? 0,
      maxPages: p.maxPages ?? 0,
      waiting: p.waiting ?? 0,
      draining: Boolean(p.draining),
      chromiumMemoryMb: { pss: p.chromium?.pssMb ?? 0, rss: p.chromium?.rssMb ?? 0 },
      restarts: p.restarts ?? {},
      launches: p.launches ?? 0,
      leasesGranted: p.leasesGranted ?? 0,
      lastHealthCheck: p.lastHealthCheck ?? null,
    },
    process: { heapUsedMb: proc.heapUsedMb ?? 0, rssMb: proc.rssMb ?? 0 },
    taskQueues: r.taskQueues,
    intervalMs: r.intervalMs,
    startedAt: r.startedAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    stoppedAt: r.stoppedAt?.toISOString() ?? null,
  };
}

/** Every worker of one deployment (task queue prefix) seen within the forget period, newest first (bounded). */
export async function listWorkers(prisma: PrismaClient, prefix: string, now = new Date()): Promise<WorkerView[]> {
  const rows = await prisma.workerStatus.findMany({
    where: { taskQueuePrefix: prefix },
    orderBy: { lastSeenAt: 'desc' },
    take: 200,
  });
  return rows.map((r) => toWorkerView(r, now));
}
