import { cachedReadiness } from './health.router';

describe('cachedReadiness', () => {
  it('shares one check among concurrent callers and reuses its answer for the TTL', async () => {
    let now = 0;
    let calls = 0;
    let release!: () => void;
    const check = () => {
      calls++;
      return new Promise<{ ready: boolean; checks: { database: 'ok'; temporal: 'ok' } }>((resolve) => {
        release = () => resolve({ ready: true, checks: { database: 'ok', temporal: 'ok' } });
      });
    };
    const readiness = cachedReadiness(check, 1_000, () => now);
    const pending = Array.from({ length: 20 }, () => readiness());
    release();
    expect((await Promise.all(pending)).every((r) => r.ready)).toBe(true);
    expect(calls).toBe(1);
    now = 999;
    await readiness();
    expect(calls).toBe(1);
    now = 1_000;
    const next = readiness();
    release();
    await next;
    expect(calls).toBe(2);
  });
});
