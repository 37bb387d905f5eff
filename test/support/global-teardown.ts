import { Client } from 'pg';
import type { DevServer } from '../../lib/temporal-dev-server';
import { adminDatabaseUrl, dropTestDatabase } from './databases';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __TEMPORAL_DEV_SERVER__?: DevServer }).__TEMPORAL_DEV_SERVER__?.stop();
  const dbName = process.env.TEST_DATABASE_NAME;
  if (dbName && !process.env.TEST_KEEP_DATABASE) {
    const admin = new Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    await dropTestDatabase(admin, dbName);
    await admin.end();
  }
}
