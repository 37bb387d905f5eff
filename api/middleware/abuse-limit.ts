import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../lib/prisma';
import { HttpError } from '../http-errors';
import { recordRejections, type RejectionReason } from '../services/safety.service';
import { principalOf } from './auth';
import { announceRateLimit, type RateLimitState } from './rate-limit-headers';

/**
 * Token buckets in this process's memory: `perMinute` requests per minute with bursts of the same size. Per API
 * instance on purpose: it guards the instance against floods; the per-client scan quota is the cross-instance one.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; returns 0 when allowed, otherwise the seconds until a token is back. */
  take(key: string): number {
    return this.takeCounted(key)?.retryAfter ?? 0;
  }

  /**
   * Takes one token and says where the bucket stands (undefined when limiting is off): `retryAfter` is 0 when
   * allowed, else the seconds until a token is back; `state` is the bucket as the RateLimit fields describe it
   * (a full bucket is the quota "reset").
   */
  takeCounted(key: string): { retryAfter: number; state: RateLimitState } | undefined {
    if (this.perMinute <= 0) return undefined;
    const now = this.now();
    const rate = this.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * rate);
    b.at = now;
    this.buckets.set(key, b);
    if (this.buckets.size > 50_000) this.prune(now);
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    const state = {
      limit: this.perMinute,
      remaining: Math.floor(b.tokens),
      resetSeconds: (this.perMinute - b.tokens) / rate / 1000,
      windowSeconds: 60,
    };
    return { retryAfter: allowed ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000)), state };
  }

  /** Full buckets carry no information: drop them. */
  private prune(now: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + (now - b.at) * (this.perMinute / 60_000) >= this.perMinute) this.buckets.delete(k);
  }
}

// Health probes and scrapes must work however busy a caller is. These are the admin-only monitoring endpoints:
// exempt only once the request is known to carry the admin key (see ipRateLimit); /healthz, /readyz and /metrics
// are served before the API router and never reach these limiters.
const EXEMPT = /^\/api\/monitoring\/(health|queue\/health)$/;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

const tooMany = (retryAfter: number, scope: string) =>
  new HttpError(
    429,
    'too_many_requests',
    `too many requests from this ${scope}; slow down`,
    { reason: 'abuse_limited', scope },
    {
      'Retry-After': String(retryAfter),
    },
  );

/** Counts the request in `key`'s bucket, announces the bucket on the response, and refuses when it is empty. */
function limit(buckets: TokenBuckets, key: string, scope: string, res: Response, next: NextFunction): void {
  const taken = buckets.takeCounted(key);
  if (taken) announceRateLimit(res, taken.state);
  next(taken?.retryAfter ? tooMany(taken.retryAfter, scope) : undefined);
}

/**
 * Per client IP: before authentication, so a flood of bad keys is throttled too. The health endpoints are exempt
 * only for a request whose Bearer key `isAdminKey` accepts (an in-memory comparison, no database): anyone else
 * asking for them, with no key or a guessed one, is counted like any other request.
 */
export function ipRateLimit(perMinute: number, isAdminKey: (key: string) => boolean = () => false): RequestHandler {
  const buckets = new TokenBuckets(perMinute);
  return (req, res, next) => {
    if (EXEMPT.test(req.originalUrl.split('?')[0])) {
      const key = BEARER.exec(req.get('authorization') ?? '')?.[1];
      if (key && isAdminKey(key)) return next();
    }
    limit(buckets, `ip:${req.ip ?? 'unknown'}`, 'address', res, next);
  };
}

/** Per API key (the admin key is one key): after authentication. */
export function keyRateLimit(perMinute: number): RequestHandler {
  const buckets = new TokenBuckets(perMinute);
  return (req, res, next) => {
    const p = principalOf(res);
    if (p.kind === 'admin' && EXEMPT.test(req.originalUrl.split('?')[0])) return next();
    limit(buckets, p.kind === 'admin' ? 'admin' : `key:${p.keyId}`, 'key', res, next);
  };
}

const SUBMISSION = /^\/api\/(scans|prospects)(\/|$)/;

/** Which refusal an error is, for the durable counters of /safety; null when it is not the safety layer's. */
export function rejectionReasonOf(err: unknown, req: Pick<Request, 'method' | 'originalUrl'>): RejectionReason | null {
  if (err instanceof HttpError) {
    const details = (err.details ?? {}) as { reason?: string; category?: string };
    if (err.status === 429) return details.reason === 'rate_limited' ? 'rate_limited' : 'abuse_limited';
    if (err.status === 413) return 'body_too_large';
    if (err.status === 503 && err.code === 'unavailable' && req.method === 'POST' && SUBMISSION.test(req.originalUrl))
      return 'temporal_unavailable';
    if (err.status === 400 && req.method === 'POST' && SUBMISSION.test(req.originalUrl)) {
      if (details.category === 'blocked_target') return 'blocked_target';
      if (details.category === 'invalid_url' || /^url:/.test(err.message)) return 'invalid_url';
      return 'invalid_request';
    }
    return null;
  }
  const type = (err as { type?: string })?.type;
  if (type === 'entity.too.large') return 'body_too_large';
  if (type === 'entity.parse.failed' && req.method === 'POST' && SUBMISSION.test(req.originalUrl)) return 'invalid_request';
  return null;
}

/** Counts safety refusals on their way to the error handler (never changes the response). */
export function countRejections(prisma: PrismaClient, logger: Logger): ErrorRequestHandler {
  return (err, req, _res, next) => {
    const reason = rejectionReasonOf(err, req);
    if (reason) void recordRejections(prisma, { [reason]: 1 }, logger);
    next(err);
  };
}
