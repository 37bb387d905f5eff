// Promise helpers the API, the monitoring and the activities share.

export class TimeoutError extends Error {}

/**
 * `p`, or a TimeoutError after `ms`. The timer is cleared either way, so a pending timeout never keeps the process
 * alive; `p` itself keeps running (the caller decides whether to abandon or close what it was doing).
 */
export function withTimeout<T>(p: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

export interface TtlCache {
  /** The promise cached under `key` if younger than `ttlMs`, else `fn()`'s, cached from now. */
  get<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T>;
  clear(): void;
}

/**
 * One promise per key for a while: concurrent callers share one call, and a rejected promise is dropped at once so
 * errors are not cached. Past `maxEntries` keys the expired ones are swept, so per-client keys cannot grow it forever.
 */
export function createTtlCache(opts: { maxEntries?: number; now?: () => number } = {}): TtlCache {
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 1_000;
  const entries = new Map<string, { at: number; ttlMs: number; value: Promise<unknown> }>();
  return {
    get<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && now() - hit.at < ttlMs) return hit.value as Promise<T>;
      if (entries.size >= maxEntries) {
        for (const [k, v] of entries) if (now() - v.at >= v.ttlMs) entries.delete(k);
      }
      const value = fn();
      const entry = { at: now(), ttlMs, value };
      entries.set(key, entry);
      value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      return value;
    },
    clear: () => entries.clear(),
  };
}
