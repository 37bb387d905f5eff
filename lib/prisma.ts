import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import type { Env } from './env';
import type { Logger } from './logger';

export type { PrismaClient };
export { Prisma } from '../generated/prisma/client';

/** The shape of Prisma's `warn` and `error` log events (`Prisma.LogEvent`). */
export interface PrismaLogEvent {
  timestamp: Date;
  message: string;
  target: string;
}

/** What forwarding needs of a client created with `{ emit: 'event' }` for warn and error. */
export interface PrismaLogSource {
  $on(event: 'warn' | 'error', callback: (event: PrismaLogEvent) => void): unknown;
}

/**
 * Sends Prisma's warnings and errors through pino, so they carry the process's name, level filter and redaction
 * instead of going to stdout as bare text. Prisma emits `error` for every query that rejects, including ones the
 * caller catches and handles (a unique violation on an idempotent insert, a transient error db-retry retries), and the
 * caller still gets the error thrown: so both go out at warn, as context, and a failure nobody handles is reported at
 * error once, by whoever lets it escape (the API's error handler, the activity's failure). Alerting on error-level
 * lines then does not fire on handled conflicts.
 */
export function forwardPrismaLogs(client: PrismaLogSource, logger: Pick<Logger, 'warn'>): void {
  client.$on('warn', (e) => logger.warn({ target: e.target, prismaLevel: 'warn' }, e.message));
  client.$on('error', (e) => logger.warn({ target: e.target, prismaLevel: 'error' }, e.message));
}

/**
 * One client per process, over node-postgres (no Rust engine needed). Without `logger` Prisma keeps its own
 * defaults, for scripts and tests that have no logger to give.
 */
export function createPrisma(env: Pick<Env, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>, logger?: Pick<Logger, 'warn'>): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: env.DATABASE_URL,
    max: env.DATABASE_POOL_SIZE,
    // Fail fast when Postgres is down instead of queueing requests behind a dead pool.
    connectionTimeoutMillis: 5_000,
  });
  if (!logger) return new PrismaClient({ adapter });
  const client = new PrismaClient({
    adapter,
    log: [
      { emit: 'event', level: 'warn' },
      { emit: 'event', level: 'error' },
    ],
  });
  forwardPrismaLogs(client, logger);
  return client;
}
