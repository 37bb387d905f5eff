// Named circuit breakers, one row each in circuit_breakers (seed: CLOSED → OPEN → HALF_OPEN).
// The API's Temporal breaker is cockatiel's and only mirrored here; the host breakers are ours and live entirely in
// this table, so every worker (and process) sees the same state: per target host one shared breaker
// (`host:<host>`, several clients' failures open it, it stops every client) and per client that scans it one of
// the client's own (`host:<host>#client:<clientId>`, the seed's rule, it stops only that client's scans).
import type { Env } from './env';
import { Prisma, type PrismaClient } from './prisma';

export type BreakerState = 'closed' | 'open' | 'half_open';
export type BreakerKind = 'temporal' | 'host' | 'host_client';

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
  env: Pick<
    Env,
    'BREAKER_FAILURE_THRESHOLD' | 'BREAKER_SUCCESS_THRESHOLD' | 'BREAKER_TIMEOUT' | 'BREAKER_MIN_CLIENTS' | 'SCAN_DEFAULT_TIMEOUT'
  >,
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

const CLIENT_PART = '#client:';
/** One client's own breaker for one host: `host:<host>#client:<clientId>` (kind `host_client`). */
export const clientHostBreakerName = (host: string, clientId: string) => `${hostBreakerName(host)}${CLIENT_PART}${clientId}`;

/** The client id of a per-client host breaker's name, else null. */
export function breakerClientId(name: string): string | null {
  const i = name.indexOf(CLIENT_PART);
  return i < 0 ? null : name.slice(i + CLIENT_PART.length);
}

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

/** A failure of a scan without a client id (an execution from before clients were passed) counts as this one. */
export const UNKNOWN_CLIENT = '(unknown)';

/** One of the breakers a scan of a host answers to, with the rule that opens it. */
export interface HostBreakerRef {
  name: string;
  kind: 'host' | 'host_client';
  cfg: BreakerConfig;
}

/**
 * The breakers a scan of `host` for `clientId` answers to: the host's shared breaker (several clients' failures
 * open it; it stops every client) and, when the scan has a client id, that client's own breaker for the host
 * (the seed's rule, minClients 1: its own failures open it and it stops only its own scans). Without a client id
 * (executions from before clients were passed) only the shared one.
 */
export function hostBreakersFor(host: string, clientId: string | null | undefined, cfg: BreakerConfig): HostBreakerRef[] {
  const refs: HostBreakerRef[] = [{ name: hostBreakerName(host), kind: 'host', cfg }];
  if (clientId && clientId !== UNKNOWN_CLIENT)
    refs.push({ name: clientHostBreakerName(host, clientId), kind: 'host_client', cfg: { ...cfg, minClients: 1 } });
  return refs;
}

export type HostPermit = { allowed: true; probe: boolean } | { allowed: false; retryAfterMs: number; state: BreakerState; breaker: string };

/** What a permit decision needs of one breaker row (absent row = closed). */
export interface PermitRow {
  name: string;
  state: BreakerState;
  /** Probes admitted in half-open. */
  probes: number;
  /** Until the open period ends (≤ 0: over; null: no opening time, treated as over), ms. */
  waitMs: number | null;
  /** Last change longer than `timeoutMs` ago: the half-open probes in flight are forgotten (their workers died). */
  stale: boolean;
}

export type RowPermit = { allowed: true; probe: boolean } | { allowed: false; retryAfterMs: number; state: BreakerState };

/**
 * Pure: may a scan pass this one breaker now? Closed: yes. Open: no, until its open period is over; then yes, as
 * a probe (the row moves to half-open). Half-open: as a probe while fewer than `successThreshold` are in flight
 * (or the ones in flight are stale), otherwise no, look again soon.
 */
export function rowPermit(row: PermitRow | undefined, cfg: Pick<BreakerConfig, 'successThreshold' | 'timeoutMs'>): RowPermit {
  if (!row || row.state === 'closed') return { allowed: true, probe: false };
  if (row.state === 'open') {
    return row.waitMs === null || row.waitMs <= 0
      ? { allowed: true, probe: true }
      : { allowed: false, retryAfterMs: Math.max(1_000, row.waitMs), state: 'open' };
  }
  return row.probes < cfg.successThreshold || row.stale
    ? { allowed: true, probe: true }
    : { allowed: false, retryAfterMs: Math.min(cfg.timeoutMs, 5_000), state: 'half_open' };
}

/**
 * Pure: the permit for a scan that must pass every one of `rows` (the shared host breaker and its client's own):
 * refused when any refuses, with the longest wait (and that breaker's name and state); otherwise admitted, as a
 * probe of each breaker that admits it as one (`probeNames`: the rows to move to / count in half-open).
 */
export function combinedPermit(
  names: string[],
  rows: PermitRow[],
  cfg: Pick<BreakerConfig, 'successThreshold' | 'timeoutMs'>,
): HostPermit & { probeNames: string[] } {
  let refusal: { retryAfterMs: number; state: BreakerState; breaker: string } | null = null;
  const probeNames: string[] = [];
  for (const name of names) {
    const p = rowPermit(
      rows.find((r) => r.name === name),
      cfg,
    );
    if (!p.allowed) {
      if (!refusal || p.retryAfterMs > refusal.retryAfterMs) refusal = { retryAfterMs: p.retryAfterMs, state: p.state, breaker: name };
    } else if (p.probe) probeNames.push(name);
  }
  if (refusal) return { allowed: false, ...refusal, probeNames: [] };
  return { allowed: true, probe: probeNames.length > 0, probeNames };
}

