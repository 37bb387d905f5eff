// Health, telemetry, reliability, alerts, dashboard and recovery for /api/monitoring (README "Monitoring").
// Reads Postgres (telemetry, scans, alerts) and Temporal (task queues); every query is bounded, and answers that
// may be a second or two stale are cached briefly so a dashboard polling every second costs nothing.
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { createTtlCache } from '../../lib/async';
import { taskQueuePrefixOf, type Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import type { Prisma, PrismaClient } from '../../lib/prisma';
import { buildHealthReport, queueHealth, type HealthReport } from '../../monitoring/health';
import { reliabilityReport, type ReliabilityReport } from '../../monitoring/reliability';
import { listWorkers, type WorkerView } from '../../monitoring/telemetry';
import { sharedControlQueue } from '../../core/contracts';
import type { healthCheckWorkflow } from '../../workflows';
import { HttpError, serviceUnavailable } from '../http-errors';
import type { AlertsQuery } from '../schemas/health-monitoring.schema';
import { nextCursor, olderThan, pageCursorOf } from './page-cursor';

export interface HealthMonitoringDeps {
  env: Env;
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  taskQueuePrefix?: string;
}

/** How long an answer may be reused. Short: these are live views. */
const CACHE_MS = { health: 2_000, queue: 2_000, reliability: 10_000 } as const;

export function createHealthMonitoringService(deps: HealthMonitoringDeps) {
  const prefix = taskQueuePrefixOf(deps);
  const healthDeps = { env: deps.env, prisma: deps.prisma, temporal: deps.temporal, prefix };
  const cache = createTtlCache();

  const fullHealth = () => cache.get<HealthReport>('health', CACHE_MS.health, () => buildHealthReport(healthDeps));

  const service = {
    async health() {
      const { workers: _workers, ...report } = await fullHealth();
      return report;
    },

    async queueHealth() {
      const q = await cache.get('queue', CACHE_MS.queue, () => queueHealth(healthDeps));
      return { status: q.status, message: q.message, ...q.details, asOf: new Date().toISOString() };
    },

    async puppeteer() {
      const workers: WorkerView[] = await listWorkers(deps.prisma, prefix);
      const live = workers.filter((w) => w.state === 'running');
      return {
        summary: {
          live: live.length,
          lost: workers.filter((w) => w.state === 'lost').length,
          stopped: workers.filter((w) => w.state === 'stopped').length,
          pagesInUse: live.reduce((n, w) => n + w.browser.pagesInUse, 0),
          maxPages: live.reduce((n, w) => n + w.browser.maxPages, 0),
          chromiumPssMb: live.reduce((n, w) => n + w.browser.chromiumMemoryMb.pss, 0),
          maxMemoryMbPerWorker: deps.env.MAX_MEMORY_MB,
          telemetryIntervalMs: deps.env.WORKER_TELEMETRY_INTERVAL,
        },
        workers,
        asOf: new Date().toISOString(),
      };
    },

    reliability(days: number): Promise<ReliabilityReport> {
      return cache.get(`reliability:${days}`, CACHE_MS.reliability, () => reliabilityReport(deps.prisma, days));
    },

    /** Newest activity first; `next` is the `cursor` of the next page, null on the last. */
    async alerts(q: AlertsQuery) {
      const cursor = pageCursorOf(q);
      const where: Prisma.AlertWhereInput = { taskQueuePrefix: prefix, ...(q.status && { status: q.status }) };
      const [alerts, firing] = await Promise.all([
        deps.prisma.alert.findMany({
          // (lastSeenAt, id): a round raises several alerts at one instant. An alert seen again while a reader
          // pages moves to the front, where a reader finds it on the next first page.
          where: cursor ? { AND: [where, olderThan<Prisma.AlertWhereInput>(cursor, 'lastSeenAt')] } : where,
          orderBy: [{ lastSeenAt: 'desc' }, { id: 'desc' }],
          take: q.limit,
        }),
        deps.prisma.alert.count({ where: { taskQueuePrefix: prefix, status: 'firing' } }),
      ]);
      return {
        firing,
        alerts: alerts.map((a) => ({
          id: a.id,
          key: a.key,
          kind: a.kind,
          severity: a.severity,
          status: a.status,
          message: a.message,
          details: a.details,
          occurrences: a.occurrences,
          firstSeenAt: a.firstSeenAt.toISOString(),
          lastSeenAt: a.lastSeenAt.toISOString(),
          notifiedAt: a.notifiedAt?.toISOString() ?? null,
          resolvedAt: a.resolvedAt?.toISOString() ?? null,
          delivery: { status: a.deliveryStatus, attempts: a.deliveryAttempts, error: a.deliveryError, resolved: a.resolveDeliveryStatus },
        })),
        next: nextCursor(alerts, q.limit, (a) => a.lastSeenAt),
      };
    },

    /** Runs a health round now through the same workflow the schedule runs, and returns what it did. */
    async recover() {
      const described = await deps.temporal.workflowService.describeTaskQueue({
        namespace: deps.env.TEMPORAL_NAMESPACE,
        taskQueue: { name: sharedControlQueue(prefix) },
        taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if ((described.pollers ?? []).length === 0) {
        throw serviceUnavailable('no worker is running: recovery runs on the workers (start one with `npm run worker`)', 30);
      }
      const workflowId = `health-check-manual-${randomUUID()}`;
      const started = Date.now();
      let result;
      try {
        result = await deps.temporal.workflow.execute<typeof healthCheckWorkflow>('healthCheckWorkflow', {
          taskQueue: sharedControlQueue(prefix),
          workflowId,
          args: [{ prefix, trigger: 'manual' }],
          workflowExecutionTimeout: '3 minutes',
        });
      } catch (err) {
        // Its activities could not finish (Postgres down, say): the history says why; the caller gets the id.
        if (err instanceof WorkflowFailedError)
          throw new HttpError(502, 'recovery_failed', 'the health check could not complete', { workflowId });
        throw err;
      }
      cache.clear();
      deps.logger.info({ workflowId, actions: result.actions.length, status: result.status }, 'recovery run');
      return { workflowId, durationMs: Date.now() - started, ...result };
    },
  };
  return service;
}

export type HealthMonitoringService = ReturnType<typeof createHealthMonitoringService>;
