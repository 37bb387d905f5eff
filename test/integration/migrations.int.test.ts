// Needs a reachable Postgres whose role has CREATEDB: every test works on its own
// throwaway database so runs never touch real data and can execute in parallel.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations, ensureDatabase, migrationChecksum } from '../../lib/migrator';
import { dropTestDatabase } from '../support/databases';
import { datamodelFromSource, findSchemaDrift, loadDatamodel } from '../support/schema-drift';

jest.setTimeout(60_000);

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://wcag:wcag@127.0.0.1:5432/postgres';
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const MIGRATIONS_DIR = path.join(REPO_ROOT, 'prisma', 'migrations');
const SCHEMA_PATH = path.join(REPO_ROOT, 'prisma', 'schema.prisma');

const createdDatabases: string[] = [];
const tmpDirs: string[] = [];

function urlFor(dbName: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
}

function scratchName(purpose: string): string {
  return `wcag_migr_${purpose}_${randomBytes(4).toString('hex')}`;
}

async function withAdmin<T>(fn: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

async function createScratchDatabase(purpose: string): Promise<string> {
  const name = scratchName(purpose);
  createdDatabases.push(name);
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  return urlFor(name);
}

async function withDb<T>(url: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

async function localMigrationNames(dir = MIGRATIONS_DIR): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function copyMigrations(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wcag-migrations-'));
  tmpDirs.push(dir);
  await fs.cp(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await fs.mkdir(path.join(dir, name));
  await fs.writeFile(path.join(dir, name, 'migration.sql'), sql);
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  logs: string | null;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

function migrationRows(url: string): Promise<MigrationRow[]> {
  return withDb(url, async (db) => (await db.query<MigrationRow>('SELECT * FROM _prisma_migrations ORDER BY started_at')).rows);
}

afterAll(async () => {
  await withAdmin(async (admin) => {
    for (const name of createdDatabases) {
      await dropTestDatabase(admin, name);
    }
  });
  await Promise.all(tmpDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

describe('migrations on a fresh database', () => {
  let url: string;
  let names: string[];

  beforeAll(async () => {
    const dbName = scratchName('main');
    createdDatabases.push(dbName);
    url = urlFor(dbName);
    await ensureDatabase(url);
    names = await localMigrationNames();
  });

  it('ensureDatabase created the database and is a no-op once it exists', async () => {
    await expect(ensureDatabase(url)).resolves.toBeUndefined();
    await withDb(url, async (db) => {
      const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
      expect(url.endsWith(`/${rows[0].db}`)).toBe(true);
    });
  });

  it('applies every migration, then nothing on a second run', async () => {
    expect(names.length).toBeGreaterThan(0);
    const first = await applyMigrations(url, MIGRATIONS_DIR);
    expect(first).toEqual({ applied: names, alreadyApplied: [] });

    const second = await applyMigrations(url, MIGRATIONS_DIR);
    expect(second).toEqual({ applied: [], alreadyApplied: names });
  });

  it('records each migration as Prisma Migrate does', async () => {
    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows) {
      const script = await fs.readFile(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(migrationChecksum(script));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('creates _prisma_migrations with the DDL Prisma uses', async () => {
    const columns = await withDb(
      url,
      async (db) =>
        (
          await db.query<{ column_name: string; type: string; is_nullable: string; column_default: string | null }>(
            `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
                  CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
                  pg_get_expr(d.adbin, d.adrelid) AS column_default
             FROM pg_attribute a
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = '_prisma_migrations'::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum`,
          )
        ).rows,
    );
    expect(columns).toEqual([
      { column_name: 'id', type: 'character varying(36)', is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', type: 'character varying(64)', is_nullable: 'NO', column_default: null },
      { column_name: 'finished_at', type: 'timestamp with time zone', is_nullable: 'YES', column_default: null },
      { column_name: 'migration_name', type: 'character varying(255)', is_nullable: 'NO', column_default: null },
      { column_name: 'logs', type: 'text', is_nullable: 'YES', column_default: null },
      { column_name: 'rolled_back_at', type: 'timestamp with time zone', is_nullable: 'YES', column_default: null },
      { column_name: 'started_at', type: 'timestamp with time zone', is_nullable: 'NO', column_default: 'now()' },
      { column_name: 'applied_steps_count', type: 'integer', is_nullable: 'NO', column_default: '0' },
    ]);
    const pk = await withDb(url, (db) =>
      db.query(`SELECT 1 FROM pg_constraint WHERE conrelid = '_prisma_migrations'::regclass AND contype = 'p'`),
    );
    expect(pk.rows).toHaveLength(1);
  });

  it('leaves a database that matches schema.prisma', async () => {
    const drift = await withDb(url, (db) => findSchemaDrift(db, loadDatamodel(SCHEMA_PATH)));
    expect(drift).toEqual([]);
  });
});

describe('schema drift detection', () => {
  it('reports changes made to the database behind the schema', async () => {
    const url = await createScratchDatabase('drift');
    await applyMigrations(url, MIGRATIONS_DIR);
    const drift = await withDb(url, async (db) => {
      await db.query(`
        ALTER TABLE scans ADD COLUMN stray TEXT;
        ALTER TABLE api_keys ALTER COLUMN name SET NOT NULL;
        ALTER TABLE scans ALTER COLUMN priority TYPE BIGINT;
        DROP INDEX scans_prospect_id_idx;
        ALTER TABLE scan_attempts DROP CONSTRAINT scan_attempts_scan_id_fkey;
        ALTER TYPE "ScanStatus" ADD VALUE 'paused';
        CREATE TABLE stray_table (id INTEGER);
      `);
      return findSchemaDrift(db, loadDatamodel(SCHEMA_PATH));
    });
    expect(drift).toEqual(
      expect.arrayContaining([
        'column scans.stray exists in the database but not in model Scan',
        'column api_keys.name (ApiKey.name) is NOT NULL, expected nullable',
        'column scans.priority (Scan.priority) has type bigint, expected integer',
        'index scans_prospect_id_idx on scans(prospect_id) is missing',
        'foreign key scan_attempts(scan_id) -> scans(id) (ScanAttempt.scan) is missing',
        'enum ScanStatus has extra value(s) paused',
        'table stray_table exists in the database but not in the schema',
      ]),
    );
    expect(drift).toHaveLength(7);
  });

  it('reports schema changes that have no migration yet', async () => {
    const url = await createScratchDatabase('schemaside');
    await applyMigrations(url, MIGRATIONS_DIR);
    const source = (await fs.readFile(SCHEMA_PATH, 'utf8')).replace(
      /(model ApiKey \{\n)/,
      '$1  label     String    @map("label")\n  @@unique([clientId, keyPrefix])\n',
    );
    expect(source).toContain('@@unique([clientId, keyPrefix])');
    const drift = await withDb(url, (db) => findSchemaDrift(db, datamodelFromSource(source)));
    expect(drift).toEqual([
      'column api_keys.label (ApiKey.label) is missing',
      'unique index api_keys_client_id_key_prefix_key on api_keys(client_id, key_prefix) is missing',
    ]);
  });
});

describe('refusals', () => {
  it('refuses when an applied migration.sql was edited afterwards', async () => {
    const url = await createScratchDatabase('checksum');
    const dir = await copyMigrations();
    const names = await localMigrationNames(dir);
    const [first] = names;
    await applyMigrations(url, dir);

    const file = path.join(dir, first, 'migration.sql');
    const original = await fs.readFile(file, 'utf8');
    await fs.appendFile(file, '\n-- edited after apply\n');
    await expect(applyMigrations(url, dir)).rejects.toThrow(new RegExp(`migration\\.sql was modified after it was applied: ${first}`));

    // Prisma tolerates git's line-ending rewrites, so the same content with CRLF is not an edit.
    await fs.writeFile(file, original.replace(/\n/g, '\r\n'));
    await expect(applyMigrations(url, dir)).resolves.toEqual({ applied: [], alreadyApplied: names });
  });

  it('refuses while a migration is recorded as failed', async () => {
    const url = await createScratchDatabase('failed');
    const dir = await copyMigrations();
    await applyMigrations(url, dir);
    await withDb(url, (db) =>
      db.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs)
         VALUES (gen_random_uuid()::text, repeat('0', 64), '20991231000000_half_done', 'boom')`,
      ),
    );
    await addMigration(dir, '20991231000001_next', 'CREATE TABLE should_not_exist (id INTEGER);');
    await expect(applyMigrations(url, dir)).rejects.toThrow(/20991231000000_half_done are recorded as failed/);
    const exists = await withDb(url, (db) => db.query(`SELECT to_regclass('should_not_exist') AS t`));
    expect(exists.rows[0].t).toBeNull();
  });

  it('rolls a failing migration back completely and retries it once fixed', async () => {
    const url = await createScratchDatabase('rollback');
    const dir = await copyMigrations();
    const names = await localMigrationNames(dir);
    await applyMigrations(url, dir);
    const broken = '20991231000000_broken';
    await addMigration(dir, broken, 'CREATE TABLE half_applied (id INTEGER);\nSELECT no_such_function();\n');

    await expect(applyMigrations(url, dir)).rejects.toThrow(
      new RegExp(`Migration ${broken} failed and was rolled back: .*no_such_function`),
    );
    const afterFailure = await withDb(url, async (db) => ({
      table: (await db.query(`SELECT to_regclass('half_applied') AS t`)).rows[0].t,
      rows: (await db.query<MigrationRow>('SELECT * FROM _prisma_migrations WHERE migration_name = $1', [broken])).rows,
    }));
    expect(afterFailure.table).toBeNull();
    expect(afterFailure.rows).toHaveLength(1);
    expect(afterFailure.rows[0].finished_at).toBeNull();
    expect(afterFailure.rows[0].rolled_back_at).toBeInstanceOf(Date);
    expect(afterFailure.rows[0].logs).toContain('no_such_function');

    await fs.writeFile(path.join(dir, broken, 'migration.sql'), 'CREATE TABLE half_applied (id INTEGER);\n');
    await expect(applyMigrations(url, dir)).resolves.toEqual({ applied: [broken], alreadyApplied: names });
  });
});

describe('concurrency', () => {
  it('two migrators started together apply each migration exactly once', async () => {
    const url = await createScratchDatabase('race');
    const dir = await copyMigrations();
    // A slow migration widens the window in which the second process must wait on the lock.
    await addMigration(dir, '20991231000000_slow', 'SELECT pg_sleep(1);\n');
    const names = await localMigrationNames(dir);

    const waits: string[] = [];
    const results = await Promise.all(
      ['a', 'b'].map((who) =>
        applyMigrations(url, dir, (msg) => {
          if (msg.includes('waiting')) waits.push(who);
        }),
      ),
    );

    const appliedByEach = results.map((r) => r.applied);
    expect([...appliedByEach[0], ...appliedByEach[1]].sort()).toEqual(names);
    // The loser of the race found everything done by the winner.
    expect(appliedByEach.filter((a) => a.length === 0)).toHaveLength(1);
    expect(waits).toHaveLength(1);

    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name).sort()).toEqual(names);
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });
});
