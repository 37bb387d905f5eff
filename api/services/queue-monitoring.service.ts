import type { Client } from '@temporalio/client';
import { createTtlCache } from '../../lib/async';
import { taskQueuePrefixOf, temporalUiUrl, type Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import { Prisma, type PrismaClient } from '../../lib/prisma';
import { reconcile, type ReconcileReport } from '../../monitoring/reconcile';
import { taskQueues, type ScanQueue } from '../../core/contracts';
import { conflict, notFound } from '../http-errors';
import type { FailedJobsQuery, QueueStatsQuery, ReconcileQuery } from '../schemas/monitoring.schema';
import type { ScanService } from './scan.service';
import { isUuid } from '../../lib/ids';
import { encodeCursor, olderThan } from './page-cursor';

/**
 * The numbers partition the scans of one queue: every scan not yet terminal is exactly one of waiting, active,
 * finishing or delayed; a terminal scan counts only if it finished inside the window.
 */
export interface QueueCounts {
  /** Accepted, no page working on it yet: status queued, or running before its first page attempt. */
  waiting: number;
  /** A page is working on it now (stage scanning, and the attempt has not ended). */
  active: number;
  /**
   * Its last page attempt has ended (result stored, or the final failure logged) and the workflow is recording the
   * outcome: normally milliseconds. The browser activity leaves stage=scanning until then; without this bucket a
   * scan would count as active while the next scan already has its page.
   */
  finishing: number;
  /** Finished inside the window. */
  completed: number;
  failed: number;
  /** An attempt failed and the next one has not started yet (stage retry_wait: the backoff, then a free page). */
  delayed: number;
  cancelled: number;
}

export interface QueueStats extends QueueCounts {
  window: string;
  since: string;
  clientId?: string;
  queues: Record<ScanQueue, QueueCounts> & Record<string, QueueCounts>;
  temporal: TemporalStats;
  asOf: string;
}

export interface TemporalStats {
  /** Scan workflows of this deployment's task queues that Temporal visibility lists as running; null when unreachable. */
  runningWorkflows: number | null;
  /** When Temporal was asked (the answer is cached for TEMPORAL_CACHE_MS). */
  asOf: string | null;
  error?: string;
}

export interface MonitoringDeps {
  env: Env;
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  scans: ScanService;
  taskQueuePrefix?: string;
}

const TEMPORAL_CACHE_MS = 5_000;
const TEMPORAL_DEADLINE_MS = 2_000;
const zero = (): QueueCounts => ({ waiting: 0, active: 0, finishing: 0, completed: 0, failed: 0, delayed: 0, cancelled: 0 });

interface StatsRow {
  queue: string;
  status: string;
  stage: string;
  n: number;
  pageDone: number;
}

/**
 * The stats query: one row per (queue, status, stage), a handful in all. Scans not yet terminal are found through the
 * (status, stage) index, terminal ones through finished_at; only the few in stage scanning (at most the pages of all
 * workers) are looked up further, by primary key, to tell a page at work from a page done (`pageDone`).
 */
export function queueStatsSql(since: Date, clientId?: string): Prisma.Sql {
  const byClient = clientId ? Prisma.sql`AND s.client_id = ${clientId}` : Prisma.empty;
  return Prisma.sql`
    SELECT s.queue, s.status::text AS status, s.stage, count(*)::int AS n,
      count(*) FILTER (WHERE s.status = 'running' AND s.stage = 'scanning' AND (
        EXISTS (SELECT 1 FROM scan_results r WHERE r.scan_id = s.id)
        OR EXISTS (SELECT 1 FROM scan_attempts a WHERE a.scan_id = s.id AND a.attempt = s.attempts)))::int AS "pageDone"
    FROM scans s
    WHERE (s.status IN ('queued', 'running') OR s.finished_at >= ${since}) ${byClient}
    GROUP BY s.queue, s.status, s.stage`;
}

/** Adds one (queue, status, stage) group to its buckets: the definitions of the numbers live here. */
function addGroup(c: QueueCounts, g: StatsRow): void {
  switch (g.status) {
    case 'completed':
    case 'failed':
    case 'cancelled':
      c[g.status] += g.n;
      return;
    case 'running':
      if (g.stage === 'scanning') {
        c.active += g.n - g.pageDone;
        c.finishing += g.pageDone;
        return;
      }
      if (g.stage === 'retry_wait') {
        c.delayed += g.n;
        return;
      }
      c.waiting += g.n; // stage queued or waiting: started, no page attempt yet
      return;
    default:
      c.waiting += g.n; // queued: accepted, the workflow has not started it
  }
}

/** Queue statistics, failed jobs and their retry, reconciliation: the operator's view of the scan queues. */
export function createQueueMonitoringService(deps: MonitoringDeps) {
  const { env, prisma, temporal, scans } = deps;
  const queues = taskQueues(taskQueuePrefixOf(deps));

  const temporalCache = createTtlCache();
  /** Running scan workflows on this deployment's queues, from visibility; cached 5 s per client filter. */
  function temporalStats(clientId?: string): Promise<TemporalStats> {
    return temporalCache.get(clientId ?? '', TEMPORAL_CACHE_MS, () => {
      const query =
        `ExecutionStatus="Running" AND ScanStatus IS NOT NULL AND TaskQueue IN ("${queues.high}", "${queues.low}")` +
        (clientId ? ` AND ClientId="${clientId}"` : ''); // clientIdSchema allows no quotes
      const asOf = new Date().toISOString();
      return temporal
        .withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, () => temporal.workflow.count(query))
        .then(
          (r): TemporalStats => ({ runningWorkflows: r.count, asOf }),
          (err: unknown): TemporalStats => {
            deps.logger.warn({ err }, 'queue stats: Temporal visibility count failed');
            return { runningWorkflows: null, asOf, error: 'Temporal visibility did not answer' };
          },
        );
    });
  }

  // One serialised retry at a time per API process (the advisory lock covers other processes): a retry holds a
  // connection for its lock while submit uses another, so unbounded parallel retries could exhaust the pool.
  let retryChain: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = retryChain.then(fn, fn);
    retryChain = run.catch(() => undefined);
    return run;
  };

  return {
    /** One grouped query (queueStatsSql) and the cached Temporal count, side by side. */
    async stats(q: QueueStatsQuery): Promise<QueueStats> {
      const now = new Date();
      const since = new Date(now.getTime() - q.window.ms);
      const [rows, temporalView] = await Promise.all([
        prisma.$queryRaw<StatsRow[]>(queueStatsSql(since, q.clientId)),
        temporalStats(q.clientId),
      ]);
      const total = zero();
      const perQueue: Record<string, QueueCounts> = { high: zero(), low: zero() };
      for (const row of rows) {
        addGroup(total, row);
        addGroup((perQueue[row.queue] ??= zero()), row);
      }
      return {
        waiting: total.waiting,
        active: total.active,
        finishing: total.finishing,
        completed: total.completed,
        failed: total.failed,
        delayed: total.delayed,
        cancelled: total.cancelled,
        window: q.window.text,
        since: since.toISOString(),
        ...(q.clientId && { clientId: q.clientId }),
        queues: perQueue as QueueStats['queues'],
        temporal: temporalView,
        asOf: now.toISOString(),
      };
    },

    /** Failed scans, newest finish first, with every attempt and the retries made of each. */
    async failed(q: FailedJobsQuery) {
      const and: Prisma.ScanWhereInput[] = [{ status: 'failed', finishedAt: { not: null } }];
      if (q.clientId) and.push({ clientId: q.clientId });
      if (q.category) and.push({ failureReason: q.category });
      if (q.since) and.push({ finishedAt: { gte: q.since } });
      if (q.until) and.push({ finishedAt: { lt: q.until } });
      // (finishedAt, id): scans cancelled or failed together share finishedAt.
      const cursor = q.cursor ?? q.before;
      if (cursor) and.push(olderThan<Prisma.ScanWhereInput>(cursor, 'finishedAt'));
      const rows = await prisma.scan.findMany({
        where: { AND: and },
        orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
        take: q.limit + 1,
        // Only what a job shows: a scan row's other columns (options, counts, timings) would be read and mapped for nothing.
        select: {
          id: true,
          workflowId: true,
          url: true,
          clientId: true,
          queue: true,
          failureReason: true,
          failureMessage: true,
          attempts: true,
          finishedAt: true,
          retryOf: true,
        },
      });
      const page = rows.slice(0, q.limit);
      const ids = page.map((r) => r.id);
      // The page's attempts and retries side by side (an `include` would read the attempts before the retries).
      const [attempts, retries] = ids.length
        ? await Promise.all([
            prisma.scanAttempt.findMany({
              where: { scanId: { in: ids } },
              orderBy: [{ scanId: 'asc' }, { attempt: 'asc' }],
              select: { scanId: true, attempt: true, category: true, message: true, createdAt: true },
            }),
            prisma.scan.findMany({
              where: { retryOf: { in: ids } },
              orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
              select: { id: true, retryOf: true },
            }),
          ])
        : [[], []];
      const attemptsOf = new Map<string, typeof attempts>();
      for (const a of attempts) attemptsOf.set(a.scanId, [...(attemptsOf.get(a.scanId) ?? []), a]);
      const retriesOf = new Map<string, string[]>();
      for (const r of retries) if (r.retryOf) retriesOf.set(r.retryOf, [...(retriesOf.get(r.retryOf) ?? []), r.id]);
      const last = page[page.length - 1];
      return {
        jobs: page.map((s) => {
          const attemptsLog = (attemptsOf.get(s.id) ?? []).map((a) => ({
            attempt: a.attempt,
            category: a.category,
            message: a.message,
            at: a.createdAt,
          }));
          return {
            jobId: s.id,
            workflowId: s.workflowId,
            url: s.url,
            clientId: s.clientId,
            queue: s.queue,
            category: s.failureReason,
            message: s.failureMessage,
            attempts: s.attempts,
            attemptsLog,
            lastAttemptAt: attemptsLog.length ? attemptsLog[attemptsLog.length - 1].at : null,
            finishedAt: s.finishedAt,
            retryOf: s.retryOf,
            retriedBy: retriesOf.get(s.id) ?? [],
            temporalUiUrl: temporalUiUrl(env, s.workflowId),
          };
        }),
        next: rows.length > q.limit && last?.finishedAt ? encodeCursor(last.finishedAt, last.id) : null,
      };
    },

    /**
     * Re-runs a failed scan as a new scan with the same URL, client, prospect, queue, priority and options. While a
     * retry of it is queued or running, that retry is returned instead of a second one (`existing: true`).
     */
    retry(jobId: string) {
      if (!isUuid(jobId)) throw notFound('scan');
      return serialised(() =>
        prisma.$transaction(
          async (tx) => {
            // Held until this transaction ends, so a concurrent retry of the same scan (any API process) waits and
            // then finds the retry this one started.
            await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`scan-retry:${jobId}`}))::text AS locked`;
            const original = await tx.scan.findUnique({ where: { id: jobId } });
            if (!original) throw notFound('scan');
            if (original.status !== 'failed') {
              throw conflict(`scan ${jobId} is ${original.status}; only failed scans can be retried`);
            }
            const latest = await tx.scan.findFirst({ where: { retryOf: jobId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
            if (latest && (latest.status === 'queued' || latest.status === 'running')) {
              return { scanId: latest.id, workflowId: latest.workflowId, status: latest.status, retryOf: jobId, existing: true };
            }
            if (latest?.status === 'completed') {
              throw conflict(`scan ${jobId} was already retried successfully by scan ${latest.id}`);
            }
            const options = (original.options ?? {}) as { timeoutMs?: number; maxRetries?: number; wcagTags?: string[] };
            const started = await scans.submit({
              url: original.url,
              clientId: original.clientId,
              prospectId: original.prospectId ?? undefined,
              queue: original.queue as ScanQueue,
              priority: original.priority,
              timeout: options.timeoutMs,
              maxRetries: options.maxRetries,
              wcagTags: options.wcagTags,
              retryOf: jobId,
            });
            return { ...started, retryOf: jobId, existing: false };
          },
          { maxWait: 10_000, timeout: 60_000 },
        ),
      );
    },

    reconcile(q: ReconcileQuery): Promise<ReconcileReport> {
      return reconcile({ prisma, client: temporal, since: q.since, limit: q.limit, clientId: q.clientId });
    },
  };
}
export type QueueMonitoringService = ReturnType<typeof createQueueMonitoringService>;
