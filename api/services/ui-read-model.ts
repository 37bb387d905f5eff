// The Web UI's read models: the bounded queries behind its pages that the API's services do not have (chart
// buckets, active scans, full violation nodes, screenshots). Who may see what is decided by the callers through
// ./access (api/ui/ui.service.ts checks the scan or prospect first).
import { taskQueuePrefixOf, type Env } from '../../lib/env';
import { Prisma, type PrismaClient } from '../../lib/prisma';
import { isUuid } from '../../lib/ids';

export const RANGES = {
  '24h': { ms: 86_400_000, bucket: 'hour' },
  '7d': { ms: 7 * 86_400_000, bucket: 'hour' },
  '30d': { ms: 30 * 86_400_000, bucket: 'day' },
} as const;
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

/** Memory-chart bucket widths (s): the smallest that keeps a range at or under MEMORY_MAX_POINTS per worker. */
const MEMORY_BUCKETS_S = [60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 86_400];
export const MEMORY_MAX_POINTS = 500;
/** How far back health reports go (the health check deletes older snapshots: activities/health-check.activity.ts). */
const MEMORY_HISTORY_MS = 7 * 86_400_000;
export const memoryBucketSeconds = (rangeMs: number) =>
  MEMORY_BUCKETS_S.find((s) => rangeMs / 1000 / s <= MEMORY_MAX_POINTS) ?? MEMORY_BUCKETS_S[MEMORY_BUCKETS_S.length - 1];

export interface UiReadModelDeps {
  env: Env;
  prisma: PrismaClient;
  /** The deployment whose health snapshots the memory chart reads (as the health service): TEMPORAL_TASK_QUEUE_PREFIX. */
  taskQueuePrefix?: string;
}

export function createUiReadModel(deps: UiReadModelDeps) {
  const { prisma } = deps;

  async function activeScans() {
    const rows = await prisma.scan.findMany({
      where: { status: { in: ['queued', 'running'] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 50,
      select: {
        id: true,
        url: true,
        clientId: true,
        stage: true,
        status: true,
        attempts: true,
        createdAt: true,
        startedAt: true,
        workflowId: true,
        queue: true,
      },
    });
    return rows;
  }

  /** Finished scans per bucket (hour or day) with p50/p95 duration: one grouped query on the finished_at index. */
  async function charts(range: RangeKey) {
    const { ms, bucket } = RANGES[range];
    const since = new Date(Date.now() - ms);
    const unit = Prisma.raw(`'${bucket}'`);
    const [buckets, failures] = await Promise.all([
      prisma.$queryRaw<
        Array<{ at: Date; total: number; completed: number; failed: number; cancelled: number; p50: number | null; p95: number | null }>
      >`
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
    const prefix = taskQueuePrefixOf(deps);
    const points = await prisma.$queryRaw<Array<{ at: Date; identity: string; mb: number }>>`
      SELECT to_timestamp(floor(extract(epoch FROM s.created_at) / ${bucketSeconds}) * ${bucketSeconds}) AS at,
        w->>'identity' AS identity,
        round(avg(coalesce((w->'browser'->'chromiumMemoryMb'->>'pss')::float8, 0) + coalesce((w->'process'->>'rssMb')::float8, 0)))::int AS mb
      FROM health_snapshots s, jsonb_array_elements(coalesce(s.report->'workers', '[]'::jsonb)) w
      WHERE s.task_queue_prefix = ${prefix} AND s.created_at >= ${since} AND w->>'state' = 'running'
      GROUP BY 1, 2 ORDER BY 1, 2`;
    return { since, bucketSeconds, points };
  }

  /** Rules that passed, from the stored raw axe result (for EARL); only ids and help. */
  async function passedRules(scanId: string) {
    const rows = await prisma.$queryRaw<Array<{ id: string; help: string | null; help_url: string | null }>>`
      SELECT p->>'id' AS id, p->>'help' AS help, p->>'helpUrl' AS help_url
      FROM scan_results r, jsonb_array_elements(coalesce(r.raw->'passes', '[]'::jsonb)) p
      WHERE r.scan_id = ${scanId}::uuid`;
    return rows.map((r) => ({ id: r.id, help: r.help ?? undefined, helpUrl: r.help_url ?? undefined }));
  }

  /** Every rule row (violations and needs-review) of one scan, with its full nodes. */
  const ruleRows = (scanId: string) => prisma.scanViolation.findMany({ where: { scanId }, orderBy: [{ kind: 'desc' }, { ruleId: 'asc' }] });

  /** The violation rows of these scans. */
  const violationRows = (scanIds: string[]) =>
    scanIds.length ? prisma.scanViolation.findMany({ where: { scanId: { in: scanIds }, kind: 'violation' } }) : Promise.resolve([]);

  return {
    activeScans,
    charts,
    passedRules,
    ruleRows,
    violationRows,

    /** The screenshot's size and highlight boxes, or null. */
    screenshotBoxes: (scanId: string) =>
      prisma.scanScreenshot.findUnique({ where: { scanId }, select: { width: true, height: true, boxes: true } }),

    /** The screenshot with the client of its scan (for the caller's access check), or null. */
    async screenshotWithClient(scanId: string) {
      if (!isUuid(scanId)) return null;
      return prisma.scanScreenshot.findUnique({ where: { scanId }, include: { scan: { select: { clientId: true } } } });
    },

    /** One scan of a prospect, of `clientId` when given (a client key's scope), or null. */
    async prospectScan(scanId: string, prospectId: string, clientId: string | undefined) {
      if (!isUuid(scanId)) return null;
      return prisma.scan.findFirst({
        where: { id: scanId, prospectId, clientId },
        select: { id: true, url: true, status: true, score: true, inconclusive: true, createdAt: true, finishedAt: true },
      });
    },
  };
}
export type UiReadModel = ReturnType<typeof createUiReadModel>;
