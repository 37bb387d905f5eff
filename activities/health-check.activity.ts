import { Context, log } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Env } from '../lib/env';
import type { PrismaClient } from '../lib/prisma';
import { alertChannelsFrom, type AlertChannel } from '../monitoring/alert-channels';
import { alertInputs, evaluateAlerts, processAlerts, type AlertRunResult } from '../monitoring/alerts';
import { buildHealthReport, type HealthReport } from '../monitoring/health';
import {
  failStuckScan,
  findStuckScans,
  planBrowserRestarts,
  tidyWorkers,
  type BrowserRestartPlan,
  type RecoveryAction,
} from '../monitoring/recovery';
import type { HealthStatus } from '../monitoring/thresholds';

export interface HealthCheckDeps {
  env: Env;
  prisma: PrismaClient;
  prefix: string;
  /** Defaults to the worker's own client (Context.current().client). */
  temporal?: () => Client;
  /** Defaults to the log plus the webhook when ALERT_WEBHOOK_URL is set. */
  channels?: AlertChannel[];
}

export interface RecoveryPlan {
  restarts: BrowserRestartPlan[];
  stuckScans: Array<{ id: string; workflowId: string; status: string; since: string }>;
}

export interface HealthRecord {
  snapshotId: string;
  status: HealthStatus;
  components: Record<string, { status: HealthStatus; message: string }>;
  alerts: AlertRunResult;
  actions: RecoveryAction[];
}

export type { RecoveryAction };

const SNAPSHOT_RETENTION_MS = 7 * 24 * 3600_000;

/** The health check's activities, on the shared control queue (`<prefix>-control`). */
export function createHealthCheckActivities(deps: HealthCheckDeps) {
  const temporal = deps.temporal ?? (() => Context.current().client);
  // Temporal's activity logger takes (message, meta); the channels speak pino's (obj, message).
  const activityLog = {
    warn: (obj: object, msg: string) => log.warn(msg, { ...obj }),
    info: (obj: object, msg: string) => log.info(msg, { ...obj }),
  };
  const channels = () => deps.channels ?? alertChannelsFrom(deps.env, activityLog);
  const report = () => buildHealthReport({ env: deps.env, prisma: deps.prisma, temporal: temporal(), prefix: deps.prefix });

  return {
    /** What needs recovering now: browsers to restart (through their control queues) and stuck scans. */
    async planRecovery(): Promise<RecoveryPlan> {
      const [r, stuck] = await Promise.all([report(), findStuckScans(deps.prisma)]);
      return {
        restarts: planBrowserRestarts(r, deps.env.MAX_MEMORY_MB),
        stuckScans: stuck.map((s) => ({ ...s, since: s.since.toISOString() })),
      };
    },

    async failStuckScans({ scans }: { scans: RecoveryPlan['stuckScans'] }): Promise<RecoveryAction[]> {
      const actions: RecoveryAction[] = [];
      for (const s of scans) actions.push(await failStuckScan(deps.prisma, temporal(), { ...s, since: new Date(s.since) }));
      return actions;
    },

    /** After recovery: the report, worker tidying, alerts raised/resolved and delivered, one snapshot row. */
    async recordHealth({ trigger, actions }: { trigger: 'schedule' | 'manual'; actions: RecoveryAction[] }): Promise<HealthRecord> {
      const now = new Date();
      const r: HealthReport = await report();
      const previous = await deps.prisma.healthSnapshot.findFirst({
        where: { taskQueuePrefix: deps.prefix },
        orderBy: { createdAt: 'desc' },
        select: { report: true },
      });
      const previousRestarts = restartsOf(previous?.report);
      const tidy = await tidyWorkers(deps.prisma, r, deps.prefix, now);
      const inputs = await alertInputs(
        deps.prisma,
        r,
        previousRestarts,
        {
          windowMs: deps.env.ALERT_DEDUPE_WINDOW,
          successRateThreshold: deps.env.ALERT_SUCCESS_RATE_THRESHOLD,
          minVolume: deps.env.ALERT_MIN_VOLUME,
        },
        now,
      );
      const alerts = await processAlerts(deps.prisma, channels(), evaluateAlerts(inputs), {
        prefix: deps.prefix,
        windowMs: deps.env.ALERT_DEDUPE_WINDOW,
        now,
      });
      const allActions = [...actions, ...tidy];
      const snapshot = await deps.prisma.healthSnapshot.create({
        data: {
          taskQueuePrefix: deps.prefix,
          status: r.status,
          trigger,
          report: JSON.parse(JSON.stringify(r)),
          actions: JSON.parse(JSON.stringify(allActions)),
        },
        select: { id: true },
      });
      await deps.prisma.healthSnapshot.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - SNAPSHOT_RETENTION_MS) } } });
      const components = Object.fromEntries(Object.entries(r.components).map(([k, c]) => [k, { status: c.status, message: c.message }]));
      return { snapshotId: snapshot.id.toString(), status: r.status, components, alerts, actions: allActions };
    },
  };
}

/** Memory restarts per worker in a stored snapshot, the baseline for the "browser restarted for memory" alert. */
function restartsOf(report: unknown): Record<string, number> {
  const workers =
    (report as { workers?: Array<{ identity: string; browser?: { restarts?: { memory?: number } } }> } | undefined)?.workers ?? [];
  return Object.fromEntries(workers.map((w) => [w.identity, w.browser?.restarts?.memory ?? 0]));
}
