// Every timeout and retry policy of the scan workflow, with the reason for each number.
import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { PERMANENT_FAILURES, priorityKeyFor, type ScanInput } from '../core/contracts';

/** Postgres writes: retried until the database is back, so a result is never dropped for a DB outage. */
export const recordActivity: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};

/**
 * The same writes as local activities: run by the scan worker inside its workflow task, so a scan costs two
 * workflow tasks and one activity task instead of five and four (each a round trip through the Temporal server).
 * A long database outage still waits: past `localRetryThreshold` the SDK retries them through durable timers.
 */
export const recordLocalActivity: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: recordActivity.retry,
  localRetryThreshold: '10 seconds',
};

/** DNS + address rules; a resolver hiccup is retried like a page failure, a blocked target never. */
export const urlCheckActivity = (input: ScanInput): ActivityOptions => ({
  startToCloseTimeout: '20 seconds',
  retry: {
    initialInterval: input.retryInitialIntervalMs,
    backoffCoefficient: 2,
    maximumAttempts: input.options.maxRetries + 1,
    nonRetryableErrorTypes: [...PERMANENT_FAILURES],
  },
});

/** The URL check as a local activity (see recordLocalActivity), with the same retries. */
export const urlCheckLocalActivity = (input: ScanInput): LocalActivityOptions => {
  const { startToCloseTimeout, retry } = urlCheckActivity(input);
  return { startToCloseTimeout, retry, localRetryThreshold: '10 seconds' };
};

/** The page work: the seed's 2 s / 4 s / 8 s backoff and 3 attempts, MAX_SCAN_TIME as Bull's lock duration. */
export const browserActivity = (input: ScanInput): ActivityOptions => ({
  taskQueue: input.taskQueues.browser,
  // The activity enforces its own budget (input.options.timeoutMs) and force-closes the page; this is the backstop
  // for a worker that is alive but wedged. The margin covers closing a stuck page and storing the result.
  startToCloseTimeout: input.maxScanTimeMs + 15_000,
  // The activity heartbeats every 2 s; a SIGKILLed worker is noticed after 10 s and the attempt retried elsewhere.
  heartbeatTimeout: '10 seconds',
  // Let the activity close its page before the workflow records "cancelled".
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  priority: { priorityKey: priorityKeyFor(input.queue, input.priority), fairnessKey: input.clientId },
  retry: {
    initialInterval: input.retryInitialIntervalMs,
    backoffCoefficient: 2,
    maximumAttempts: input.options.maxRetries + 1,
    nonRetryableErrorTypes: [...PERMANENT_FAILURES],
  },
});
