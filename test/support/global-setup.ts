// Integration tests share one Temporal dev server and one fresh, migrated Postgres database per run.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { applyMigrations } from '../../lib/migrator';
import { startTemporalDevServerOnFreePort, type DevServer } from '../../lib/temporal-dev-server';
import { adminDatabaseUrl, withDatabase } from './databases';

const ROOT = join(__dirname, '..', '..');

export default async function globalSetup(): Promise<void> {
  const cliPath = process.env.TEMPORAL_CLI_PATH ?? join(ROOT, '.tools', 'venv', 'bin', 'temporal');
  const server: DevServer = await startTemporalDevServerOnFreePort({ cliPath, uiPort: null });
  (globalThis as { __TEMPORAL_DEV_SERVER__?: DevServer }).__TEMPORAL_DEV_SERVER__ = server;

  const dbName = `wcag_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = withDatabase(adminDatabaseUrl(), dbName);
  await applyMigrations(url, join(ROOT, 'prisma', 'migrations'));

  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_DATABASE_URL = url;
  process.env.TEST_DATABASE_NAME = dbName;
}
