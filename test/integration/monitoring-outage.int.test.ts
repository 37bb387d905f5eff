// The API through a Postgres outage, on a private Postgres (stopping it breaks nobody else's tests): health keeps
// answering and says the database is critical, and the same app (same Prisma pool, no restart) is healthy again
// once Postgres is back. No browser, no worker.
import { join } from 'node:path';
import request from 'supertest';
import { applyMigrations, ensureDatabase } from '../../lib/migrator';
import { ProcessRegistry, type PrivatePostgres } from '../support/processes';
import { adminAuth } from '../support/scan-client';
import { eventually, startStack, type Stack } from '../support/stack';

const procs = new ProcessRegistry();
let pg: PrivatePostgres;
let stack: Stack;

beforeAll(async () => {
  pg = await procs.startPostgres();
  const dbUrl = pg.url('wcag_monitoring_outage');
  await ensureDatabase(dbUrl);
  await applyMigrations(dbUrl, join(__dirname, '..', '..', 'prisma', 'migrations'));
  stack = await startStack({ workers: false, env: { DATABASE_URL: dbUrl } });
}, 120_000);

afterAll(async () => {
  await stack?.stop().catch(() => undefined);
  await procs.cleanup();
});

const database = async () => (await request(stack.app).get('/api/monitoring/health').set(adminAuth)).body.components.database;

it('reports the database critical during an outage and healthy again after it, without restarting the API', async () => {
  // The first query opens the pool's first connection: on a loaded machine give it a moment.
  await eventually(async () => ((await database()).details.reachable === true ? true : undefined), 30_000);
  try {
    await pg.stop();
    const down = await eventually(async () => {
      const d = await database();
      return d.status === 'critical' ? d : undefined;
    }, 30_000);
    expect(down).toMatchObject({ details: { reachable: false } });
    expect(down.message).toMatch(/^Postgres (unreachable|no answer within \d+ ms)$/);
    // Telemetry lives in Postgres: the report says it does not know rather than "no worker".
    const res = await request(stack.app).get('/api/monitoring/health').set(adminAuth).expect(503);
    expect(res.body.components.workers.message).toMatch(/^unknown/);
    expect(JSON.stringify(res.body)).not.toMatch(/postgresql:\/\//);
    await request(stack.app).get('/readyz').expect(503);
  } finally {
    await pg.start();
  }
  await eventually(async () => ((await database()).details.reachable === true ? true : undefined), 60_000);
  await request(stack.app).get('/api/monitoring/reliability?days=1').set(adminAuth).expect(200);
});
