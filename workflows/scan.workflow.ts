import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { browserActivity, recordActivity, recordLocalActivity, urlCheckActivity, urlCheckLocalActivity } from './activity-options';
import { SCAN_DEADLINE_MS } from '../core/deadlines';
import { FailureCategory, SearchAttributes, type ScanInput, type ScanOutcome, type ScanProgress, type ScanStatus } from '../core/contracts';
import { toFailureOutcome, type FailureOutcome } from './failure';
import { getScanProgressQuery } from './messages';
import { HOST_BREAKER_PATCH, hostCircuitWaitMs, MAX_HOST_WAITS } from '../core/host-breaker';

/** Executions started before the records and the URL check became local activities replay with remote ones. */
export const LOCAL_RECORDS_PATCH = 'scan-records-local-activities';

/** One URL → safety check → browser scan (stores the full result) → exactly one recorded terminal state. */
export async function scanWorkflow(input: ScanInput): Promise<ScanOutcome> {
  const local = patched(LOCAL_RECORDS_PATCH);
  const { recordScanStarted, recordScanFinished } = local
    ? proxyLocalActivities<Activities>(recordLocalActivity)
    : proxyActivities<Activities>(recordActivity);
  const { assertUrlSafe } = local
    ? proxyLocalActivities<Activities>(urlCheckLocalActivity(input))
    : proxyActivities<Activities>(urlCheckActivity(input));
  const { scanPage } = proxyActivities<Activities>(browserActivity(input));
  const { scanId } = input;

  let progress: ScanProgress = { stage: 'queued', status: 'queued' };
  setHandler(getScanProgressQuery, () => progress);
  const setStatus = (status: ScanStatus, stage: ScanProgress['stage']) => {
    progress = { stage, status };
    upsertSearchAttributes([{ key: SearchAttributes.ScanStatus, value: status }]);
  };

  let deadlineHit = false;
  const work = new CancellationScope();
  // Not awaited on purpose: the timer only matters if it fires before the work ends.
  void CancellationScope.nonCancellable(() => sleep(SCAN_DEADLINE_MS)).then(() => {
    deadlineHit = true;
    work.cancel();
  });

  try {
    const summary = await work.run(async () => {
      await recordScanStarted({ scanId });
      setStatus('running', 'checking-url');
      await assertUrlSafe({ url: input.url });
      progress = { ...progress, stage: 'scanning' };
      const pageInput = {
        scanId,
        clientId: input.clientId,
        url: input.url,
        timeoutMs: input.options.timeoutMs,
        wcagTags: input.options.wcagTags,
        maxAttempts: input.options.maxRetries + 1,
        ...(input.audit && { audit: input.audit }),
      };
      // Executions started before the host circuit breaker existed keep their original command sequence.
      if (!patched(HOST_BREAKER_PATCH)) return scanPage(pageInput);
      // While the target host's breaker is open the activity refuses at once; the scan sleeps until the breaker
      // admits trial calls, then tries again with its full retry budget, instead of failing.
      for (let waits = 0; ; waits++) {
        try {
          return await scanPage({ ...pageInput, deferWhenHostOpen: true });
        } catch (err) {
          const waitMs = hostCircuitWaitMs(err);
          if (waitMs === null) throw err;
          if (waits >= MAX_HOST_WAITS) {
            throw ApplicationFailure.create({
              type: FailureCategory.Blocked,
              message: 'the target host kept refusing the scanner (its circuit breaker stayed open)',
              nonRetryable: true,
            });
          }
          await sleep(waitMs);
        }
      }
    });
    progress = { ...progress, stage: 'recording' };
    await recordScanFinished({ scanId, status: 'completed', summary });
    setStatus('completed', 'done');
    return { scanId, status: 'completed', summary };
  } catch (err) {
    const outcome: FailureOutcome = deadlineHit
      ? { status: 'failed', reason: FailureCategory.Timeout, message: 'scan did not finish within its deadline' }
      : toFailureOutcome(err);
    // Recording must happen even though this workflow is being cancelled.
    await CancellationScope.nonCancellable(() =>
      recordScanFinished({ scanId, status: outcome.status, failureReason: outcome.reason, failureMessage: outcome.message }),
    );
    setStatus(outcome.status, 'done');
    if (outcome.status === 'cancelled' && isCancellation(err)) throw err;
    upsertSearchAttributes([{ key: SearchAttributes.FailureCategory, value: outcome.reason }]);
    throw ApplicationFailure.create({
      type: outcome.reason,
      message: outcome.message,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
}
