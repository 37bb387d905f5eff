// Pure: the one place that decides what a page-scan attempt tells the target host's circuit breaker.
// The breaker is shared by every client, so only evidence that the *host* is down may count against it: a scan
// cut short by its own client's small budget, a wait for a browser page, a refusal (403/429) or our own target
// rules say nothing about whether the host is up (README "Safety, rate limits and circuit breakers").
import { FailureCategory } from '../core/contracts';

export type HostVerdict = 'success' | 'failure' | 'neutral';

/** Where the attempt was when it ended: `lease` = still waiting for a browser page, the host not yet contacted. */
export type AttemptStage = 'lease' | 'navigate' | 'settle' | 'axe' | 'store';

export interface AttemptEnd {
  /** `completed`, `cancelled` or a FailureCategory. */
  category: string;
  stage: AttemptStage;
  /** The attempt's budget (request `timeout`, capped at MAX_SCAN_TIME), ms. */
  budgetMs: number;
  /** Time between the start of navigation and the end of the attempt, ms; 0 when navigation never started. */
  hostMs: number;
  /** HTTP status of the main document, when the failure was an HTTP answer. */
  httpStatus?: number;
  message?: string;
}

/** The navigation share of an attempt's budget (the rest is for axe). Used by the activity and by the rule below. */
export function navigationBudgetMs(budgetMs: number): number {
  return Math.max(3_000, Math.floor(budgetMs * 0.6));
}

/** Statuses that say "the host (or its gateway) is down or overloaded". A 500 is one page's bug; 403/429 a refusal. */
const HOST_DOWN_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Connection-level failures: nothing answered on the host's address. Chromium's net:: errors when it connects
 * itself, and the egress proxy's `connect <code>` when it connects for the page. Not DNS (a name that does not
 * resolve is not a host we are loading), not TLS/certificate or redirect errors (the host answered).
 */
const HOST_UNREACHABLE =
  /net::ERR_(CONNECTION_(REFUSED|RESET|CLOSED|TIMED_OUT|FAILED)|EMPTY_RESPONSE|TIMED_OUT|ADDRESS_UNREACHABLE)\b|\bconnect E(CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|NETUNREACH|PIPE)\b/;

/** Slack for timer jitter when comparing the time the host had with the normal navigation budget. */
const TIMER_SLACK_MS = 250;

/**
 * How one attempt feeds the host breaker. `minBudgetMs` is the normal budget (SCAN_DEFAULT_TIMEOUT): a timeout
 * counts only when the attempt had at least that budget *and* the host had at least the navigation share of it
 * after the browser page was leased, so neither a client's 1 s `timeout` nor a queue for browser pages can count.
 *
 * Failures that count: a navigation timeout as above; connection refused/reset/closed/timed out, empty response,
 * address unreachable; HTTP 502/503/504. Everything else is neutral: 403/429 (`blocked`: the host refusing us, not
 * down), other HTTP errors, DNS, TLS, redirects, target-safety refusals, memory, crash, killed, inconclusive,
 * internal, cancelled, and any failure before navigation started.
 */
export function hostBreakerVerdict(end: AttemptEnd, minBudgetMs: number): HostVerdict {
  if (end.category === 'completed') return 'success';
  // The host was not contacted yet (waiting for a browser page, preparing it), or it answered and the rest was ours.
  if (end.stage !== 'navigate') return 'neutral';
  switch (end.category) {
    case FailureCategory.Timeout:
      return end.budgetMs >= minBudgetMs && end.hostMs + TIMER_SLACK_MS >= navigationBudgetMs(minBudgetMs) ? 'failure' : 'neutral';
    case FailureCategory.Navigation:
      return HOST_UNREACHABLE.test(end.message ?? '') ? 'failure' : 'neutral';
    case FailureCategory.HttpError:
      return end.httpStatus !== undefined && HOST_DOWN_STATUSES.has(end.httpStatus) ? 'failure' : 'neutral';
    default:
      return 'neutral';
  }
}
