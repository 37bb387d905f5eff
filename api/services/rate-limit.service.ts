import { HttpError } from '../http-errors';
import { quotaState, rateLimitFields } from '../middleware/rate-limit-headers';
import { quotaRefusalMessage, type Grant } from '../../tenancy/quota';

// The quota itself lives in tenancy/quota.ts: the worker charges scheduled runs with the same code.
export { createRateLimitService, type Grant, type RateLimitService, type RateLimitStatus } from '../../tenancy/quota';

/** 429 with Retry-After (the end of the hour) and the client's numbers. */
export function rateLimited(grant: Grant, extra: Record<string, unknown> = {}): HttpError {
  const { status } = grant;
  return new HttpError(
    429,
    'rate_limited',
    quotaRefusalMessage(status),
    { reason: 'rate_limited', ...status, ...extra },
    { 'Retry-After': String(grant.retryAfterSeconds), ...rateLimitFields(quotaState(grant)) },
  );
}
