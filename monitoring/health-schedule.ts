// The durable periodic health check: a Temporal Schedule (not a timer in some process) that starts
// healthCheckWorkflow on the shared control queue every HEALTH_CHECK_INTERVAL. Created idempotently by every worker
// at start; a second worker, or a restart, finds it and only brings its interval up to date.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { ensureSchedule } from '../lib/temporal-schedule';
import { sharedControlQueue, type HealthCheckInput } from '../core/contracts';

export const healthScheduleId = (prefix: string): string => `health-check-${prefix}`;

export async function ensureHealthSchedule(
  client: Client,
  o: { prefix: string; intervalMs: number },
): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = healthScheduleId(o.prefix);
  const input: HealthCheckInput = { prefix: o.prefix, trigger: 'schedule' };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'healthCheckWorkflow',
    taskQueue: sharedControlQueue(o.prefix),
    args: [input],
    // A round that cannot finish in this time is abandoned; the next one starts fresh.
    workflowExecutionTimeout: Math.max(o.intervalMs * 3, 180_000),
  };
  return ensureSchedule(
    client,
    {
      scheduleId,
      spec: { intervals: [{ every: o.intervalMs }] },
      action,
      // A slow round (a browser restart waiting for its scans) never overlaps the next one.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: o.intervalMs },
    },
    {
      isCurrent: (current) => current.spec.intervals?.[0]?.every === o.intervalMs,
      update: (prev) => ({ ...prev, spec: { intervals: [{ every: o.intervalMs }] } }),
    },
  );
}
