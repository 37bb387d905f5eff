import { Router } from 'express';
import type { Client } from '@temporalio/client';
import { withTimeout } from '../../lib/async';
import type { PrismaClient } from '../../lib/prisma';

const CHECK_TIMEOUT_MS = 2_000;
// How long one readiness answer is reused (README "Health").
const READINESS_TTL_MS = 1_000;
// Seconds a probe told "not ready" should wait: long enough not to hammer a database that is coming back.
const NOT_READY_RETRY_AFTER_SECONDS = 5;

async function probe(fn: () => Promise<unknown>): Promise<'ok' | 'down'> {
  try {
    await withTimeout(fn(), CHECK_TIMEOUT_MS);
    return 'ok';
  } catch {
    return 'down';
  }
}

interface Readiness {
  ready: boolean;
  checks: { database: 'ok' | 'down'; temporal: 'ok' | 'down' };
}

/**
 * /readyz is open and unthrottled (probes must always get through), so one answer serves every request for
 * `ttlMs`, and concurrent requests share the check in flight: a flood costs at most one query and one Temporal
 * call per second.
 */
export function cachedReadiness(check: () => Promise<Readiness>, ttlMs: number, now: () => number = Date.now): () => Promise<Readiness> {
  let last: { at: number; value: Readiness } | undefined;
  let inFlight: Promise<Readiness> | undefined;
  return () => {
    if (last && now() - last.at < ttlMs) return Promise.resolve(last.value);
    inFlight ??= check()
      .then((value) => {
        last = { at: now(), value };
        return value;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

/** Open liveness and readiness probes: they say up or down and nothing else. */
export function healthRouter(deps: { prisma: PrismaClient; temporal: Client }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const readiness = cachedReadiness(async () => {
    const [database, temporal] = await Promise.all([
      probe(() => deps.prisma.$queryRaw`SELECT 1`),
      probe(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    return { ready: database === 'ok' && temporal === 'ok', checks: { database, temporal } };
  }, READINESS_TTL_MS);
  router.get('/readyz', async (_req, res) => {
    const { ready, checks } = await readiness();
    if (!ready) res.set('Retry-After', String(NOT_READY_RETRY_AFTER_SECONDS));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
