import { HttpError } from '../http-errors';
import { quotaRefusalMessage, type Grant } from '../../lib/rate-limit';

// The quota itself lives in lib/rate-limit.ts: the worker charges scheduled runs with the same code.
export { createRateLimitService, type Grant, type RateLimitService, type RateLimitStatus } from '../../lib/rate-limit';

/** 429 with Retry-After (the end of the hour) and the client's numbers. */
export function rateLimited(grant: Grant, extra: Record<string, unknown> = {}): HttpError {
  const { status } = grant;
  return new HttpError(429, 'rate_limited', quotaRefusalMessage(status), { reason: 'rate_limited', ...status, ...extra }, {
    'Retry-After': String(grant.retryAfterSeconds),
  });
}
