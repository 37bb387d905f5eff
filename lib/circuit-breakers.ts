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
  /** Host breakers: distinct clients whose failures it takes to open one (absent = 1, the seed's rule). */
  minClients?: number;
  /** Host breakers: the normal per-attempt budget; a timeout of a smaller budget never counts (absent = 0). */
  minScanBudgetMs?: number;
}

export function breakerConfigFrom(
  env: Pick<Env, 'BREAKER_FAILURE_THRESHOLD' | 'BREAKER_SUCCESS_THRESHOLD' | 'BREAKER_TIMEOUT' | 'BREAKER_MIN_CLIENTS' | 'SCAN_DEFAULT_TIMEOUT'>,
): BreakerConfig {
  return {
    failureThreshold: env.BREAKER_FAILURE_THRESHOLD,
    successThreshold: env.BREAKER_SUCCESS_THRESHOLD,
    timeoutMs: env.BREAKER_TIMEOUT,
    minClients: env.BREAKER_MIN_CLIENTS,
    minScanBudgetMs: env.SCAN_DEFAULT_TIMEOUT,
  };
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

/** A host breaker's failure streak: consecutive failures, and how many of them each client's scans produced. */
export interface FailureStreak {
  state: BreakerState;
  failures: number;
  clients: Record<string, number>;
}

/**
 * Most failures one client's scans count towards opening a host breaker: its fair share of the threshold, so one
 * client can never open a breaker that stops every other client's scans of the host.
 */
export function perClientFailureCap(cfg: Pick<BreakerConfig, 'failureThreshold' | 'minClients'>): number {
  return Math.ceil(cfg.failureThreshold / Math.max(1, cfg.minClients ?? 1));
}

/**
 * Pure: the streak after one more failure by `clientId`. Closed: opens when the failures, each client counting at
 * most perClientFailureCap, reach the threshold *and* come from at least `minClients` distinct clients. Half-open:
 * a failed trial reopens at once (seed). Open: stays open, the failure is only counted.
 */
export function afterHostFailure(
  prev: FailureStreak | null,
  clientId: string,
  cfg: Pick<BreakerConfig, 'failureThreshold' | 'minClients'>,
): FailureStreak & { opens: boolean } {
  const state = prev?.state ?? 'closed';
  const clients = { ...(prev?.clients ?? {}) };
  clients[clientId] = (clients[clientId] ?? 0) + 1;
  const failures = (prev?.failures ?? 0) + 1;
  if (state === 'open') return { state, failures, clients, opens: false };
  if (state === 'half_open') return { state: 'open', failures, clients, opens: true };
  const cap = perClientFailureCap(cfg);
  const counted = Object.values(clients).reduce((sum, n) => sum + Math.min(n, cap), 0);
  const opens = counted >= cfg.failureThreshold && Object.keys(clients).length >= Math.max(1, cfg.minClients ?? 1);
  return { state: opens ? 'open' : 'closed', failures, clients, opens };
}

/** A failure of a scan without a client id (an execution from before clients were passed) counts as this one. */
export const UNKNOWN_CLIENT = '(unknown)';

/**
 * Records how a scan of `host` for `clientId` ended and returns the state before and after. A failure (the host
 * is down: see activities/host-breaker-verdict.ts) counts towards opening as afterHostFailure says; in half-open it
 * reopens at once. A success resets the streak and, in half-open, counts towards closing. Neutral outcomes say
 * nothing about the host: they only give a half-open probe slot back.
 */
export async function recordHostOutcome(
  prisma: PrismaClient,
  host: string,
  outcome: HostOutcome,
  cfg: BreakerConfig,
  message?: string,
  clientId: string = UNKNOWN_CLIENT,
): Promise<{ before: BreakerState | null; after: BreakerState | null }> {
  const name = hostBreakerName(host);
  let rows: Array<{ before: BreakerState | null; after: BreakerState }>;
  if (outcome === 'failure') {
    // Read, decide, write under the row's lock: concurrent workers' failures are counted one after the other.
    return prisma.$transaction(async (tx) => {
      const created = await tx.$queryRaw<unknown[]>`
        INSERT INTO circuit_breakers (name, kind, state, failures, successes, probes, updated_at)
        VALUES (${name}, 'host', 'closed', 0, 0, 0, now()) ON CONFLICT (name) DO NOTHING RETURNING name`;
      const [row] = await tx.$queryRaw<Array<{ state: BreakerState; failures: number; failure_clients: Record<string, number> | null }>>`
        SELECT state, failures, failure_clients FROM circuit_breakers WHERE name = ${name} FOR UPDATE`;
      const next = afterHostFailure({ state: row.state, failures: row.failures, clients: row.failure_clients ?? {} }, clientId, cfg);
      await tx.$executeRaw`
        UPDATE circuit_breakers SET state = ${next.state}, failures = ${next.failures},
          failure_clients = ${JSON.stringify(next.clients)}::jsonb,
          opened_at = CASE WHEN ${next.opens} THEN now() ELSE opened_at END,
          successes = 0, probes = 0, last_error = ${message ?? null}, updated_at = now()
        WHERE name = ${name}`;
      return { before: created.length > 0 ? null : row.state, after: next.state };
    });
  } else if (outcome === 'success') {
    rows = await prisma.$queryRaw`
      WITH prev AS (SELECT state FROM circuit_breakers WHERE name = ${name})
      UPDATE circuit_breakers AS cb SET
        state = CASE WHEN cb.state = 'half_open' AND cb.successes + 1 >= ${cfg.successThreshold} THEN 'closed' ELSE cb.state END,
        opened_at = CASE WHEN cb.state = 'half_open' AND cb.successes + 1 >= ${cfg.successThreshold} THEN NULL ELSE cb.opened_at END,
        successes = CASE WHEN cb.state = 'half_open' THEN cb.successes + 1 ELSE 0 END,
        probes = GREATEST(cb.probes - 1, 0),
        failures = CASE WHEN cb.state = 'open' THEN cb.failures ELSE 0 END,
        failure_clients = CASE WHEN cb.state = 'open' THEN cb.failure_clients ELSE '{}'::jsonb END,
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
