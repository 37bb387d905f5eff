import { executeChild, proxyActivities, uuid4, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { recordActivity } from './activity-options';
import { SearchAttributes } from '../core/contracts';
import { auditWorkflowId, type ScheduledAuditInput, type SiteAuditOutcome } from '../core/audit';
import { siteAuditWorkflow } from './site-audit.workflow';

/**
 * What an audit Schedule starts: each firing is a new audit with its own id and row, run as a child siteAuditWorkflow
 * so it behaves exactly like a submitted one. Its pages are charged to the client's hourly quota as they are claimed,
 * like a submitted audit's (an admin schedule is exempt, like admin submissions).
 */
export async function scheduledAuditWorkflow(input: ScheduledAuditInput): Promise<SiteAuditOutcome> {
  const { createScheduledAudit } = proxyActivities<Activities>(recordActivity);
  // uuid4() is deterministic on replay; the activity's insert is idempotent on this id.
  const auditId = uuid4();
  await createScheduledAudit({ ...input, auditId, scheduledWorkflowId: workflowInfo().workflowId });
  return executeChild(siteAuditWorkflow, {
    workflowId: auditWorkflowId(auditId),
    taskQueue: input.taskQueues.low,
    args: [
      {
        auditId,
        clientId: input.clientId,
        queue: input.queue,
        priority: input.priority,
        taskQueues: input.taskQueues,
        retryInitialIntervalMs: input.retryInitialIntervalMs,
        maxScanTimeMs: input.maxScanTimeMs,
        quotaExempt: input.quotaExempt,
      },
    ],
    typedSearchAttributes: [
      { key: SearchAttributes.ClientId, value: input.clientId },
      { key: SearchAttributes.TargetHost, value: input.siteHosts[0] ?? '' },
    ],
  });
}
