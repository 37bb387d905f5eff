import type { Prisma, PrismaClient } from '../lib/prisma';
import { consumeQuota, quotaRefusalMessage } from '../tenancy/quota';
import { FailureCategory, scanWorkflowId, type PageScanSummary, type ScanInput, type ScanStatus } from '../core/contracts';
import type { StoredRule } from '../core/scoring';
import { isUuid } from '../lib/ids';
import { addRejectionCount } from '../monitoring/rejections';

export interface RecordScanFinishedInput {
  scanId: string;
  status: Extract<ScanStatus, 'completed' | 'failed' | 'cancelled'>;
  summary?: PageScanSummary;
  failureReason?: FailureCategory;
  failureMessage?: string;
}

export interface StoredScanResult {
  scanId: string;
  axeVersion: string;
  finalUrl: string;
  httpStatus: number | null;
  pageTitle: string;
  blockedRequests: unknown[];
  raw: unknown;
  rules: StoredRule[];
  /** Audit scans: the page's links, DOM skeleton and content type (core/contracts AuditPageScan). */
  links?: string[];
  skeleton?: string;
  contentType?: string | null;
}

/** Replaces the stored result of a scan in one transaction, so a retried attempt never leaves duplicates. */
export async function saveScanResult(prisma: PrismaClient, r: StoredScanResult): Promise<void> {
  const raw = r.raw as Prisma.InputJsonValue;
  const blockedRequests = r.blockedRequests as Prisma.InputJsonValue;
  // What a retried attempt replaces; audit scans add their links, skeleton and content type.
  const fields = {
    axeVersion: r.axeVersion,
    finalUrl: r.finalUrl,
    httpStatus: r.httpStatus,
    pageTitle: r.pageTitle,
    blockedRequests,
    raw,
    links: r.links,
    skeleton: r.skeleton ?? null,
    contentType: r.contentType ?? null,
  };
  await prisma.$transaction([
    prisma.scanViolation.deleteMany({ where: { scanId: r.scanId } }),
    prisma.scanResult.upsert({
      where: { scanId: r.scanId },
      create: { scanId: r.scanId, ...fields },
      update: { ...fields, createdAt: new Date() },
    }),
    prisma.scanViolation.createMany({
      data: r.rules.map((rule) => ({ ...rule, scanId: r.scanId, nodes: rule.nodes as unknown as Prisma.InputJsonValue })),
    }),
  ]);
}

export interface CreateScheduledScanInput extends Omit<ScanInput, 'taskQueues' | 'retryInitialIntervalMs' | 'maxScanTimeMs'> {
  scheduleId: string;
  scheduledWorkflowId: string;
  /** Set by the patched scheduledScanWorkflow, which honours a refusal; older runs never charge. */
  chargeQuota?: boolean;
  /** The schedule was created with the admin key: not charged, like an admin submission. */
  quotaExempt?: boolean;
}

export interface CreateScheduledScanResult {
  targetHost: string;
  /** The client's hourly quota was spent: the scan row is recorded as failed and no scan runs. */
  refused?: { reason: typeof FailureCategory.RateLimited; message: string };
}

/**
 * A schedule's prospect, if it is still one of the client's: a schedule outlives the prospect it was made for, and
 * once that is deleted its runs are no longer filed under it.
 */
export async function prospectStillOwned(prisma: PrismaClient, prospectId: string | undefined, clientId: string): Promise<string | null> {
  if (!prospectId || !isUuid(prospectId)) return null;
  return (await prisma.prospect.count({ where: { id: prospectId, clientId } })) > 0 ? prospectId : null;
}

/** Postgres writes of the scan workflow; each is idempotent because Temporal may run it more than once. */
export function createScanRecordActivities(prisma: PrismaClient, opts: { maxScansPerHour: number }) {
  return {
    /**
     * The row for one firing of a schedule (the API creates the row of every other scan). A charged firing takes one
     * scan from the client's hourly quota in the same transaction as the row, so a retried attempt never charges
     * twice; a refused one is stored as a failed scan with reason `rate_limited` (visible in GET /api/scans).
     */
    async createScheduledScan(input: CreateScheduledScanInput): Promise<CreateScheduledScanResult> {
      const targetHost = new URL(input.url).hostname;
      // A schedule outlives the prospect it was made for: once that is deleted its runs are no longer filed under it
      // (scans.prospect_id references prospects, and deleting one clears it on the scans it already has).
      const prospectId = (await prospectStillOwned(prisma, input.prospectId, input.clientId)) ?? undefined;
      const data = {
        id: input.scanId,
        workflowId: scanWorkflowId(input.scanId),
        url: input.url,
        targetHost,
        clientId: input.clientId,
        prospectId,
        scheduleId: input.scheduleId,
        queue: input.queue,
        priority: input.priority,
        options: input.options as object,
      };
      if (!input.chargeQuota || input.quotaExempt) {
        await prisma.scan.upsert({ where: { id: input.scanId }, update: {}, create: data });
        return { targetHost };
      }
      return prisma.$transaction(async (tx) => {
        const existing = await tx.scan.findUnique({ where: { id: input.scanId }, select: { failureReason: true, failureMessage: true } });
        if (existing) {
          return existing.failureReason === FailureCategory.RateLimited
            ? { targetHost, refused: { reason: FailureCategory.RateLimited, message: existing.failureMessage ?? 'scan limit reached' } }
            : { targetHost };
        }
        const grant = await consumeQuota(tx, opts.maxScansPerHour, input.clientId, 1);
        if (grant.granted > 0) {
          await tx.scan.create({ data });
          return { targetHost };
        }
        const message = quotaRefusalMessage(grant.status);
        const now = new Date();
        await tx.scan.create({
          data: {
            ...data,
            status: 'failed',
            stage: 'done',
            finishedAt: now,
            durationMs: 0,
            failureReason: FailureCategory.RateLimited,
            failureMessage: message,
          },
        });
        // Counted with the API's refusals (GET /api/monitoring/safety, rejections.rate_limited).
        await addRejectionCount(tx, FailureCategory.RateLimited, 1, now);
        return { targetHost, refused: { reason: FailureCategory.RateLimited, message } };
      });
    },

    async recordScanStarted({ scanId }: { scanId: string }): Promise<void> {
      // Only a queued scan moves to running: a replayed or late call never reopens a terminal scan.
      await prisma.scan.updateMany({
        where: { id: scanId, status: 'queued' },
        data: { status: 'running', stage: 'waiting', startedAt: new Date() },
      });
    },

    async recordScanFinished(input: RecordScanFinishedInput): Promise<void> {
      const scan = await prisma.scan.findUnique({ where: { id: input.scanId }, select: { startedAt: true, createdAt: true } });
      if (!scan) throw new Error(`scan ${input.scanId} has no row`);
      const finishedAt = new Date();
      const s = input.summary;
      await prisma.scan.update({
        where: { id: input.scanId },
        data: {
          status: input.status,
          stage: 'done',
          finishedAt,
          durationMs: finishedAt.getTime() - (scan.startedAt ?? scan.createdAt).getTime(),
          failureReason: input.failureReason ?? null,
          failureMessage: input.failureMessage?.slice(0, 1000) ?? null,
          ...(s && {
            score: s.score,
            inconclusive: s.inconclusive,
            inconclusiveReason: s.inconclusiveReason ?? null,
            violationCount: s.violationCount,
            incompleteCount: s.incompleteCount,
            criticalCount: s.counts.critical,
            seriousCount: s.counts.serious,
            moderateCount: s.counts.moderate,
            minorCount: s.counts.minor,
          }),
        },
      });
    },
  };
}
