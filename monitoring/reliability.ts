// GET /api/monitoring/reliability?days=N: scans that ended in the last N days (UTC days), from Postgres.
// Two grouped queries through the finished_at index; the summary is the sum of the daily rows.
import { Prisma, type PrismaClient } from '../lib/prisma';
import { percent, recommendationsFor, successRate } from './thresholds';

export interface ReliabilityCounts {
  totalScans: number;
  successfulScans: number;
  failedScans: number;
  cancelledScans: number;
  /** completed / (completed + failed); cancelled scans do not count. */
  successRate: string | null;
  averageScore: number | null;
  averageScanTime: number | null;
}

export interface ReliabilityDay extends ReliabilityCounts {
  date: string;
}

export interface ReliabilityReport {
  period: string;
  since: string;
  summary: ReliabilityCounts;
  failureAnalysis: { reasons: Record<string, number>; recommendations: Record<string, string> };
  daily: ReliabilityDay[];
  asOf: string;
}

interface DayRow {
  day: Date;
  completed: number;
  failed: number;
  cancelled: number;
  scoreSum: number | null;
  scoreN: number;
  durationSum: number | null;
  durationN: number;
}

const avg = (sum: number | null, n: number, digits = 0) => (n === 0 || sum === null ? null : Number((sum / n).toFixed(digits)));

/** Sums any number of day rows (one for a day, all of them for the summary) into the reported numbers. */
function countsOf(rows: DayRow[]): ReliabilityCounts {
  const total = (k: keyof DayRow) => rows.reduce((n, r) => n + Number(r[k] ?? 0), 0);
  const [completed, failed, cancelled] = [total('completed'), total('failed'), total('cancelled')];
  return {
    totalScans: completed + failed + cancelled,
    successfulScans: completed,
    failedScans: failed,
    cancelledScans: cancelled,
    successRate: percent(successRate(completed, failed)),
    averageScore: avg(total('scoreSum'), total('scoreN'), 1),
    averageScanTime: avg(total('durationSum'), total('durationN')),
  };
}

/** Pure: daily rows + failure reasons → the report (unit-tested). */
export function reliabilityFrom(
  days: number,
  since: Date,
  rows: DayRow[],
  reasons: Record<string, number>,
  now = new Date(),
): ReliabilityReport {
  return {
    period: `Last ${days} day${days === 1 ? '' : 's'}`,
    since: since.toISOString(),
    summary: countsOf(rows),
    failureAnalysis: { reasons, recommendations: recommendationsFor(reasons) },
    daily: rows.map((r) => ({ date: r.day.toISOString().slice(0, 10), ...countsOf([r]) })),
    asOf: now.toISOString(),
  };
}

export async function reliabilityReport(prisma: PrismaClient, days: number, now = new Date()): Promise<ReliabilityReport> {
  const since = new Date(now.getTime() - days * 24 * 3600_000);
  const [rows, reasonRows] = await Promise.all([
    prisma.$queryRaw<DayRow[]>(Prisma.sql`
      SELECT date_trunc('day', finished_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS day,
             count(*) FILTER (WHERE status = 'completed')::int AS completed,
             count(*) FILTER (WHERE status = 'failed')::int AS failed,
             count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
             sum(score) FILTER (WHERE status = 'completed')::float8 AS "scoreSum",
             count(score) FILTER (WHERE status = 'completed')::int AS "scoreN",
             sum(duration_ms) FILTER (WHERE status = 'completed')::float8 AS "durationSum",
             count(duration_ms) FILTER (WHERE status = 'completed')::int AS "durationN"
      FROM scans WHERE finished_at >= ${since}
      GROUP BY 1 ORDER BY 1`),
    prisma.$queryRaw<Array<{ reason: string | null; n: number }>>(Prisma.sql`
      SELECT failure_reason AS reason, count(*)::int AS n
      FROM scans WHERE finished_at >= ${since} AND status = 'failed'
      GROUP BY 1 ORDER BY 2 DESC`),
  ]);
  const reasons = Object.fromEntries(reasonRows.map((r) => [r.reason ?? 'internal', r.n]));
  return reliabilityFrom(days, since, rows, reasons, now);
}
