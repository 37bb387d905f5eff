// Pure: one place that decides the category of a failed page scan and whether retrying can help.
import { FailureCategory } from '../core/contracts';

export class ScanFailure extends Error {
  constructor(
    readonly category: FailureCategory,
    message: string,
    readonly retryable: boolean,
    /** The main document's HTTP status, when the failure is an HTTP answer (the host breaker reads it). */
    readonly httpStatus?: number,
    /** The site's Retry-After on a 429/503, capped: the next attempt waits this long instead of the usual backoff. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ScanFailure';
  }
}

const NAVIGATION_ERRORS =
  /net::ERR_(NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED|CONNECTION_(REFUSED|RESET|CLOSED|TIMED_OUT|FAILED|ABORTED)|TIMED_OUT|NETWORK_CHANGED|ADDRESS_(UNREACHABLE|INVALID)|INTERNET_DISCONNECTED|EMPTY_RESPONSE|TOO_MANY_REDIRECTS|SSL_\w+|CERT_\w+|BAD_SSL_CLIENT_AUTH_CERT|INVALID_RESPONSE|INVALID_REDIRECT|UNSAFE_REDIRECT|UNSAFE_PORT|ABORTED|HTTP2_\w+|TUNNEL_CONNECTION_FAILED|PROXY_CONNECTION_FAILED|INVALID_HTTP_RESPONSE|CONTENT_LENGTH_MISMATCH|INCOMPLETE_CHUNKED_ENCODING|RESPONSE_HEADERS_\w+)/;
const CRASH_ERRORS =
  /Target closed|Session closed|Protocol error|Page crashed|crashed|Navigating frame was detached|browser has disconnected|Connection closed|Attempted to use detached Frame|Target\.closeTarget|No target with given id/i;
/** The document was replaced under a running script (a meta refresh or script redirect): puppeteer's words for it. */
export const CLIENT_NAVIGATION = /Execution context was destroyed|Cannot find context with specified id/i;
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ESERVFAIL', 'ETIMEOUT', 'ECONNREFUSED', 'ENODATA']);

/** Longest Retry-After honoured: a site asking for more is retried after this (or the scan gives up on its attempts). */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Retry-After as seconds or an HTTP date → ms to wait, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** HTTP status of the main document → failure, or null when the status is a success. */
export function httpStatusFailure(status: number, retryAfter?: string): ScanFailure | null {
  if (status < 400) return null;
  const wait = status === 429 || status === 503 ? retryAfterMs(retryAfter) : undefined;
  if (status === 403 || status === 429) {
    return new ScanFailure(FailureCategory.Blocked, `site refused the scanner (HTTP ${status})`, true, status, wait);
  }
  // 408 and 5xx are transient; any other 4xx will answer the same way next time.
  const retryable = status === 408 || status >= 500;
  return new ScanFailure(FailureCategory.HttpError, `main document answered HTTP ${status}`, retryable, status, wait);
}

/** Categorises anything thrown while scanning; ScanFailures pass through unchanged. */
export function classifyScanError(err: unknown): ScanFailure {
  if (err instanceof ScanFailure) return err;
  const e = err as { name?: string; message?: string; code?: string };
  // First non-empty line: Prisma's messages start with a newline.
  const message = (
    String(e?.message ?? err)
      .split('\n')
      .find((l) => l.trim()) ?? 'unknown error'
  )
    .trim()
    .slice(0, 500);
  if (e?.code && DNS_CODES.has(e.code)) return new ScanFailure(FailureCategory.Navigation, `DNS lookup failed (${e.code})`, true);
  if (/net::ERR_BLOCKED_BY_CLIENT/.test(message)) {
    return new ScanFailure(FailureCategory.BlockedTarget, 'navigation to a blocked address was refused', false);
  }
  if (e?.name === 'TimeoutError') return new ScanFailure(FailureCategory.Timeout, message, true);
  // Before the /timeout/ text test: net:: messages end with the URL, which may itself contain "timeout".
  if (NAVIGATION_ERRORS.test(message)) return new ScanFailure(FailureCategory.Navigation, message, true);
  if (/timeout|timed out/i.test(message)) return new ScanFailure(FailureCategory.Timeout, message, true);
  // The page replaced its own document (meta refresh, location.href) while it was being tested.
  if (CLIENT_NAVIGATION.test(message)) {
    return new ScanFailure(FailureCategory.Navigation, 'the page kept navigating away while it was being scanned', true);
  }
  if (CRASH_ERRORS.test(message)) return new ScanFailure(FailureCategory.Crash, message, true);
  return new ScanFailure(FailureCategory.Internal, message, true);
}
