import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import type { Env } from './env';

export type { PrismaClient };
export { Prisma } from '../generated/prisma/client';

/** One client per process, over node-postgres (no Rust engine needed). */
export function createPrisma(env: Pick<Env, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_SIZE,
    // Fail fast when Postgres is down instead of queueing requests behind a dead pool.
    connectionTimeoutMillis: 5_000,
  });
  return new PrismaClient({ adapter });
}
