// The durable per-hour counters of refusals (safety_rejections) behind GET /api/monitoring/safety: the API counts its
// refusals here, and the worker counts the scheduled runs it refuses for quota, in the same rows.
import type { Prisma } from '../lib/prisma';

const HOUR_MS = 3_600_000;

/** Adds `n` to the counter of `reason` for the clock hour of `at`; `db` may be a transaction. */
export async function addRejectionCount(
  db: Pick<Prisma.TransactionClient, '$executeRaw'>,
  reason: string,
  n: number,
  at = new Date(),
): Promise<void> {
  const hour = new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
  await db.$executeRaw`
    INSERT INTO safety_rejections (reason, hour, count) VALUES (${reason}, ${hour}, ${n}::int)
    ON CONFLICT (reason, hour) DO UPDATE SET count = safety_rejections.count + EXCLUDED.count`;
}
