import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HealthRecord, RecoveryAction } from '../activities/health-check.activity';
import { controlQueue, type HealthCheckInput } from '../core/contracts';

export type { HealthCheckInput };

// Runs on the shared control queue (sharedControlQueue(prefix)); activities default to the workflow's queue.
const { planRecovery, failStuckScans, recordHealth } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A health check that cannot reach Postgres fails fast; the next scheduled run tries again.
  retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
});

/**
 * One health round: plan recovery from the telemetry, restart unhealthy browsers through each worker's own control
 * queue, finish stuck scans, then record a snapshot and raise/resolve alerts. Run every HEALTH_CHECK_INTERVAL by a
 * Temporal Schedule, and on demand by POST /api/monitoring/recover.
 */
export async function healthCheckWorkflow(input: HealthCheckInput): Promise<HealthRecord> {
  const plan = await planRecovery();
  const actions: RecoveryAction[] = [];
  await Promise.all(
    plan.restarts.map(async (r) => {
      const { runWorkerCommand } = proxyActivities<Activities>({
        taskQueue: controlQueue(input.prefix, r.identity),
        // A worker that is gone never picks the command up: fail fast, it will be reported lost.
        scheduleToStartTimeout: '15 seconds',
        startToCloseTimeout: '2 minutes',
        retry: { maximumAttempts: 1 },
      });
      try {
        const result = await runWorkerCommand({ command: 'restart-browser', cause: r.cause });
        actions.push({
          action: 'restart_browser',
          target: r.identity,
          reason: r.reason,
          ok: true,
          result: { restarts: result.pool.restarts },
        });
      } catch (err) {
        actions.push({
          action: 'restart_browser',
          target: r.identity,
          reason: r.reason,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }),
  );
  if (plan.stuckScans.length > 0) actions.push(...(await failStuckScans({ scans: plan.stuckScans })));
  return recordHealth({ trigger: input.trigger, actions });
}
