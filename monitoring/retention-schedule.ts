// The daily retention run: a Temporal Schedule (not a timer in some process) that starts pruneResultsWorkflow on the
// low scan queue. Created idempotently by every worker at start; a second worker, or a restart with another
// RESULT_RETENTION_DAYS, finds it and brings its arguments up to date.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { ensureSchedule } from '../lib/temporal-schedule';
import { taskQueues, type PruneInput } from '../core/contracts';

export const retentionScheduleId = (prefix: string): string => `retention-prune-${prefix}`;

/** Scans per batch and batches per run: 500 × 200 = 100,000 scans a day at most, minutes of work. */
export const PRUNE_BATCH_SIZE = 500;
export const PRUNE_MAX_BATCHES = 200;

export async function ensureRetentionSchedule(
  client: Client,
  o: { prefix: string; retentionDays: number },
): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = retentionScheduleId(o.prefix);
  const input: PruneInput = { retentionDays: o.retentionDays, batchSize: PRUNE_BATCH_SIZE, maxBatches: PRUNE_MAX_BATCHES };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'pruneResultsWorkflow',
    // The low scan queue: its workers already hold the database activities, and a prune never delays a high scan.
    taskQueue: taskQueues(o.prefix).low,
    args: [input],
    workflowExecutionTimeout: 6 * 3_600_000,
  };
  return ensureSchedule(
    client,
    {
      scheduleId,
      // 03:17 UTC daily: off the hour, when scan traffic is usually lowest.
      spec: { calendars: [{ hour: 3, minute: 17 }] },
      action,
      // A run still going (a big first prune) is never doubled; a missed day is caught up within a day.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { purpose: 'prune raw axe results older than RESULT_RETENTION_DAYS' },
    },
    {
      isCurrent: (current) =>
        (current.action.type === 'startWorkflow' ? (current.action.args as PruneInput[] | undefined) : undefined)?.[0]?.retentionDays ===
        o.retentionDays,
      update: (prev) => ({ ...prev, action: { ...prev.action, ...action } }),
    },
  );
}
