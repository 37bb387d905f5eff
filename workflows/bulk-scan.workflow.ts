import {
  CancellationScope,
  ChildWorkflowCancellationType,
  continueAsNew,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { recordActivity } from './activity-options';
import { scanStartOptions, scanWorkflowId, type BulkInput, type BulkProgress } from '../core/contracts';
import { getBulkProgressQuery } from './messages';
import { scanWorkflow } from './scan.workflow';

/**
 * N scans as child scanWorkflows, at most `window` in flight. Items are read from Postgres a batch at a time
 * (10,000 URLs would not fit in one payload), and the workflow continues as new after `itemsPerRun` children so
 * its history stays small. Every child of a run ends before the run continues, so none is orphaned.
 */
export async function bulkScanWorkflow(input: BulkInput): Promise<BulkProgress> {
  const { loadBulkItems, recordBulkFinished } = proxyActivities<Activities>(recordActivity);
  const progress: BulkProgress = { ...input.progress };
  setHandler(getBulkProgressQuery, () => progress);

  let next = input.nextIndex;
  let startedThisRun = 0;
  const inFlight = new Set<Promise<void>>();

  const runChild = async (handle: ChildWorkflowHandle<typeof scanWorkflow>) => {
    try {
      const outcome = await handle.result();
      progress[outcome.status]++;
    } catch (err) {
      // A failed or cancelled scan is an outcome of the bulk, not a failure of it.
      if (isCancellation(err) || (err instanceof Error && err.cause && isCancellation(err.cause))) progress.cancelled++;
      else progress.failed++;
    } finally {
      progress.running--;
    }
  };

  try {
    for (;;) {
      const items = await loadBulkItems({ bulkId: input.bulkId, fromIndex: next, limit: input.batchSize });
      if (items.length === 0) break;
      for (const item of items) {
        while (inFlight.size >= input.window) await Promise.race(inFlight);
        const handle = await startChild(scanWorkflow, {
          workflowId: scanWorkflowId(item.scanId),
          taskQueue: input.taskQueues[item.queue],
          args: [
            {
              ...item,
              taskQueues: input.taskQueues,
              retryInitialIntervalMs: input.retryInitialIntervalMs,
              maxScanTimeMs: input.maxScanTimeMs,
            },
          ],
          // Cancelling the bulk cancels its running scans; each records `cancelled` before it ends.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
          ...scanStartOptions(item),
        });
        progress.queued--;
        progress.running++;
        const done: Promise<void> = runChild(handle).finally(() => inFlight.delete(done));
        inFlight.add(done);
        next = item.bulkIndex + 1;
        startedThisRun++;
      }
      if (startedThisRun >= input.itemsPerRun || workflowInfo().continueAsNewSuggested) {
        await Promise.all(inFlight);
        await continueAsNew<typeof bulkScanWorkflow>({ ...input, nextIndex: next, progress });
      }
    }
    await Promise.all(inFlight);
    await recordBulkFinished({ bulkId: input.bulkId, status: 'completed' });
    return progress;
  } catch (err) {
    if (!isCancellation(err)) throw err;
    await CancellationScope.nonCancellable(async () => {
      await Promise.all(inFlight);
      // Items never started are closed here, so every scan of the bulk ends in a terminal state.
      const { cancelled } = await recordBulkFinished({ bulkId: input.bulkId, status: 'cancelled' });
      progress.cancelled += cancelled;
      progress.queued -= cancelled;
    });
    throw err;
  }
}
