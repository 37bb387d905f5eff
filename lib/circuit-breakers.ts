// Named circuit breakers, one row each in circuit_breakers (seed: CLOSED → OPEN → HALF_OPEN).
// The API's Temporal breaker is cockatiel's and only mirrored here; the per-host breakers are ours and live
// entirely in this table, so every worker (and process) sees one state per target host.
import type { Env } from './env';
import type { PrismaClient } from './prisma';

export type BreakerState = 'closed' | 'open' | 'half_open';
export type BreakerKind = 'temporal' | 'host';

export interface BreakerConfig {
  /** Consecutive failures that open a closed breaker. */
  failureThreshold: number;
  /** Consecutive successes in half-open that close it. */
  successThreshold: number;
  /** How long a breaker stays open before it admits trial calls, ms. */
  timeoutMs: number;
}

export function breakerConfigFrom(env: Pick<Env, 'BREAKER_FAILURE_THRESHOLD' | 'BREAKER_SUCCESS_THRESHOLD' | 'BREAKER_TIMEOUT'>): BreakerConfig {
  return { failureThreshold: env.BREAKER_FAILURE_THRESHOLD, successThreshold: env.BREAKER_SUCCESS_THRESHOLD, timeoutMs: env.BREAKER_TIMEOUT };
}

export const hostBreakerName = (host: string) => `host:${host.toLowerCase()}`;
export const TEMPORAL_BREAKER = 'temporal';

/** Numeric value for metrics: 0 closed, 1 half-open, 2 open. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** Writes a breaker's state as one upsert (used by the in-process Temporal breaker on each transition). */
export async function saveBreakerState(
  prisma: PrismaClient,
  row: { name: string; kind: BreakerKind; state: BreakerState; failures: number; openedAt: Date | null; lastError?: string | null },
): Promise<void> {
  await prisma.circuitBreaker.upsert({
    where: { name: row.name },
    create: { ...row, successes: 0, probes: 0 },
    update: { state: row.state, failures: row.failures, openedAt: row.openedAt, lastError: row.lastError, successes: 0, probes: 0 },
  });
}

export type HostPermit = { allowed: true; probe: boolean } | { allowed: false; retryAfterMs: number; state: BreakerState };

interface Row {
  state: BreakerState;
  wait_ms: number | null;
}

/**
 * May a scan of `host` start now? Closed: yes. Open: no, until `timeoutMs` after opening; the first caller after
 * that moves it to half-open and is the first probe. Half-open: at most `successThreshold` probes at a time (a
 * probe whose worker died is forgotten after `timeoutMs`). One SQL statement per decision, so concurrent workers
 * agree.
 */
export async function acquireHostPermit(prisma: PrismaClient, host: string, cfg: BreakerConfig): Promise<HostPermit> {
  const name = hostBreakerName(host);
  const timeout = cfg.timeoutMs;
  const [row] = await prisma.$queryRaw<Row[]>`
    SELECT state, GREATEST(0, CEIL(EXTRACT(EPOCH FROM (opened_at - now())) * 1000 + ${timeout}))::int AS wait_ms
    FROM circuit_breakers WHERE name = ${name}`;
  if (!row || row.state === 'closed') return { allowed: true, probe: false };

  // open → half_open for the caller that finds the open period over; everyone else keeps waiting.
  const [admitted] = await prisma.$queryRaw<Array<{ state: string }>>`
    UPDATE circuit_breakers SET
      state = 'half_open', successes = CASE WHEN state = 'open' THEN 0 ELSE successes END,
      probes = CASE WHEN state = 'open' OR updated_at < now() - make_interval(secs => ${timeout / 1000}) THEN 1 ELSE probes + 1 END,
      updated_at = now()
    WHERE name = ${name} AND (
      (state = 'open' AND opened_at <= now() - make_interval(secs => ${timeout / 1000}))
      OR (state = 'half_open' AND (probes < ${cfg.successThreshold} OR updated_at < now() - make_interval(secs => ${timeout / 1000})))
    )
    RETURNING state`;
  if (admitted) return { allowed: true, probe: true };
  // Half-open with its probes in flight: look again soon; open: when the open period ends.
  const retryAfterMs = row.state === 'open' ? Math.max(1_000, row.wait_ms ?? timeout) : Math.min(timeout, 5_000);
  return { allowed: false, retryAfterMs, state: row.state };
}

