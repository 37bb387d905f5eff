import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PruneInput, PruneResult } from '../core/contracts';

/** Started daily by the retention Schedule: prunes raw results older than the retention period, in batches. */
export async function pruneResultsWorkflow(input: PruneInput): Promise<PruneResult> {
  const { pruneScanResults } = proxyActivities<Activities>({
    // One batch is a few seconds; the activity heartbeats after each, so a dead worker is noticed within a minute.
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '1 minute',
    // Retried until the database is back; batches already pruned are not redone (raw_pruned_at).
    retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10 },
  });
  return pruneScanResults(input);
}
