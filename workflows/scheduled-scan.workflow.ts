import { executeChild, patched, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { recordActivity } from './activity-options';
import { scanStartOptions, scanWorkflowId, type ScanOutcome, type ScheduledScanInput } from '../core/contracts';
import { scanWorkflow } from './scan.workflow';

/** Marker of the path that charges each firing to the client's hourly quota (replay-safe change). */
export const SCHEDULE_QUOTA_PATCH = 'scheduled-scan-quota';

/**
 * What a Temporal Schedule starts: each firing is a new scan with its own id and row, run as a child
 * scanWorkflow so it looks and behaves exactly like a submitted one. Each firing (calendar or trigger) is charged to
 * the client's hourly quota like a submission; a refused one is recorded as a failed scan (`rate_limited`) and ends here.
 */
export async function scheduledScanWorkflow(input: ScheduledScanInput): Promise<ScanOutcome> {
  const { createScheduledScan } = proxyActivities<Activities>(recordActivity);
  // uuid4() is deterministic on replay; the activity's insert is idempotent on this id.
  const scanId = uuid4();
  // Histories recorded before the quota existed replay without the marker: no charge, always run.
  const chargeQuota = patched(SCHEDULE_QUOTA_PATCH);
  const { targetHost, refused } = await createScheduledScan({
    ...input,
    scanId,
    scheduledWorkflowId: workflowInfo().workflowId,
    ...(chargeQuota && { chargeQuota }),
  });
  if (refused) return { scanId, status: 'failed', failureReason: refused.reason, failureMessage: refused.message };
  return executeChild(scanWorkflow, {
    workflowId: scanWorkflowId(scanId),
    taskQueue: input.taskQueues[input.queue],
    args: [{ ...input, scanId }],
    ...scanStartOptions({ ...input, scanId, targetHost }),
  });
}
