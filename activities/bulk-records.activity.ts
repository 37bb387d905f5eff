import type { PrismaClient } from '../lib/prisma';
import type { BulkItem, ScanOptions, ScanQueue } from '../core/contracts';

/** Postgres side of the bulk workflow: reading its items a batch at a time, and closing it. */
export function createBulkRecordActivities(prisma: PrismaClient) {
  return {
    /** Items still queued from `fromIndex` on; one cancelled on its own before it started is skipped. */
    async loadBulkItems({ bulkId, fromIndex, limit }: { bulkId: string; fromIndex: number; limit: number }): Promise<BulkItem[]> {
      const rows = await prisma.scan.findMany({
        where: { bulkId, bulkIndex: { gte: fromIndex }, status: 'queued' },
        orderBy: { bulkIndex: 'asc' },
        take: limit,
        select: {
          id: true,
          bulkIndex: true,
          url: true,
          targetHost: true,
          clientId: true,
          prospectId: true,
          queue: true,
          priority: true,
          options: true,
        },
      });
      return rows.map((r) => ({
        scanId: r.id,
        bulkIndex: r.bulkIndex ?? 0,
        url: r.url,
        targetHost: r.targetHost,
        clientId: r.clientId,
        prospectId: r.prospectId ?? undefined,
        queue: r.queue as ScanQueue,
        priority: r.priority,
        options: r.options as unknown as ScanOptions,
      }));
    },

    /** Marks the bulk finished; on cancel, closes items that never started so none is left queued. */
    async recordBulkFinished({ bulkId, status }: { bulkId: string; status: 'completed' | 'cancelled' }): Promise<{ cancelled: number }> {
      const now = new Date();
      return prisma.$transaction(async (tx) => {
        const closed =
          status === 'cancelled'
            ? await tx.scan.updateMany({
                where: { bulkId, status: 'queued' },
                data: {
                  status: 'cancelled',
                  stage: 'done',
                  failureReason: 'cancelled',
                  failureMessage: 'bulk was cancelled before this scan started',
                  finishedAt: now,
                },
              })
            : { count: 0 };
        await tx.bulk.update({ where: { id: bulkId }, data: { status, finishedAt: now } });
        return { cancelled: closed.count };
      });
    },
  };
}
