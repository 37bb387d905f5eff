import type { ErrorRequestHandler, Response } from 'express';
import type { Grant } from '../../tenancy/quota';
import { HttpError } from '../http-errors';

/**
 * The rate-limit fields of draft-ietf-httpapi-ratelimit-headers-06 (`RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` in delta-seconds, `RateLimit-Policy` as `<limit>;w=<window seconds>`): the separate fields most
 * clients and gateways read today (express-rate-limit's `draft-6`), rather than the combined `RateLimit` field of
 * draft-07 and later, whose syntax is still changing.
 */
export interface RateLimitState {
  /** Requests (or scans) the policy allows per window. */
  limit: number;
  /** What is left of it now, after this request. */
  remaining: number;
  /** Seconds until the quota is whole again. */
  resetSeconds: number;
  /** The policy's window in seconds. */
  windowSeconds: number;
}

/** The four fields for `state`, with every policy that applied to the request listed in `RateLimit-Policy`. */
export function rateLimitFields(state: RateLimitState, policies: readonly RateLimitState[] = [state]): Record<string, string> {
  return {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(Math.max(0, Math.floor(state.remaining))),
    'RateLimit-Reset': String(Math.max(0, Math.ceil(state.resetSeconds))),
    'RateLimit-Policy': [...new Set(policies.map((p) => `${p.limit};w=${p.windowSeconds}`))].join(', '),
  };
}

const NEAREST = Symbol('rateLimits');
type WithLimits = Response & { [NEAREST]?: RateLimitState[] };

/**
 * Tells the client about one more limit this request was counted against. Several can apply (per address, per key);
 * the draft asks for the one nearest exhaustion in Limit/Remaining/Reset, so the fields are rewritten for it.
 */
export function announceRateLimit(res: Response, state: RateLimitState): void {
  const known = ((res as WithLimits)[NEAREST] ??= []);
  known.push(state);
  const nearest = known.reduce((a, b) =>
    b.remaining < a.remaining || (b.remaining === a.remaining && b.resetSeconds > a.resetSeconds) ? b : a,
  );
  res.set(rateLimitFields(nearest, known));
}

/** The hourly scan quota as the fields describe it: a fixed window, the clock hour. */
export const quotaState = (grant: Pick<Grant, 'status' | 'retryAfterSeconds'>): RateLimitState => ({
  limit: grant.status.limit,
  remaining: grant.status.remaining,
  resetSeconds: grant.retryAfterSeconds,
  windowSeconds: 3600,
});

/** For a submission charged to the quota: announces the client's hourly quota on the response once it is charged. */
export const announceQuotaOn =
  (res: Response) =>
  (grant: Grant): void =>
    announceRateLimit(res, quotaState(grant));

// Without a hint a client retries at once or guesses: every refusal that is about time says how long to wait.
const DEFAULT_RETRY_AFTER_SECONDS = 10;

/** Gives every 429 and 503 on its way to the error handler a `Retry-After` (seconds) if it has none yet. */
export const retryAfterOnRefusals: ErrorRequestHandler = (err, _req, res, next) => {
  if (err instanceof HttpError && (err.status === 429 || err.status === 503) && !('Retry-After' in err.headers)) {
    res.set('Retry-After', String(DEFAULT_RETRY_AFTER_SECONDS));
  }
  next(err);
};
