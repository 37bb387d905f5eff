import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowCancellationType,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { recordActivity } from './activity-options';
import { FailureCategory, scanStartOptions, scanWorkflowId } from '../core/contracts';
import type { AuditProgress, AuditRunSettings, ClaimedAuditPage, SiteAuditInput, SiteAuditOutcome } from '../core/audit';
import { getAuditProgressQuery } from './messages';
import { scanWorkflow } from './scan.workflow';

/** Pages started per run before continuing as new: the history stays small however big the site. */
const PAGES_PER_RUN = 200;

/**
 * One site audit: discovery seeds the frontier (Postgres), then pages are claimed and scanned as child
 * scanWorkflows, at most `politeness.concurrency` at a time and `delayMs` apart; each finished page adds the links
 * it found. The frontier and the seen-set live in Postgres, so a run carries only counters into continueAsNew, and a
 * crash anywhere resumes from what Postgres and the history hold: no page is claimed twice (claims are named).
 */
export async function siteAuditWorkflow(input: SiteAuditInput): Promise<SiteAuditOutcome> {
  const { startAudit, claimAuditPages, settleAuditPage, finishAudit } = proxyActivities<Activities>(recordActivity);
  const { discoverSite } = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '1 minute',
    // Retried through a database outage of a few minutes (its writes are idempotent). An unreachable site is not an
    // error here: discovery notes it (and, per RFC 9309, an unreachable robots.txt disallows the site).
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 8 },
  });
  let progress: AuditProgress = { discovered: 0, queued: 0, scanning: 0, scanned: 0, failed: 0, skipped: 0 };
  let scanning = 0;
  let started = input.started ?? 0;
  setHandler(getAuditProgressQuery, () => ({ started, scanning }));

  const inFlight = new Set<Promise<void>>();
  let startedThisRun = 0;
  const perRun = input.pagesPerRun ?? PAGES_PER_RUN;

  try {
    const settings = await startAudit({ auditId: input.auditId });
    let crawlDelayMs = input.crawlDelayMs ?? 0;
    if (!input.discovered) crawlDelayMs = (await discoverSite({ auditId: input.auditId })).crawlDelayMs;
    const delayMs = Math.max(settings.delayMs, crawlDelayMs);
    let lastStartAt = -Infinity;
    let claimNo = 0;

    const runPage = async (page: ClaimedAuditPage, handle: ChildWorkflowHandle<typeof scanWorkflow>) => {
      try {
        await handle.result();
      } catch {
        // A failed or cancelled page is an outcome of the audit (settleAuditPage reads it from Postgres).
      }
      await settleAuditPage({ auditId: input.auditId, pageId: page.pageId });
    };

    for (;;) {
      if (startedThisRun >= perRun || workflowInfo().continueAsNewSuggested) {
        await Promise.all(inFlight);
        await continueAsNew<typeof siteAuditWorkflow>({ ...input, discovered: true, crawlDelayMs, started });
      }
      while (inFlight.size >= settings.concurrency) await Promise.race(inFlight);
      const claim = await claimAuditPages({
        auditId: input.auditId,
        claim: `${workflowInfo().runId}:${claimNo++}`,
        limit: delayMs > 0 ? 1 : settings.concurrency - inFlight.size,
        quotaExempt: input.quotaExempt,
      });
      if (claim.pages.length === 0) {
        if (claim.busyMs !== undefined) {
          await Promise.race([sleep(claim.busyMs), ...inFlight]);
          continue;
        }
        if (claim.waitMs !== undefined) {
          // The client's hourly quota is spent: pages already running finish, then the audit waits for the next hour.
          await Promise.all(inFlight);
          await sleep(claim.waitMs);
          continue;
        }
        // Nothing pending now, but running pages may still add links.
        if (inFlight.size === 0) break;
        await Promise.race(inFlight);
        continue;
      }
      for (const page of claim.pages) {
        const wait = lastStartAt + delayMs - Date.now();
        if (wait > 0) await sleep(wait);
        lastStartAt = Date.now();
        const handle = await startPage(input, settings, page);
        started++;
        startedThisRun++;
        scanning++;
        const done: Promise<void> = runPage(page, handle).finally(() => {
          scanning--;
          inFlight.delete(done);
        });
        inFlight.add(done);
      }
    }
    progress = await finishAudit({ auditId: input.auditId, status: 'completed' });
    return { auditId: input.auditId, status: 'completed', progress };
  } catch (err) {
    // continueAsNew() ends this run by throwing: the audit goes on in the next run, it has not failed.
    if (err instanceof ContinueAsNew) throw err;
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        // Cancelling the audit cancels its running page scans (each records `cancelled`); wait for them.
        await Promise.allSettled(inFlight);
        progress = await finishAudit({ auditId: input.auditId, status: 'cancelled' });
      });
      throw err;
    }
    const message = err instanceof Error ? err.message : String(err);
    await CancellationScope.nonCancellable(async () => {
      await Promise.allSettled(inFlight);
      await finishAudit({ auditId: input.auditId, status: 'failed', failureReason: FailureCategory.Internal, failureMessage: message });
    });
    throw ApplicationFailure.create({
      type: FailureCategory.Internal,
      message,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
}

function startPage(input: SiteAuditInput, settings: AuditRunSettings, page: ClaimedAuditPage) {
  const queue = input.queue;
  return startChild(scanWorkflow, {
    workflowId: scanWorkflowId(page.scanId),
    taskQueue: input.taskQueues[queue],
    args: [
      {
        scanId: page.scanId,
        url: page.url,
        clientId: input.clientId,
        prospectId: settings.prospectId,
        queue,
        priority: input.priority,
        options: settings.scanOptions,
        taskQueues: input.taskQueues,
        retryInitialIntervalMs: input.retryInitialIntervalMs,
        maxScanTimeMs: input.maxScanTimeMs,
        audit: { auditId: input.auditId, siteHosts: settings.siteHosts },
      },
    ],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
    ...scanStartOptions({ scanId: page.scanId, clientId: input.clientId, queue, priority: input.priority, targetHost: page.targetHost }),
  });
}
