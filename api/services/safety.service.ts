import { createTtlCache } from '../../lib/async';
import type { Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import { apiMetrics } from '../../lib/metrics';
import { breakerClientId, type BreakerState } from '../../lib/circuit-breakers';
import type { PrismaClient } from '../../lib/prisma';
import { addRejectionCount } from '../../monitoring/rejections';
import type { TemporalBreaker } from './temporal-breaker';

export interface BreakerReport {
  name: string;
  /** `host`: a target host's shared breaker; `host_client`: one client's own breaker for a host. */
  kind: 'temporal' | 'host' | 'host_client' | string;
  /** `host_client` breakers: the client whose scans of the host it pauses. */
  clientId?: string;
  state: BreakerState | string;
  failures: number;
  openedAt: string | null;
  /** When an open breaker lets its next trial calls through. */
  halfOpenAt: string | null;
  lastError: string | null;
  updatedAt: string;
}

export interface SafetyReport {
  limits: {
    MAX_SCAN_TIME: number;
    MAX_MEMORY_MB: number;
    MAX_CONCURRENT_SCANS: number;
    MAX_SCANS_PER_HOUR: number;
    MAX_URL_LENGTH: number;
    API_BODY_LIMIT: string;
    API_BULK_BODY_LIMIT: string;
    API_RATE_LIMIT_PER_KEY: number;
    API_RATE_LIMIT_PER_IP: number;
    PAGE_MAX_HEAP_MB: number;
    clientOverrides: number;
  };
  /** Requests (and bulk items) refused by the safety layer, per reason: last 24 h and all time. */
  rejections: { last24h: Record<string, number>; total: Record<string, number> };
  /** Page attempts ended by a limit or a dead browser, per category (timeout, memory, killed, crash), last 24 h. */
  kills: { timeout: number; memory: number; killed: number; crash: number };
  /** Requests the SSRF guard refused during scans (scan_results.blocked_requests), and scans refused outright. */
  /**
   * `hostsRefusingScanner`: hosts whose shared breaker is not closed (every client's scans wait);
   * `clientHostBreakersNotClosed`: (client, host) pairs whose client's own breaker is not closed (that client waits).
   */
  blockedTargets: {
    requestsLast24h: number;
    scansWithBlockedRequests: number;
    scansFailedBlockedTarget: number;
    hostsRefusingScanner: number;
    clientHostBreakersNotClosed: number;
  };
  /**
   * Every shared breaker (`temporal`, `host:<host>`; at most 200), then the clients' own host breakers that are not
   * closed or have a failure streak (`host:<host>#client:<clientId>`; open first, at most 200).
   */
  circuitBreakers: BreakerReport[];
  breakerConfig: { failureThreshold: number; successThreshold: number; timeoutMs: number };
  asOf: string;
}

/** Rejection reasons, counted per hour in safety_rejections: what /safety reports and metrics export. */
export type RejectionReason =
  'rate_limited' | 'abuse_limited' | 'invalid_url' | 'blocked_target' | 'body_too_large' | 'invalid_request' | 'temporal_unavailable';

/** Adds to the durable per-hour counters; never fails the request it belongs to. */
export async function recordRejections(
  prisma: PrismaClient,
  counts: Partial<Record<RejectionReason, number>>,
  logger?: Logger,
): Promise<void> {
  const metrics = apiMetrics();
  for (const [reason, n] of Object.entries(counts)) {
    if (!n) continue;
    metrics.rejections.inc({ reason }, n);
    await addRejectionCount(prisma, reason, n).catch((err: unknown) => logger?.warn({ err, reason }, 'could not count a rejection'));
  }
}

/** Bulk item reasons ("url: ...", "rate_limited: ...") → counter reasons. */
export function rejectionReasons(items: Array<{ reason: string }>): Partial<Record<RejectionReason, number>> {
  const out: Partial<Record<RejectionReason, number>> = {};
  for (const { reason } of items) {
    const key: RejectionReason = reason.startsWith('rate_limited')
      ? 'rate_limited'
      : /blocked|private|not allowed/i.test(reason)
        ? 'blocked_target'
        : reason.startsWith('url:')
          ? 'invalid_url'
          : 'invalid_request';
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const KILL_KINDS = ['timeout', 'memory', 'killed', 'crash'] as const;

/** Everything the safety layer enforces and what it refused; GET /api/monitoring/safety. */
export async function getSafetyReport(deps: { prisma: PrismaClient; env: Env; temporalBreaker?: TemporalBreaker }): Promise<SafetyReport> {
  const { env, prisma } = deps;
  const since = new Date(Date.now() - 24 * 3_600_000);
  const [shared, perClient, clientNotClosed, overrides, recent, total, kills, blocked, failedBlocked] = await Promise.all([
    prisma.circuitBreaker.findMany({ where: { kind: { not: 'host_client' } }, orderBy: [{ kind: 'desc' }, { name: 'asc' }], take: 200 }),
    prisma.circuitBreaker.findMany({
      where: { kind: 'host_client', NOT: { state: 'closed', failures: 0 } },
      orderBy: [{ state: 'desc' }, { name: 'asc' }],
      take: 200,
    }),
    prisma.circuitBreaker.count({ where: { kind: 'host_client', state: { not: 'closed' } } }),
    prisma.clientRateLimit.count(),
    prisma.safetyRejection.groupBy({ by: ['reason'], where: { hour: { gte: since } }, _sum: { count: true } }),
    prisma.safetyRejection.groupBy({ by: ['reason'], _sum: { count: true } }),
    prisma.scanAttempt.groupBy({
      by: ['category'],
      where: { createdAt: { gte: since }, category: { in: [...KILL_KINDS] } },
      _count: { _all: true },
    }),
    prisma.$queryRaw<Array<{ requests: number; scans: number }>>`
      SELECT COALESCE(SUM(jsonb_array_length(blocked_requests)), 0)::int AS requests,
             COUNT(*) FILTER (WHERE jsonb_array_length(blocked_requests) > 0)::int AS scans
      FROM scan_results WHERE created_at >= ${since}`,
    prisma.scan.count({ where: { failureReason: 'blocked_target', createdAt: { gte: since } } }),
  ]);
  const sums = (rows: Array<{ reason: string; _sum: { count: number | null } }>) =>
    Object.fromEntries(rows.map((r) => [r.reason, r._sum.count ?? 0]));
  const killCounts = { timeout: 0, memory: 0, killed: 0, crash: 0 };
  for (const k of kills) killCounts[k.category as keyof typeof killCounts] = k._count._all;

  const report: BreakerReport[] = [...shared, ...perClient].map((b) => ({
    name: b.name,
    kind: b.kind,
    ...(b.kind === 'host_client' && { clientId: breakerClientId(b.name) ?? undefined }),
    state: b.state,
    failures: b.failures,
    openedAt: b.openedAt?.toISOString() ?? null,
    halfOpenAt: b.state === 'open' && b.openedAt ? new Date(b.openedAt.getTime() + env.BREAKER_TIMEOUT).toISOString() : null,
    lastError: b.lastError,
    updatedAt: b.updatedAt.toISOString(),
  }));
  return withOwnBreaker(env, deps.temporalBreaker, {
    limits: {
      MAX_SCAN_TIME: env.MAX_SCAN_TIME,
      MAX_MEMORY_MB: env.MAX_MEMORY_MB,
      MAX_CONCURRENT_SCANS: env.MAX_CONCURRENT_PAGES,
      MAX_SCANS_PER_HOUR: env.MAX_SCANS_PER_HOUR,
      MAX_URL_LENGTH: env.MAX_URL_LENGTH,
      API_BODY_LIMIT: env.API_BODY_LIMIT,
      API_BULK_BODY_LIMIT: env.API_BULK_BODY_LIMIT,
      API_RATE_LIMIT_PER_KEY: env.API_RATE_LIMIT_PER_KEY,
      API_RATE_LIMIT_PER_IP: env.API_RATE_LIMIT_PER_IP,
      PAGE_MAX_HEAP_MB: env.PAGE_MAX_HEAP_MB,
      clientOverrides: overrides,
    },
    rejections: { last24h: sums(recent), total: sums(total) },
    kills: killCounts,
    blockedTargets: {
      requestsLast24h: blocked[0]?.requests ?? 0,
      scansWithBlockedRequests: blocked[0]?.scans ?? 0,
      scansFailedBlockedTarget: failedBlocked,
      hostsRefusingScanner: report.filter((b) => b.kind === 'host' && b.state !== 'closed').length,
      clientHostBreakersNotClosed: clientNotClosed,
    },
    circuitBreakers: report,
    breakerConfig: {
      failureThreshold: env.BREAKER_FAILURE_THRESHOLD,
      successThreshold: env.BREAKER_SUCCESS_THRESHOLD,
      timeoutMs: env.BREAKER_TIMEOUT,
    },
    asOf: new Date().toISOString(),
  });
}

/**
 * This API instance's own Temporal breaker is authoritative for it, even before its first transition is stored:
 * merged into a copy of the breaker list, so a cached report is never changed.
 */
function withOwnBreaker(env: Env, temporalBreaker: TemporalBreaker | undefined, report: SafetyReport): SafetyReport {
  const own = temporalBreaker?.state();
  if (!own) return report;
  const breakers = [...report.circuitBreakers];
  const i = breakers.findIndex((b) => b.name === own.name);
  const halfOpenAt = own.state === 'open' && own.openedAt ? new Date(Date.parse(own.openedAt) + env.BREAKER_TIMEOUT).toISOString() : null;
  const merged = { name: own.name, kind: 'temporal', state: own.state, failures: own.failures, openedAt: own.openedAt, halfOpenAt };
  if (i >= 0) breakers[i] = { ...breakers[i], ...merged };
  else breakers.unshift({ ...merged, lastError: null, updatedAt: new Date().toISOString() });
  return { ...report, circuitBreakers: breakers };
}

/**
 * How long the stored part of the safety report (nine queries) is shared: /safety, /dashboard and the Web UI
 * dashboard poll it, and under load every poll would otherwise repeat the same nine round trips. README "Monitoring".
 */
export const SAFETY_CACHE_MS = 1_000;

/**
 * The safety report with its stored part read at most once per SAFETY_CACHE_MS (concurrent callers share the read
 * in flight); this instance's own Temporal breaker is merged fresh into every answer.
 */
export function createSafetyReporter(deps: {
  prisma: PrismaClient;
  env: Env;
  temporalBreaker?: TemporalBreaker;
}): () => Promise<SafetyReport> {
  const cache = createTtlCache();
  const stored = () => cache.get('safety', SAFETY_CACHE_MS, () => getSafetyReport({ prisma: deps.prisma, env: deps.env }));
  return async () => withOwnBreaker(deps.env, deps.temporalBreaker, await stored());
}
