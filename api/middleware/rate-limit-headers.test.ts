import type { Response } from 'express';
import { HttpError } from '../http-errors';
import { announceRateLimit, quotaState, rateLimitFields, retryAfterOnRefusals } from './rate-limit-headers';

/** Just enough of a Response to collect the fields that were set. */
function fakeResponse(): Response & { fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  const res = {
    fields,
    set(name: string | Record<string, string>, value?: string) {
      if (typeof name === 'string') fields[name] = value!;
      else Object.assign(fields, name);
      return res;
    },
  };
  return res as unknown as Response & { fields: Record<string, string> };
}

describe('RateLimit fields (draft-ietf-httpapi-ratelimit-headers-06)', () => {
  it('writes limit, remaining, reset in whole seconds and the policy', () => {
    expect(rateLimitFields({ limit: 120, remaining: 118.7, resetSeconds: 0.6, windowSeconds: 60 })).toEqual({
      'RateLimit-Limit': '120',
      'RateLimit-Remaining': '118',
      'RateLimit-Reset': '1',
      'RateLimit-Policy': '120;w=60',
    });
  });

  it('describes the limit nearest exhaustion and lists every policy that applied', () => {
    const res = fakeResponse();
    announceRateLimit(res, { limit: 600, remaining: 500, resetSeconds: 10, windowSeconds: 60 });
    announceRateLimit(res, { limit: 120, remaining: 3, resetSeconds: 50, windowSeconds: 60 });
    announceRateLimit(res, { limit: 10, remaining: 4, resetSeconds: 1800, windowSeconds: 3600 });
    expect(res.fields).toEqual({
      'RateLimit-Limit': '120',
      'RateLimit-Remaining': '3',
      'RateLimit-Reset': '50',
      'RateLimit-Policy': '600;w=60, 120;w=60, 10;w=3600',
    });
  });

  it('reads the hourly quota as a one-hour window', () => {
    const status = { clientId: 'a', scansThisHour: 7, limit: 10, remaining: 3, resetTime: '', source: 'default' as const };
    expect(quotaState({ status, retryAfterSeconds: 1200 })).toEqual({ limit: 10, remaining: 3, resetSeconds: 1200, windowSeconds: 3600 });
  });
});

describe('retryAfterOnRefusals', () => {
  it.each([429, 503])('adds Retry-After to a %i that has none, and keeps one that has', (status) => {
    const bare = fakeResponse();
    const next = jest.fn();
    const err = new HttpError(status, 'x', 'x');
    retryAfterOnRefusals(err, {} as never, bare, next);
    expect(bare.fields['Retry-After']).toMatch(/^\d+$/);
    expect(next).toHaveBeenCalledWith(err);

    const given = fakeResponse();
    retryAfterOnRefusals(new HttpError(status, 'x', 'x', undefined, { 'Retry-After': '42' }), {} as never, given, jest.fn());
    expect(given.fields).toEqual({});
  });

  it('leaves other errors alone', () => {
    const res = fakeResponse();
    retryAfterOnRefusals(new HttpError(409, 'conflict', 'x'), {} as never, res, jest.fn());
    expect(res.fields).toEqual({});
  });
});
