// Recovery actions the health check takes (and POST /api/monitoring/recover runs now): restart a worker's browser
// through its control queue (planned here, run by the workflow), finish scans stuck past their deadline as failed,
// and keep the worker table honest (lost workers marked, long-gone ones forgotten).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Prisma, type PrismaClient } from '../lib/prisma';
import { SCAN_DEADLINE_MS } from '../core/deadlines';
import { FailureCategory } from '../core/contracts';
import type { HealthReport } from './health';
import { browserProbes } from './health';
import { browserRestartReason, THRESHOLDS } from './thresholds';

export interface RecoveryAction {
  action: 'restart_browser' | 'fail_stuck_scan' | 'mark_worker_lost' | 'forget_worker';
  target: string;
  reason: string;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface BrowserRestartPlan {
  identity: string;
  cause: 'memory' | 'unresponsive';
  reason: string;
}

/** Pure: which live workers' browsers need a restart from the control side (over MAX_MEMORY_MB, or unresponsive). */
export function planBrowserRestarts(report: Pick<HealthReport, 'workers'>, maxMemoryMb: number): BrowserRestartPlan[] {
  return browserProbes(report.workers).flatMap((b) => {
    const cause = browserRestartReason(b, maxMemoryMb);
    if (!cause) return [];
    const reason =
      cause === 'memory' ? `Chromium tree uses ${b.pssMb} MB PSS (limit ${maxMemoryMb} MB)` : 'the pool reports the browser unresponsive';
    return [{ identity: b.identity, cause, reason }];
  });
}

export const STUCK_SCAN_MESSAGE = 'scan did not finish within its deadline; finished as failed by recovery';

export interface StuckScan {
  id: string;
  workflowId: string;
  status: string;
  since: Date;
}

/**
 * Scans still queued or running past their workflow deadline plus a grace period. Bulk items not yet started by their
 * bulk are not stuck (their deadline has not begun); the bulk's own workflow starts them.
 */
export async function findStuckScans(prisma: PrismaClient, now = new Date(), limit = 50): Promise<StuckScan[]> {
  const cutoff = new Date(now.getTime() - SCAN_DEADLINE_MS - THRESHOLDS.scans.stuckGraceMs);
  return prisma.$queryRaw<StuckScan[]>(Prisma.sql`
    SELECT id, workflow_id AS "workflowId", status::text AS status, coalesce(started_at, created_at) AS since
    FROM scans
    WHERE ((status = 'running') OR (status = 'queued' AND bulk_id IS NULL))
      AND coalesce(started_at, created_at) < ${cutoff}
    ORDER BY created_at ASC LIMIT ${limit}`);
}

/**
 * Terminates the workflow if it still runs (Temporal: TERMINATED, which reconcile reads as failed), then records the
 * scan as failed/timeout in Postgres. A workflow that already ended on its own is left to reconcile: its outcome, not
 * ours, is the truth.
 */
export async function failStuckScan(prisma: PrismaClient, temporal: Client, scan: StuckScan): Promise<RecoveryAction> {
  const base = {
    action: 'fail_stuck_scan' as const,
    target: scan.id,
    reason: `${scan.status} since ${scan.since.toISOString()}, past its deadline`,
  };
  try {
    const handle = temporal.workflow.getHandle(scan.workflowId);
    let temporalStatus = 'missing';
    try {
      temporalStatus = (await handle.describe()).status.name;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    if (temporalStatus === 'RUNNING') {
      await handle.terminate(`${FailureCategory.Timeout}: ${STUCK_SCAN_MESSAGE}`);
    } else if (temporalStatus !== 'missing') {
      return { ...base, ok: false, error: `the workflow already ended ${temporalStatus}: left to reconcile` };
    }
    const now = new Date();
    const updated = await prisma.scan.updateMany({
      where: { id: scan.id, status: { in: ['queued', 'running'] } },
      data: {
        status: 'failed',
        stage: 'done',
        failureReason: FailureCategory.Timeout,
        failureMessage: STUCK_SCAN_MESSAGE,
        finishedAt: now,
      },
    });
    return {
      ...base,
      ok: true,
      result: { workflow: temporalStatus === 'RUNNING' ? 'terminated' : 'missing', rowUpdated: updated.count === 1 },
    };
  } catch (err) {
    return { ...base, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Marks silent workers lost (so the state survives their rows going stale) and forgets rows gone for an hour. */
export async function tidyWorkers(
  prisma: PrismaClient,
  report: Pick<HealthReport, 'workers'>,
  prefix: string,
  now = new Date(),
): Promise<RecoveryAction[]> {
  const actions: RecoveryAction[] = [];
  const newlyLost = report.workers.filter((w) => w.state === 'lost').map((w) => w.identity);
  if (newlyLost.length > 0) {
    const r = await prisma.workerStatus.updateMany({ where: { identity: { in: newlyLost }, state: 'running' }, data: { state: 'lost' } });
    if (r.count > 0) {
      for (const identity of newlyLost)
        actions.push({ action: 'mark_worker_lost', target: identity, reason: 'silent for 3 telemetry intervals', ok: true });
    }
  }
  const forgetBefore = new Date(now.getTime() - THRESHOLDS.workers.forgetAfterMs);
  const gone = await prisma.workerStatus.findMany({
    where: { taskQueuePrefix: prefix, state: { in: ['lost', 'stopped'] }, lastSeenAt: { lt: forgetBefore } },
    select: { identity: true },
    take: 100,
  });
  if (gone.length > 0) {
    await prisma.workerStatus.deleteMany({ where: { identity: { in: gone.map((g) => g.identity) } } });
    for (const g of gone) actions.push({ action: 'forget_worker', target: g.identity, reason: 'not seen for an hour', ok: true });
  }
  return actions;
}
