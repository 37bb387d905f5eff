import { executeChild, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { recordActivity } from './activity-options';
import { priorityKeyFor, scanWorkflowId, SearchAttributes, type ScanOutcome, type ScheduledScanInput } from './contracts';
import { scanWorkflow } from './scan.workflow';

/**
 * What a Temporal Schedule starts: each firing is a new scan with its own id and row, run as a child
 * scanWorkflow so it looks and behaves exactly like a submitted one.
 */
export async function scheduledScanWorkflow(input: ScheduledScanInput): Promise<ScanOutcome> {
  const { createScheduledScan } = proxyActivities<Activities>(recordActivity);
  // uuid4() is deterministic on replay; the activity's insert is idempotent on this id.
  const scanId = uuid4();
  const { targetHost } = await createScheduledScan({ ...input, scanId, scheduledWorkflowId: workflowInfo().workflowId });
  return executeChild(scanWorkflow, {
    workflowId: scanWorkflowId(scanId),
    taskQueue: input.taskQueues[input.queue],
    args: [{ ...input, scanId }],
    priority: { priorityKey: priorityKeyFor(input.queue, input.priority), fairnessKey: input.clientId },
    typedSearchAttributes: [
      { key: SearchAttributes.ClientId, value: input.clientId },
      { key: SearchAttributes.TargetHost, value: targetHost },
      { key: SearchAttributes.Queue, value: input.queue },
      { key: SearchAttributes.ScanStatus, value: 'queued' },
      { key: SearchAttributes.ScanId, value: scanId },
    ],
  });
}
