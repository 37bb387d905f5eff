import { HttpError } from '../http-errors';
import { rejectionReasons } from '../services/safety.service';
import { isTemporalUnavailable } from '../services/temporal-breaker';
import { rejectionReasonOf, TokenBuckets } from './abuse-limit';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

describe('TokenBuckets', () => {
  it('allows a burst of perMinute requests, then refuses with the seconds until the next token', () => {
    let now = 0;
    const buckets = new TokenBuckets(6, () => now);
    for (let i = 0; i < 6; i++) expect(buckets.take('k')).toBe(0);
    expect(buckets.take('k')).toBe(10); // one token per 10 s
    now += 10_000;
    expect(buckets.take('k')).toBe(0);
    expect(buckets.take('k')).toBeGreaterThan(0);
    expect(buckets.take('other')).toBe(0); // keys are independent
  });

  it('says where the bucket stands: remaining tokens and the seconds until it is full again', () => {
    let now = 0;
    const buckets = new TokenBuckets(6, () => now);
    expect(buckets.takeCounted('k')).toEqual({ retryAfter: 0, state: { limit: 6, remaining: 5, resetSeconds: 10, windowSeconds: 60 } });
    for (let i = 0; i < 5; i++) buckets.take('k');
    expect(buckets.takeCounted('k')).toEqual({ retryAfter: 10, state: { limit: 6, remaining: 0, resetSeconds: 60, windowSeconds: 60 } });
    now += 30_000;
    expect(buckets.takeCounted('k')?.state).toMatchObject({ remaining: 2, resetSeconds: 40 });
    expect(new TokenBuckets(0).takeCounted('k')).toBeUndefined();
  });

  it('is off at 0', () => {
    const buckets = new TokenBuckets(0);
    for (let i = 0; i < 100; i++) expect(buckets.take('k')).toBe(0);
  });
});

describe('rejectionReasonOf', () => {
  const post = { method: 'POST', originalUrl: '/api/scans' };
  it('names the safety refusals and ignores everything else', () => {
    expect(rejectionReasonOf(new HttpError(429, 'rate_limited', 'x', { reason: 'rate_limited' }), post)).toBe('rate_limited');
    expect(
      rejectionReasonOf(new HttpError(429, 'too_many_requests', 'x', { reason: 'abuse_limited' }), {
        method: 'GET',
        originalUrl: '/api/scans',
      }),
    ).toBe('abuse_limited');
    expect(rejectionReasonOf({ type: 'entity.too.large' }, post)).toBe('body_too_large');
    expect(rejectionReasonOf(new HttpError(400, 'bad_request', 'url: private address', { category: 'blocked_target' }), post)).toBe(
      'blocked_target',
    );
    expect(rejectionReasonOf(new HttpError(400, 'bad_request', 'url: must be http(s)', { field: 'url' }), post)).toBe('invalid_url');
    expect(rejectionReasonOf(new HttpError(400, 'bad_request', 'priority: too big'), post)).toBe('invalid_request');
    expect(rejectionReasonOf(new HttpError(503, 'unavailable', 'down'), post)).toBe('temporal_unavailable');
    expect(rejectionReasonOf(new HttpError(400, 'bad_request', 'x'), { method: 'GET', originalUrl: '/api/scans' })).toBeNull();
    expect(rejectionReasonOf(new HttpError(404, 'not_found', 'x'), post)).toBeNull();
    expect(rejectionReasonOf(new Error('boom'), post)).toBeNull();
  });

  it('groups bulk item reasons', () => {
    expect(
      rejectionReasons([
        { reason: 'url: is required' },
        { reason: 'rate_limited: 3 scans per hour' },
        { reason: 'url: private address not allowed' },
        { reason: 'prospect p not found' },
      ]),
    ).toEqual({ invalid_url: 1, rate_limited: 1, blocked_target: 1, invalid_request: 1 });
  });
});

describe('isTemporalUnavailable', () => {
  it('counts outages, not answers', () => {
    expect(
      isTemporalUnavailable(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: '', metadata: {} })),
    ).toBe(true);
    expect(isTemporalUnavailable(Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4, details: '', metadata: {} }))).toBe(true);
    expect(isTemporalUnavailable(Object.assign(new Error('3 INVALID_ARGUMENT'), { code: 3, details: '', metadata: {} }))).toBe(false);
    expect(isTemporalUnavailable(new WorkflowExecutionAlreadyStartedError('started', 'wf', 'type'))).toBe(false);
  });
});
