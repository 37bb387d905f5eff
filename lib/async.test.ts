import { createTtlCache, TimeoutError, withTimeout } from './async';

describe('withTimeout', () => {
  it('passes the answer through when it comes in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1_000)).resolves.toBe(42);
  });

  it('passes a rejection through', async () => {
    await expect(withTimeout(Promise.reject(new Error('boom')), 1_000)).rejects.toThrow('boom');
  });

  it('rejects with a TimeoutError carrying the message when the promise is too slow', async () => {
    const never = new Promise<never>(() => undefined);
    const err = await withTimeout(never, 10, 'closing the browser did not finish').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toBe('closing the browser did not finish');
    await expect(withTimeout(never, 5)).rejects.toThrow('no answer within 5 ms');
  });
});

describe('createTtlCache', () => {
  it('shares one call per key for the TTL, then calls again', async () => {
    let now = 0;
    const cache = createTtlCache({ now: () => now });
    const fn = jest.fn(async () => now);
    expect(await Promise.all([cache.get('a', 100, fn), cache.get('a', 100, fn)])).toEqual([0, 0]);
    expect(fn).toHaveBeenCalledTimes(1);
    now = 99;
    expect(await cache.get('a', 100, fn)).toBe(0);
    await cache.get('b', 100, fn);
    expect(fn).toHaveBeenCalledTimes(2);
    now = 100;
    expect(await cache.get('a', 100, fn)).toBe(100);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('does not keep a rejected promise', async () => {
    const cache = createTtlCache();
    await expect(cache.get('k', 60_000, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await expect(cache.get('k', 60_000, async () => 'up')).resolves.toBe('up');
  });

  it('clear() forgets every entry', async () => {
    const cache = createTtlCache();
    const fn = jest.fn(async () => 1);
    await cache.get('k', 60_000, fn);
    cache.clear();
    await cache.get('k', 60_000, fn);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('sweeps expired keys once it holds maxEntries, and keeps live ones', async () => {
    let now = 0;
    const cache = createTtlCache({ maxEntries: 2, now: () => now });
    const fn = jest.fn(async () => now);
    await cache.get('old', 10, fn);
    await cache.get('live', 1_000, fn);
    now = 20;
    await cache.get('new', 10, fn); // sweeps 'old'
    expect(fn).toHaveBeenCalledTimes(3);
    await cache.get('live', 1_000, fn);
    expect(fn).toHaveBeenCalledTimes(3);
  });
});