interface RawPermitRow {
  name: string;
  state: BreakerState;
  probes: number;
  wait_ms: number | null;
  stale: boolean;
}
const toPermitRow = (r: RawPermitRow): PermitRow => ({
  name: r.name,
  state: r.state,
  probes: Number(r.probes),
  waitMs: r.wait_ms === null ? null : Number(r.wait_ms),
  stale: r.stale === true,
});

/**
 * May a scan of `host` for `clientId` start now? It must pass the host's shared breaker and its client's own
 * (hostBreakersFor; rowPermit says how each one decides). The common case, every row closed or absent, is one
 * read. When a row would admit the scan as a probe, the rows are locked (in name order) and decided again, and
 * the probe is taken in each row only if no row refuses: a scan refused by its client's breaker never uses up a
 * probe of the shared one, and concurrent workers agree.
 */
export async function acquireHostPermit(
  prisma: PrismaClient,
  host: string,
  cfg: BreakerConfig,
  clientId?: string | null,
): Promise<HostPermit> {
  const names = hostBreakersFor(host, clientId, cfg).map((r) => r.name);
  const timeout = cfg.timeoutMs;
  const strip = ({ probeNames: _, ...permit }: HostPermit & { probeNames: string[] }): HostPermit => permit;
  const read = (db: Pick<PrismaClient, '$queryRaw'>, lock: boolean) => db.$queryRaw<RawPermitRow[]>`
    SELECT name, state, probes,
      GREATEST(0, CEIL(EXTRACT(EPOCH FROM (opened_at - now())) * 1000 + ${timeout}))::int AS wait_ms,
      (updated_at < now() - make_interval(secs => ${timeout / 1000})) AS stale
    FROM circuit_breakers WHERE name IN (${Prisma.join(names)}) ORDER BY name
    ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
  const first = combinedPermit(names, (await read(prisma, false)).map(toPermitRow), cfg);
  if (!first.allowed || !first.probe) return strip(first);

  return prisma.$transaction(async (tx) => {
    const decided = combinedPermit(names, (await read(tx, true)).map(toPermitRow), cfg);
    for (const name of decided.probeNames) {
      await tx.$executeRaw`
        UPDATE circuit_breakers SET
          state = 'half_open', successes = CASE WHEN state = 'open' THEN 0 ELSE successes END,
          probes = CASE WHEN state = 'open' OR updated_at < now() - make_interval(secs => ${timeout / 1000}) THEN 1 ELSE probes + 1 END,
          updated_at = now()
        WHERE name = ${name}`;
    }
    return strip(decided);
  });
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

/** A breaker row's state before and after one outcome (null: no row). */
export interface BreakerChange {
  name: string;
  kind: HostBreakerRef['kind'];
  before: BreakerState | null;
  after: BreakerState | null;
}

/**
 * Records how a scan of `host` for `clientId` ended in each breaker it answers to (hostBreakersFor: the shared
 * one, then the client's own) and returns each one's state before and after. A failure (the host is down: see
 * activities/host-breaker-verdict.ts) counts towards opening as afterHostFailure says, with each breaker's own
 * rule (shared: several clients; the client's own: minClients 1); in half-open it reopens at once. A success
 * resets the streak and, in half-open, counts towards closing. Neutral outcomes say nothing about the host: they
 * only give a half-open probe slot back.
 */
export async function recordHostOutcome(
  prisma: PrismaClient,
  host: string,
  outcome: HostOutcome,
  cfg: BreakerConfig,
  message?: string,
  clientId: string = UNKNOWN_CLIENT,
): Promise<BreakerChange[]> {
  const changes: BreakerChange[] = [];
  for (const ref of hostBreakersFor(host, clientId, cfg)) {
    changes.push({ name: ref.name, kind: ref.kind, ...(await recordBreakerOutcome(prisma, ref, outcome, message, clientId)) });
  }
  return changes;
}

/** recordHostOutcome for one breaker row. */
async function recordBreakerOutcome(
  prisma: PrismaClient,
  { name, kind, cfg }: HostBreakerRef,
  outcome: HostOutcome,
  message: string | undefined,
  clientId: string,
): Promise<{ before: BreakerState | null; after: BreakerState | null }> {
  let rows: Array<{ before: BreakerState | null; after: BreakerState }>;
  if (outcome === 'failure') {
    // Read, decide, write under the row's lock: concurrent workers' failures are counted one after the other.
    return prisma.$transaction(async (tx) => {
      const created = await tx.$queryRaw<unknown[]>`
        INSERT INTO circuit_breakers (name, kind, state, failures, successes, probes, updated_at)
        VALUES (${name}, ${kind}, 'closed', 0, 0, 0, now()) ON CONFLICT (name) DO NOTHING RETURNING name`;
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
