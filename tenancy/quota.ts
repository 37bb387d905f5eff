import type { Env } from '../lib/env';
import type { Prisma, PrismaClient } from '../lib/prisma';

// The per-client hourly scan quota, counted in Postgres. Its one home: the API (api/services/rate-limit.service.ts)
// charges submissions with it and the worker (activities/scan-records.activity.ts) charges every scheduled run.

export interface RateLimitStatus {
  clientId: string;
  scansThisHour: number;
  limit: number;
  remaining: number;
  /** End of the current clock hour: the window the counts belong to. */
  resetTime: string;
  /** Where the limit comes from: a per-client override or MAX_SCANS_PER_HOUR. */
  source: 'override' | 'default';
}

export interface Grant {
  /** How many of the requested scans may be submitted (0..requested). */
  granted: number;
  status: RateLimitStatus;
  /** Seconds until the window resets (the Retry-After of a refusal). */
  retryAfterSeconds: number;
}

/** A PrismaClient or the client of an interactive transaction: a grant can be part of a bigger write. */
export type QuotaDb = Pick<PrismaClient, '$queryRaw'> | Prisma.TransactionClient;

const HOUR_MS = 3_600_000;
const hourStart = (now = Date.now()) => new Date(Math.floor(now / HOUR_MS) * HOUR_MS);

function statusOf(clientId: string, used: number, limit: number, source: RateLimitStatus['source'], windowStart: Date): RateLimitStatus {
  return {
    clientId,
    scansThisHour: used,
    limit,
    remaining: Math.max(0, limit - used),
    resetTime: new Date(windowStart.getTime() + HOUR_MS).toISOString(),
    source,
  };
}
const retryAfter = (windowStart: Date) => Math.max(1, Math.ceil((windowStart.getTime() + HOUR_MS - Date.now()) / 1000));

/**
 * Takes up to `requested` scans from the client's budget for this hour, atomically. A grant is one upsert on the
 * (client, hour) row: the row lock serialises concurrent submissions, and `last_grant` carries what this statement
 * granted (SET expressions see the row as it was before the update).
 */
export async function consumeQuota(db: QuotaDb, defaultLimit: number, clientId: string, requested: number): Promise<Grant> {
  const windowStart = hourStart();
  const [row] = await db.$queryRaw<Array<{ used: number; last_grant: number; lim: number; source: string }>>`
    WITH lim AS (
      SELECT COALESCE((SELECT scans_per_hour FROM client_rate_limits WHERE client_id = ${clientId}), ${defaultLimit}::int) AS n,
             EXISTS (SELECT 1 FROM client_rate_limits WHERE client_id = ${clientId}) AS overridden
    )
    INSERT INTO rate_limit_windows AS w (client_id, window_start, used, last_grant)
    SELECT ${clientId}, ${windowStart}, LEAST(${requested}::int, lim.n), LEAST(${requested}::int, lim.n) FROM lim
    ON CONFLICT (client_id, window_start) DO UPDATE SET
      last_grant = GREATEST(0, LEAST(${requested}::int, (SELECT n FROM lim) - w.used)),
      used = w.used + GREATEST(0, LEAST(${requested}::int, (SELECT n FROM lim) - w.used))
    RETURNING w.used, w.last_grant, (SELECT n FROM lim) AS lim,
              CASE WHEN (SELECT overridden FROM lim) THEN 'override' ELSE 'default' END AS source`;
  return {
    granted: row.last_grant,
    status: statusOf(clientId, row.used, row.lim, row.source as RateLimitStatus['source'], windowStart),
    retryAfterSeconds: retryAfter(windowStart),
  };
}

/** The message of a refusal, shared by the API's 429 and the record of a refused scheduled run. */
export const quotaRefusalMessage = (status: RateLimitStatus): string =>
  `scan limit reached: ${status.limit} scans per hour for client ${status.clientId}; resets at ${status.resetTime}`;

/** Scans per client per clock hour, counted in Postgres so every API instance and worker draws from one budget. */
export function createRateLimitService(deps: { prisma: PrismaClient; env: Pick<Env, 'MAX_SCANS_PER_HOUR'> }) {
  const { prisma, env } = deps;

  return {
    /** Takes up to `requested` scans from the client's budget for this hour, atomically. */
    async consume(clientId: string, requested: number): Promise<Grant> {
      // Old windows are never read again; about one submission in 500 clears them (no scheduler needed).
      if (Math.random() < 0.002) void this.prune().catch(() => undefined);
      return consumeQuota(prisma, env.MAX_SCANS_PER_HOUR, clientId, requested);
    },

    /** Gives back scans granted but never started (Temporal refused the start). */
    async refund(clientId: string, count: number): Promise<void> {
      if (count <= 0) return;
      await prisma.$executeRaw`
        UPDATE rate_limit_windows SET used = GREATEST(0, used - ${count}::int)
        WHERE client_id = ${clientId} AND window_start = ${hourStart()}`;
    },

    async status(clientId: string): Promise<RateLimitStatus> {
      const windowStart = hourStart();
      const [override, window] = await Promise.all([
        prisma.clientRateLimit.findUnique({ where: { clientId } }),
        prisma.rateLimitWindow.findUnique({ where: { clientId_windowStart: { clientId, windowStart } } }),
      ]);
      const limit = override?.scansPerHour ?? env.MAX_SCANS_PER_HOUR;
      return statusOf(clientId, window?.used ?? 0, limit, override ? 'override' : 'default', windowStart);
    },

    /** Sets (a number) or removes (null) the client's override of MAX_SCANS_PER_HOUR. */
    async setLimit(clientId: string, scansPerHour: number | null): Promise<RateLimitStatus> {
      if (scansPerHour === null) await prisma.clientRateLimit.deleteMany({ where: { clientId } });
      else {
        await prisma.clientRateLimit.upsert({ where: { clientId }, create: { clientId, scansPerHour }, update: { scansPerHour } });
      }
      return this.status(clientId);
    },

    /** Windows older than a day are never read again. */
    async prune(): Promise<number> {
      return prisma.rateLimitWindow
        .deleteMany({ where: { windowStart: { lt: new Date(Date.now() - 24 * HOUR_MS) } } })
        .then((r) => r.count);
    },
  };
}
export type RateLimitService = ReturnType<typeof createRateLimitService>;
