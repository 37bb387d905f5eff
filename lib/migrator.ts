import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Client, type ClientConfig } from 'pg';

/** Optional structured logger used by the migrator for progress and warnings. */
export type MigrationLog = (msg: string, meta?: object) => void;

/** Outcome of one applyMigrations run, both lists in directory-name order. */
export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

// Same key as Prisma Migrate, so this migrator and a real `prisma migrate deploy`
// exclude each other too, not only two copies of this script.
const PRISMA_ADVISORY_LOCK_KEY = 72707369;
const LOCK_WAIT_TIMEOUT = '10min';
const CONNECT_TIMEOUT_MS = 10_000;

// Same columns, types, defaults and primary key as the table the schema engine creates,
// so a later `prisma migrate deploy` reads it as its own history and never recreates it.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface LocalMigration {
  name: string;
  script: Buffer;
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  logs: string | null;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

interface PgError extends Error {
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

/** sha256 hex of a migration script, as Prisma records it in `_prisma_migrations.checksum`. */
export function migrationChecksum(script: Buffer | string): string {
  return createHash('sha256').update(script).digest('hex');
}

// Prisma accepts a recorded checksum computed with either line ending (git autocrlf
// rewrites files on checkout) and, for rows written by old engines, without zero-padding;
// refusing those would block deploys that Prisma itself lets through.
function checksumMatches(script: Buffer, recorded: string): boolean {
  const text = script.toString('utf8');
  const variants = [script, text.replace(/\r\n/g, '\n'), text.replace(/\r\n/g, '\n').replace(/\n/g, '\r\n')];
  return variants.some((variant) => {
    const digest = createHash('sha256').update(variant).digest();
    const rendered = recorded.length !== 64 ? Array.from(digest, (b) => b.toString(16)).join('') : digest.toString('hex');
    return rendered === recorded;
  });
}

async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  let entries;
  try {
    entries = await fs.readdir(migrationsDir, { withFileTypes: true });
  } catch (err) {
    throw new Error(`Cannot read migrations directory ${migrationsDir}: ${(err as Error).message}`);
  }
  // Plain code-unit order, not localeCompare: Prisma sorts names bytewise and the
  // timestamp prefix only orders correctly that way.
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const file = path.join(migrationsDir, name, 'migration.sql');
    let script: Buffer;
    try {
      script = await fs.readFile(file);
    } catch (err) {
      throw new Error(`Migration ${name} has no readable migration.sql (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    migrations.push({ name, script, checksum: migrationChecksum(script) });
  }
  return migrations;
}

// pg ignores Prisma's `?schema=` parameter; honouring it keeps both tools pointed at the same tables.
function clientConfig(databaseUrl: string): { config: ClientConfig; schema: string | undefined } {
  let schema: string | undefined;
  try {
    schema = new URL(databaseUrl).searchParams.get('schema') ?? undefined;
  } catch {
    throw new Error('DATABASE_URL is not a valid URL');
  }
  return {
    config: { connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'wcag-migrator' },
    schema,
  };
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function describePgError(err: unknown): string {
  const e = err as PgError;
  const parts = [e.message];
  if (e.detail) parts.push(`detail: ${e.detail}`);
  if (e.hint) parts.push(`hint: ${e.hint}`);
  if (e.position) parts.push(`at character ${e.position}`);
  if (e.code) parts.push(`sqlstate ${e.code}`);
  return parts.join('; ');
}

async function acquireLock(client: Client, log: MigrationLog): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PRISMA_ADVISORY_LOCK_KEY]);
  if (rows[0]?.locked) return;
  log('another migrator holds the lock; waiting', { lockKey: PRISMA_ADVISORY_LOCK_KEY });
  // Bounded so a deploy never hangs forever behind a stuck session; lock_timeout covers advisory locks.
  await client.query(`SET lock_timeout = '${LOCK_WAIT_TIMEOUT}'`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
  } catch (err) {
    if ((err as PgError).code === '55P03') {
      throw new Error(
        `Timed out after ${LOCK_WAIT_TIMEOUT} waiting for migration lock ${PRISMA_ADVISORY_LOCK_KEY}; is another migration stuck?`,
      );
    }
    throw err;
  } finally {
    await client.query('RESET lock_timeout');
  }
}

/** Applies pending Prisma-layout migrations with `pg`, recording them in `_prisma_migrations` exactly as Prisma Migrate does. */
export async function applyMigrations(
  databaseUrl: string,
  migrationsDir: string,
  log: MigrationLog = () => undefined,
): Promise<MigrationResult> {
  const local = await readMigrations(migrationsDir);
  const { config, schema } = clientConfig(databaseUrl);
  const client = new Client(config);
  // An idle connection that drops mid-run emits 'error' on the client; without a
  // listener that would crash the process instead of failing the awaited query.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await acquireLock(client, log);
    try {
      // After the lock: two concurrent CREATE SCHEMA IF NOT EXISTS can still collide.
      if (schema) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
        await client.query(`SET search_path TO ${quoteIdent(schema)}`);
      }
      return await applyLocked(client, local, log);
    } finally {
      // Session locks also die with the connection; unlocking explicitly just frees waiters sooner.
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function applyLocked(client: Client, local: LocalMigration[], log: MigrationLog): Promise<MigrationResult> {
  await client.query(CREATE_MIGRATIONS_TABLE);
  const { rows } = await client.query<MigrationRow>(
    `SELECT id, checksum, migration_name, logs, finished_at, rolled_back_at
       FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
  );

  // Same rule as Prisma's P3009: a half-applied migration has to be resolved by a human.
  const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed.length > 0) {
    const names = failed.map((r) => r.migration_name).join(', ');
    throw new Error(
      `Refusing to migrate: migration(s) ${names} are recorded as failed in _prisma_migrations. ` +
        `Fix the database by hand, then mark them with \`prisma migrate resolve --rolled-back <name>\` ` +
        `(or --applied), or set rolled_back_at = now() on those rows.`,
    );
  }