export type HostOutcome = 'success' | 'failure' | 'neutral';

/**
 * Records how a scan of `host` ended and returns the state before and after. A failure (the site refused us or
 * timed out) counts towards opening; in half-open it reopens at once. A success resets the failure count and, in
 * half-open, counts towards closing. Other failures (a 404, a page crash) say nothing about the host: neutral,
 * they only give a half-open probe slot back.
 */
export async function recordHostOutcome(
  prisma: PrismaClient,
  host: string,
  outcome: HostOutcome,
  cfg: BreakerConfig,
  message?: string,
): Promise<{ before: BreakerState | null; after: BreakerState | null }> {
  const name = hostBreakerName(host);
  let rows: Array<{ before: BreakerState | null; after: BreakerState }>;
  if (outcome === 'failure') {
    const opensNow = cfg.failureThreshold <= 1;
    rows = await prisma.$queryRaw`
      WITH prev AS (SELECT state FROM circuit_breakers WHERE name = ${name})
      INSERT INTO circuit_breakers AS cb (name, kind, state, failures, successes, probes, opened_at, last_error, updated_at)
      VALUES (${name}, 'host', ${opensNow ? 'open' : 'closed'}, 1, 0, 0, ${opensNow ? new Date() : null}, ${message ?? null}, now())
      ON CONFLICT (name) DO UPDATE SET
        state = CASE WHEN cb.state = 'half_open' OR (cb.state = 'closed' AND cb.failures + 1 >= ${cfg.failureThreshold})
                     THEN 'open' ELSE cb.state END,
        opened_at = CASE WHEN cb.state = 'half_open' OR (cb.state = 'closed' AND cb.failures + 1 >= ${cfg.failureThreshold})
                         THEN now() ELSE cb.opened_at END,
        failures = cb.failures + 1, successes = 0, probes = 0, last_error = EXCLUDED.last_error, updated_at = now()
      RETURNING (SELECT state FROM prev) AS before, cb.state AS after`;
  } else if (outcome === 'success') {
    rows = await prisma.$queryRaw`
      WITH prev AS (SELECT state FROM circuit_breakers WHERE name = ${name})
      UPDATE circuit_breakers AS cb SET
        state = CASE WHEN cb.state = 'half_open' AND cb.successes + 1 >= ${cfg.successThreshold} THEN 'closed' ELSE cb.state END,
        opened_at = CASE WHEN cb.state = 'half_open' AND cb.successes + 1 >= ${cfg.successThreshold} THEN NULL ELSE cb.opened_at END,
        successes = CASE WHEN cb.state = 'half_open' THEN cb.successes + 1 ELSE 0 END,
        probes = GREATEST(cb.probes - 1, 0),
        failures = CASE WHEN cb.state = 'open' THEN cb.failures ELSE 0 END,
        updated_at = now()
      WHERE cb.name = ${name} AND NOT (cb.state = 'closed' AND cb.failures = 0)
      RETURNING (SELECT state FROM prev) AS before, cb.state AS after`;
  } else {
    rows = await prisma.$queryRaw`
      WITH prev AS (SELECT state FROM circuit_breakers WHERE name = ${name})
      UPDATE circuit_breakers AS cb SET probes = GREATEST(cb.probes - 1, 0), updated_at = now()
      WHERE cb.name = ${name} AND cb.state = 'half_open'
      RETURNING (SELECT state FROM prev) AS before, cb.state AS after`;
  }
  return rows[0] ?? { before: null, after: null };
}
