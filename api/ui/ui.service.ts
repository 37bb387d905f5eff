// The data behind the Web UI pages. Reuses the API's services (scans, queue monitoring, prospects, safety) and
// adds only the bounded queries they do not have: chart buckets, active scans, full violation nodes.
import type { Client } from '@temporalio/client';
import type { Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import { Prisma, type PrismaClient } from '../../lib/prisma';
import type { Principal } from '../services/api-key.service';
import type { HealthMonitoringService } from '../services/health-monitoring.service';
import type { ProspectService } from '../services/prospect.service';
import type { QueueMonitoringService } from '../services/queue-monitoring.service';
import type { ScanService } from '../services/scan.service';
import { getSafetyReport } from '../services/safety.service';
import { canAccessClient, scopeOf } from '../services/access';
import { diffIssues, issuesOf, type IssueDiff, type ReportRule } from './report';
import { isUuid } from '../../lib/ids';

export interface UiDeps {
  env: Env;
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  scans: ScanService;
  monitoring: QueueMonitoringService;
  prospects: ProspectService;
  health: HealthMonitoringService;
  /** The deployment whose health snapshots the memory chart reads (as the health service): TEMPORAL_TASK_QUEUE_PREFIX. */
  taskQueuePrefix?: string;
}

export const RANGES = { '24h': { ms: 86_400_000, bucket: 'hour' }, '7d': { ms: 7 * 86_400_000, bucket: 'hour' }, '30d': { ms: 30 * 86_400_000, bucket: 'day' } } as const;
export type RangeKey = keyof typeof RANGES;
export const isRange = (s: unknown): s is RangeKey => typeof s === 'string' && s in RANGES;

export interface Bucket {
  at: Date;
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  p50: number | null;
  p95: number | null;
}

export type Section<T> = { ok: true; value: T } | { ok: false; message: string };

/** Memory-chart bucket widths (s): the smallest that keeps a range at or under MEMORY_MAX_POINTS per worker. */
const MEMORY_BUCKETS_S = [60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 86_400];
export const MEMORY_MAX_POINTS = 500;
/** How far back health reports go (the health check deletes older snapshots: activities/health-check.activity.ts). */
const MEMORY_HISTORY_MS = 7 * 86_400_000;
export const memoryBucketSeconds = (rangeMs: number) =>
  MEMORY_BUCKETS_S.find((s) => rangeMs / 1000 / s <= MEMORY_MAX_POINTS) ?? MEMORY_BUCKETS_S[MEMORY_BUCKETS_S.length - 1];

/** The services answer "absent, or not this principal's" with a 404; a page answers it with none. */
function absentAsNull<T>(lookup: Promise<T>): Promise<T | null> {
  return lookup.catch((err: { status?: number }) => {
    if (err.status === 404) return null;
    throw err;
  });
}

export function createUiService(deps: UiDeps) {
  const { env, prisma, scans, monitoring, prospects, logger, health } = deps;
  const temporalUiUrl = (workflowId: string) =>
    `${env.TEMPORAL_UI_URL}/namespaces/${encodeURIComponent(env.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;

  /** One dashboard region: its failure is shown in place ("not available"), never fails the page. */
  async function section<T>(name: string, fn: () => Promise<T>): Promise<Section<T>> {
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      logger.warn({ err, section: name }, 'dashboard section unavailable');
      return { ok: false, message: `${name} not available` };
    }
  }

  const COMPONENTS = { database: 'Database', queue: 'Temporal and queues', puppeteer: 'Browsers', workers: 'Workers' } as const;

  /** The monitoring layer's health report (api/services/health-monitoring.service.ts), one line per component. */
  async function componentHealth() {
    const report = await health.health();
    return {
      status: report.status,
      components: (Object.keys(COMPONENTS) as Array<keyof typeof COMPONENTS>).map((k) => ({
        component: COMPONENTS[k],
        status: report.components[k].status,
        message: report.components[k].message,
      })),
    };
  }

  async function activeScans() {
    const rows = await prisma.scan.findMany({
      where: { status: { in: ['queued', 'running'] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 50,
      select: { id: true, url: true, clientId: true, stage: true, status: true, attempts: true, createdAt: true, startedAt: true, workflowId: true, queue: true },
    });
    return rows.map((r) => ({ ...r, temporalUiUrl: temporalUiUrl(r.workflowId) }));
  }

  /** Finished scans per bucket (hour or day) with p50/p95 duration: one grouped query on the finished_at index. */
  async function charts(range: RangeKey) {
    const { ms, bucket } = RANGES[range];
    const since = new Date(Date.now() - ms);
    const unit = Prisma.raw(`'${bucket}'`);
    const [buckets, failures] = await Promise.all([
      prisma.$queryRaw<Array<{ at: Date; total: number; completed: number; failed: number; cancelled: number; p50: number | null; p95: number | null }>>`
        SELECT date_trunc(${unit}, finished_at) AS at, count(*)::int AS total,
          count(*) FILTER (WHERE status = 'completed')::int AS completed,
          count(*) FILTER (WHERE status = 'failed')::int AS failed,
          count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
          percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
        FROM scans WHERE finished_at >= ${since}
        GROUP BY 1 ORDER BY 1`,
      prisma.$queryRaw<Array<{ at: Date; category: string; n: number }>>`
        SELECT date_trunc(${unit}, finished_at) AS at, coalesce(failure_reason, 'unknown') AS category, count(*)::int AS n
        FROM scans WHERE finished_at >= ${since} AND status = 'failed'
        GROUP BY 1, 2 ORDER BY 1`,
    ]);
    return { range, bucket, since, buckets: buckets as Bucket[], failures, memory: await memoryPerWorker(since, ms) };
  }

  /**
   * Memory per worker over time (its Chromium PSS plus its own RSS, as the health report's memoryUsageMB), from the
   * workers in each minute's stored health report (health_snapshots, kept 7 days): averaged per worker in buckets
   * sized so a range has at most MEMORY_MAX_POINTS points per worker, in SQL. A longer range shows the 7 days kept.
   */
  async function memoryPerWorker(rangeSince: Date, rangeMs: number) {
    const bucketSeconds = memoryBucketSeconds(Math.min(rangeMs, MEMORY_HISTORY_MS));
    const since = new Date(Math.max(rangeSince.getTime(), Date.now() - MEMORY_HISTORY_MS));
    const prefix = deps.taskQueuePrefix ?? env.TEMPORAL_TASK_QUEUE_PREFIX;
    const points = await prisma.$queryRaw<Array<{ at: Date; identity: string; mb: number }>>`
      SELECT to_timestamp(floor(extract(epoch FROM s.created_at) / ${bucketSeconds}) * ${bucketSeconds}) AS at,
        w->>'identity' AS identity,
        round(avg(coalesce((w->'browser'->'chromiumMemoryMb'->>'pss')::float8, 0) + coalesce((w->'process'->>'rssMb')::float8, 0)))::int AS mb
      FROM health_snapshots s, jsonb_array_elements(coalesce(s.report->'workers', '[]'::jsonb)) w
      WHERE s.task_queue_prefix = ${prefix} AND s.created_at >= ${since} AND w->>'state' = 'running'
      GROUP BY 1, 2 ORDER BY 1, 2`;
    return { since, bucketSeconds, points };
  }

  /** The API's rule (scans.visibleTo) with the pages' answer for a scan this principal may not see: none. */
  const visibleScan = (scanId: string, principal: Principal) => absentAsNull(scans.visibleTo(scanId, principal));

  return {
    temporalUiUrl,

    logError(err: unknown, path: string) {
      logger.error({ err, path }, 'ui page failed');
    },

    /** A client's start page: its 50 newest scans (the scans service's list). */
    async recentScans(clientId: string) {
      const { scans: rows } = await scans.list({ clientId, limit: 50 } as Parameters<ScanService['list']>[0]);
      return rows;
    },

    async dashboard(range: RangeKey) {
      const [healthS, queueS, activeS, workersS, alertsS, breakersS, chartsS] = await Promise.all([
        section('component health', componentHealth),
        section('queue statistics', () => monitoring.stats({ window: { text: range, ms: RANGES[range].ms } })),
        section('active scans', activeScans),
        section('worker telemetry', async () => (await health.puppeteer()).workers),
        section('alerts', async () => (await health.alerts({ limit: 10 })).alerts),
        section('circuit breakers', async () => (await getSafetyReport({ prisma, env })).circuitBreakers),
        section('charts', () => charts(range)),
      ]);
      return { range, health: healthS, queues: queueS, active: activeS, workers: workersS, alerts: alertsS, breakers: breakersS, charts: chartsS, asOf: new Date() };
    },

    failed: monitoring.failed,
    retry: monitoring.retry,

    /** The scan if this principal may see it (another client's scan is absent), with its full rules. */
    async report(scanId: string, principal: Principal) {
      const scan = await visibleScan(scanId, principal);
      if (!scan) return null;
      const [rules, shot] = await Promise.all([
        rulesOf(scan.scanId),
        prisma.scanScreenshot.findUnique({ where: { scanId: scan.scanId }, select: { width: true, height: true, boxes: true } }),
      ]);
      return { scan, rules, screenshot: shot };
    },

    /** Rules that passed, from the stored raw axe result (for EARL); only ids and help. */
    async passedRules(scanId: string) {
      const rows = await prisma.$queryRaw<Array<{ id: string; help: string | null; help_url: string | null }>>`
        SELECT p->>'id' AS id, p->>'help' AS help, p->>'helpUrl' AS help_url
        FROM scan_results r, jsonb_array_elements(coalesce(r.raw->'passes', '[]'::jsonb)) p
        WHERE r.scan_id = ${scanId}::uuid`;
      return rows.map((r) => ({ id: r.id, help: r.help ?? undefined, helpUrl: r.help_url ?? undefined }));
    },

    async screenshot(scanId: string, principal: Principal) {
      if (!isUuid(scanId)) return null;
      const shot = await prisma.scanScreenshot.findUnique({ where: { scanId }, include: { scan: { select: { clientId: true } } } });
      if (!shot || !canAccessClient(principal, shot.scan.clientId)) return null;
      return shot;
    },

    async cancel(scanId: string, principal: Principal) {
      const scan = await visibleScan(scanId, principal);
      if (!scan) return null;
      await scans.cancel(scan.scanId, scan.status);
      return scan;
    },

    /** Prospect history: its scans and trend (prospect service), and per re-scan new / fixed / still open. */
    async prospect(id: string, principal: Principal) {
      const history = await absentAsNull(prospects.history(id, principal, 50));
      if (!history) return null;
      const prospect = await prospects.get(id, principal);
      // Diffs for the newest 10 completed scans (each against the completed one before it).
      const completed = history.scans.filter((s) => s.status === 'completed').slice(0, 11);
      const issues = await issuesByScan(completed.map((s) => s.scanId));
      const diffs: Array<{ scanId: string; previousId: string; finishedAt: Date | null; diff: IssueDiff }> = [];
      for (let i = 0; i < completed.length - 1; i++) {
        const cur = completed[i];
        const prev = completed[i + 1];
        diffs.push({ scanId: cur.scanId, previousId: prev.scanId, finishedAt: cur.finishedAt, diff: diffIssues(issues.get(prev.scanId) ?? new Map(), issues.get(cur.scanId) ?? new Map()) });
      }
      const latest = completed[0] ? [...(issues.get(completed[0].scanId)?.values() ?? [])] : [];
      return { prospect, history, diffs, latestIssues: latest };
    },

    /** Two scans of one prospect side by side: `b` against `a`. */
    async compare(prospectId: string, a: string, b: string, principal: Principal) {
      const history = await absentAsNull(prospects.history(prospectId, principal, 50));
      if (!history) return null;
      const ids = new Set(history.scans.map((s) => s.scanId));
      const known = async (id: string) => {
        if (ids.has(id)) return history.scans.find((s) => s.scanId === id) ?? null;
        if (!isUuid(id)) return null;
        // Older than the 50 shown: still this prospect's (and this client's) scan?
        const s = await prisma.scan.findFirst({
          where: { id, prospectId: history.prospectId, clientId: scopeOf(principal) },
          select: { id: true, url: true, status: true, score: true, inconclusive: true, createdAt: true, finishedAt: true },
        });
        return s ? { scanId: s.id, ...s } : null;
      };
      const [sa, sb] = await Promise.all([known(a), known(b)]);
      if (!sa || !sb) return { history, a: sa, b: sb, diff: null };
      const issues = await issuesByScan([sa.scanId, sb.scanId]);
      return { history, a: sa, b: sb, diff: diffIssues(issues.get(sa.scanId) ?? new Map(), issues.get(sb.scanId) ?? new Map()) };
    },
  };

  async function rulesOf(scanId: string): Promise<ReportRule[]> {
    const rows = await prisma.scanViolation.findMany({ where: { scanId }, orderBy: [{ kind: 'desc' }, { ruleId: 'asc' }] });
    return rows.map((r) => ({ ...r, nodes: r.nodes as unknown as ReportRule['nodes'] }));
  }

  async function issuesByScan(ids: string[]) {
    const rows = ids.length
      ? await prisma.scanViolation.findMany({ where: { scanId: { in: ids }, kind: 'violation' } })
      : [];
    const out = new Map<string, ReturnType<typeof issuesOf>>();
    for (const id of ids) out.set(id, issuesOf(rows.filter((r) => r.scanId === id).map((r) => ({ ...r, nodes: r.nodes as unknown as ReportRule['nodes'] }))));
    return out;
  }
}
export type UiService = ReturnType<typeof createUiService>;