  // Rolled-back rows are history, not state: Prisma ignores them and so must we.
  const applied = new Map<string, MigrationRow>();
  for (const row of rows) {
    if (row.finished_at !== null && row.rolled_back_at === null) applied.set(row.migration_name, row);
  }

  const edited = local.filter((m) => {
    const row = applied.get(m.name);
    return row !== undefined && !checksumMatches(m.script, row.checksum);
  });
  if (edited.length > 0) {
    const details = edited.map((m) => `${m.name} (recorded ${applied.get(m.name)?.checksum}, file ${m.checksum})`).join(', ');
    throw new Error(
      `Refusing to migrate: migration.sql was modified after it was applied: ${details}. ` +
        `Restore the original file and put the change in a new migration.`,
    );
  }

  const localNames = new Set(local.map((m) => m.name));
  const missing = [...applied.keys()].filter((name) => !localNames.has(name));
  if (missing.length > 0) {
    log('migrations applied to the database are missing from the migrations directory', { missing });
  }

  const alreadyApplied = local.filter((m) => applied.has(m.name)).map((m) => m.name);
  const pending = local.filter((m) => !applied.has(m.name));
  const lastApplied = alreadyApplied[alreadyApplied.length - 1];
  const appliedNow: string[] = [];
  for (const migration of pending) {
    if (lastApplied !== undefined && migration.name < lastApplied) {
      log('applying a migration older than the newest applied one', { migration: migration.name, newestApplied: lastApplied });
    }
    await applyOne(client, migration, log);
    appliedNow.push(migration.name);
  }
  return { applied: appliedNow, alreadyApplied };
}

async function applyOne(client: Client, migration: LocalMigration, log: MigrationLog): Promise<void> {
  const id = randomUUID();
  const started = Date.now();
  log('applying migration', { migration: migration.name });
  try {
    await client.query('BEGIN');
    // The row is written inside the migration's transaction so a crash or kill leaves
    // neither the schema change nor a dangling "failed" row behind.
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [
      id,
      migration.checksum,
      migration.name,
    ]);
    // Simple-query protocol (no parameters) is what allows a multi-statement script.
    await client.query(migration.script.toString('utf8'));
    await client.query(
      `UPDATE "_prisma_migrations"
          SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1
        WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const reason = describePgError(err);
    // The transaction rolled back, so nothing of the migration remains: record it as
    // rolled back (what `prisma migrate resolve --rolled-back` would write) to keep the
    // error in `logs` without blocking the retry once the script is fixed.
    await client
      .query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, started_at, rolled_back_at)
         VALUES ($1, $2, $3, $4, to_timestamp($5::double precision / 1000), now())`,
        [randomUUID(), migration.checksum, migration.name, reason, started],
      )
      .catch(() => undefined);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${reason}`);
  }
  log('applied migration', { migration: migration.name, durationMs: Date.now() - started });
}

/** Creates the database named in `databaseUrl` if it does not exist, via the `postgres` maintenance database. */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL');
  }
  const dbName = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!dbName) throw new Error('DATABASE_URL names no database');

  // Trying the target first keeps the common case working where the role may not
  // connect to `postgres` at all (managed servers often forbid it).
  const target = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  target.on('error', () => undefined);
  try {
    await target.connect();
    return;
  } catch (err) {
    if ((err as PgError).code !== '3D000') throw err;
  } finally {
    await target.end().catch(() => undefined);
  }

  const adminUrl = new URL(url.toString());
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `Database "${dbName}" does not exist and the maintenance database "postgres" is unreachable to create it: ${(err as Error).message}`,
    );
  }
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (exists.rowCount) return;
    const role = await admin.query<{ rolname: string; can_create: boolean }>(
      'SELECT rolname, (rolcreatedb OR rolsuper) AS can_create FROM pg_roles WHERE rolname = current_user',
    );
    const roleName = role.rows[0]?.rolname ?? url.username;
    const lacksCreatedb = () =>
      new Error(
        `Database "${dbName}" does not exist and role "${roleName}" lacks CREATEDB; ` +
          `create it as an administrator: CREATE DATABASE ${quoteIdent(dbName)} OWNER ${quoteIdent(roleName)};`,
      );
    if (!role.rows[0]?.can_create) throw lacksCreatedb();
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
    } catch (err) {
      const code = (err as PgError).code;
      // Another process created it between our check and CREATE: that is the outcome we wanted.
      if (code === '42P04' || code === '23505') return;
      if (code === '42501') throw lacksCreatedb();
      throw err;
    }
  } finally {
    await admin.end().catch(() => undefined);
  }
}
