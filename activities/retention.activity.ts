// Data retention: the bulky parts of old scans go, the per-scan summary stays (README "Data retention").
import { heartbeat, log } from '@temporalio/activity';
import { Prisma, type PrismaClient } from '../lib/prisma';
import type { PruneInput, PruneResult } from '../core/contracts';

export type { PruneInput, PruneResult };

// What a pruned result's raw column holds: the column is NOT NULL, and the marker says why it is empty.
const PRUNED_RAW = { pruned: true };

/**
 * Per batch, in one transaction: the full axe JSON (scan_results.raw) becomes a marker, the element details of each
 * rule (scan_violations.nodes: selectors and HTML) become [], the screenshot row is deleted, and the scan is stamped
 * raw_pruned_at. Kept: the scan row (status, score, counts, timings, failure reason), each rule's id, impact, WCAG
 * criteria and node count, the attempts log, and scan_results' final URL, HTTP status, title and axe version, so
 * trends, reliability figures, queue statistics and the rule list of an old scan still work.
 */
export function createRetentionActivities(prisma: PrismaClient) {
  return {
    async pruneScanResults(input: PruneInput): Promise<PruneResult> {
      const cutoff = new Date(Date.now() - input.retentionDays * 86_400_000);
      let scans = 0;
      let batches = 0;
      for (; batches < input.maxBatches; batches += 1) {
        const ids = await prisma.$transaction(async (tx) => {
          const rows = await tx.scan.findMany({
            where: { rawPrunedAt: null, finishedAt: { lt: cutoff } },
            orderBy: { finishedAt: 'asc' },
            take: input.batchSize,
            select: { id: true },
          });
          const batch = rows.map((r) => r.id);
          if (batch.length === 0) return batch;
          // An audit page's links are pruned with the raw result (its skeleton stays: the report's templates need it).
          await tx.scanResult.updateMany({ where: { scanId: { in: batch } }, data: { raw: PRUNED_RAW, links: Prisma.DbNull } });
          await tx.scanViolation.updateMany({ where: { scanId: { in: batch } }, data: { nodes: [] } });
          await tx.scanScreenshot.deleteMany({ where: { scanId: { in: batch } } });
          await tx.scan.updateMany({ where: { id: { in: batch } }, data: { rawPrunedAt: new Date() } });
          return batch;
        });
        scans += ids.length;
        heartbeat({ scans, batches: batches + 1 });
        if (ids.length < input.batchSize) {
          log.info('scan results pruned', { cutoff: cutoff.toISOString(), scans, batches: batches + 1 });
          return { cutoff: cutoff.toISOString(), scans, batches: batches + 1, more: false };
        }
      }
      log.info('scan results pruned; more remain for the next run', { cutoff: cutoff.toISOString(), scans, batches });
      return { cutoff: cutoff.toISOString(), scans, batches, more: true };
    },
  };
}
