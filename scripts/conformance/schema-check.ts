// The in-process API and workers need the database at the schema this checkout expects: a database behind by one
// migration accepts every scan and then fails each one at "store" (an `internal` error per case, not one clear line).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrismaClient } from '../../lib/prisma';
import { InfrastructureError } from './errors';
import { postgresEndpoint } from './preflight';

export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');

/** The migration folders of this checkout (Prisma's layout: one folder per migration, sorted by name). */
export async function localMigrations(dir = MIGRATIONS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Local migrations the database has not finished applying, in order. */
export function pendingMigrations(local: readonly string[], applied: readonly string[]): string[] {
  const done = new Set(applied);
  return local.filter((name) => !done.has(name));
}

/** Throws InfrastructureError saying what to run when the database is missing, unreachable or not migrated. */
export async function assertMigrated(prisma: PrismaClient, databaseUrl: string, dir = MIGRATIONS_DIR): Promise<void> {
  const { host, port } = postgresEndpoint(databaseUrl);
  const where = `Postgres database "${decodeURIComponent(new URL(databaseUrl).pathname.slice(1))}" at ${host}:${port}`;
  let applied: string[];
  try {
    const rows = await prisma.$queryRaw<Array<{ migration_name: string }>>`
      SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    applied = rows.map((r) => r.migration_name);
  } catch (err) {
    const why = ((err as Error).message.split('\n').find((l) => l.trim()) ?? 'unknown error').trim().slice(0, 160);
    throw new InfrastructureError(`${where} is not ready (${why}): run \`npm run setup\``);
  }
  const pending = pendingMigrations(await localMigrations(dir), applied);
  if (pending.length > 0) {
    throw new InfrastructureError(`${where} lacks ${pending.length} migration(s) (${pending.join(', ')}): run \`npm run db:migrate\``);
  }
}
