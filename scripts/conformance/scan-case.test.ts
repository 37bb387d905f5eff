import type { ApiClient } from './api-client';
import { ApiError } from './errors';
import type { ScanView } from './outcome';
import { scanCase } from './scan-case';

/** A fake API whose GET walks through the given statuses, then stays on the last. */
function fakeApi(statuses: string[], over: Partial<ApiClient> = {}) {
  const submitted: unknown[] = [];
  let gets = 0;
  const api: ApiClient = {
    baseUrl: 'http://api',
    assertReady: async () => undefined,
    submit: async (body) => (submitted.push(body), 'scan-1'),
    get: async (scanId): Promise<ScanView> => {
      const status = statuses[Math.min(gets++, statuses.length - 1)];
      return { scanId, status, violations: [], needsReview: [] };
    },
    cancel: async () => undefined,
    ...over,
  };
  return { api, submitted, gets: () => gets };
}

describe('scanCase', () => {
  it('submits once with no retries, the tags and the timeout, and polls until a terminal status', async () => {
    const { api, submitted, gets } = fakeApi(['queued', 'running', 'completed']);
    const scan = await scanCase(api, { url: 'http://127.0.0.1:9/a.html', timeoutMs: 30_000, wcagTags: ['ACT', 'wcag2a'] });
    expect(scan).toMatchObject({ scanId: 'scan-1', status: 'completed' });
    expect(submitted).toEqual([
      {
        url: 'http://127.0.0.1:9/a.html',
        clientId: 'conformance',
        maxRetries: 0,
        timeout: 30_000,
        wcagTags: ['ACT', 'wcag2a'],
        queue: 'low',
      },
    ]);
    expect(gets()).toBe(3);
  });

  it('reports a refused submission as a `submit` client failure', async () => {
    const { api } = fakeApi([], { submit: async () => Promise.reject(new ApiError('url: host not allowed', 400, 'validation_error')) });
    expect(await scanCase(api, { url: 'x', timeoutMs: 1_000, wcagTags: ['ACT'] })).toEqual({
      clientFailure: 'submit',
      message: 'url: host not allowed (400)',
    });
  });

  it('waits and submits again when the API answers 429 (its per-key rate limit), then polls as usual', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      let submits = 0;
      const { api } = fakeApi(['completed'], {
        submit: async () => {
          if (++submits <= 2) throw new ApiError('too many requests from this key; slow down', 429, 'rate_limited');
          return 'scan-1';
        },
      });
      const pending = scanCase(api, { url: 'x', timeoutMs: 1_000, wcagTags: ['ACT'] });
      await jest.advanceTimersByTimeAsync(5_000);
      expect(await pending).toMatchObject({ scanId: 'scan-1', status: 'completed' });
      expect(submits).toBe(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it('cancels and reports a scan that never ends', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const cancelled: string[] = [];
      const { api } = fakeApi(['running'], { cancel: async (id) => void cancelled.push(id) });
      const pending = scanCase(api, { url: 'x', timeoutMs: 1_000, wcagTags: ['ACT'] });
      await jest.advanceTimersByTimeAsync(63_000);
      expect(await pending).toEqual({
        clientFailure: 'client_timeout',
        message: 'no terminal status within 62 s (cancelled)',
        scanId: 'scan-1',
      });
      expect(cancelled).toEqual(['scan-1']);
    } finally {
      jest.useRealTimers();
    }
  });
});
