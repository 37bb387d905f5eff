import type { Prisma, PrismaClient } from '../lib/prisma';
import { scanWorkflowId, type FailureCategory, type PageScanSummary, type ScanInput, type ScanStatus } from '../workflows/contracts';
import type { StoredRule } from './axe-summary';

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
}

/** Replaces the stored result of a scan in one transaction, so a retried attempt never leaves duplicates. */
export async function saveScanResult(prisma: PrismaClient, r: StoredScanResult): Promise<void> {
  const raw = r.raw as Prisma.InputJsonValue;
  const blockedRequests = r.blockedRequests as Prisma.InputJsonValue;
  await prisma.$transaction([
    prisma.scanViolation.deleteMany({ where: { scanId: r.scanId } }),
    prisma.scanResult.upsert({
      where: { scanId: r.scanId },
      create: { scanId: r.scanId, axeVersion: r.axeVersion, finalUrl: r.finalUrl, httpStatus: r.httpStatus, pageTitle: r.pageTitle, blockedRequests, raw },
      update: { axeVersion: r.axeVersion, finalUrl: r.finalUrl, httpStatus: r.httpStatus, pageTitle: r.pageTitle, blockedRequests, raw, createdAt: new Date() },
    }),
    prisma.scanViolation.createMany({
      data: r.rules.map((rule) => ({ ...rule, scanId: r.scanId, nodes: rule.nodes as unknown as Prisma.InputJsonValue })),
    }),
  ]);
}

/** Postgres writes of the scan workflow; each is idempotent because Temporal may run it more than once. */
export function createScanRecordActivities(prisma: PrismaClient) {
  return {
    /** The row for one firing of a schedule (the API creates the row of every other scan). */
    async createScheduledScan(
      input: Omit<ScanInput, 'taskQueues' | 'retryInitialIntervalMs' | 'maxScanTimeMs'> & { scheduleId: string; scheduledWorkflowId: string },
    ): Promise<{ targetHost: string }> {
      const targetHost = new URL(input.url).hostname;
      await prisma.scan.upsert({
        where: { id: input.scanId },
        update: {},
        create: {
          id: input.scanId,
          workflowId: scanWorkflowId(input.scanId),
          url: input.url,
          targetHost,
          clientId: input.clientId,
          prospectId: input.prospectId,
          scheduleId: input.scheduleId,
          queue: input.queue,
          priority: input.priority,
          options: input.options as object,
        },
      });
      return { targetHost };
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
