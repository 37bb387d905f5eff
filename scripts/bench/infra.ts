// The benchmark's own embedded stack: a Temporal dev server on a free port, a fresh migrated Postgres database
// (both as the integration tests' global setup makes them), and in-process API + workers per concurrency (the
// conformance command's pipeline), so a run never touches `npm start`'s data or queues.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadEnv, type Env } from '../../lib/env';
import { applyMigrations } from '../../lib/migrator';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { freePort, startTemporalDevServer, type DevServer } from '../../lib/temporal-dev-server';
import { adminDatabaseUrl, dropTestDatabase, withDatabase } from '../../test/support/databases';
import { startInProcessPipeline, type InProcessPipeline, type LogLevel } from '../conformance/in-process';

const ROOT = join(__dirname, '..', '..');

/**
 * Configuration every benchmark stack runs with: the production address rule (only the corpus hosts exempt, so
 * every scan goes through its egress proxy, as in production) and per-client limits out of the way (a benchmark
 * is one client submitting thousands of scans).
 */
export const BENCH_ENV: Record<string, string> = {
  MAX_SCANS_PER_HOUR: '1000000',
  API_RATE_LIMIT_PER_KEY: '1000000',
  API_RATE_LIMIT_PER_IP: '1000000',
};

export interface BenchInfra {
  temporalAddress: string;
  /** The dev server's pid, for its CPU time. */
  temporalPid: number | null;
  databaseUrl: string;
  prisma: PrismaClient;
  /** API + workers with `pages` browser pages, started on first use and kept for the run (one per name). */
  platform(pages: number, name?: string): Promise<InProcessPipeline>;
  /** Stops one pipeline (its queued work stays behind, unpolled, on its own task queues). */
  stopPlatform(pages: number, name?: string): Promise<void>;
  /** The configuration the platform runs with, for the bare loop's identical browser settings. */
  env(pages: number): Env;
  stop(): Promise<void>;
}

export async function startBenchInfra(o: {
  logLevel: LogLevel;
  log: (line: string) => void;
  extraEnv?: Record<string, string>;
  /** The corpus server's addresses: the only ones exempt from the address rule. */
  corpusHosts?: readonly string[];
}): Promise<BenchInfra> {
  const allowedHosts = (o.corpusHosts ?? ['127.0.0.1']).join(',');
  const cliPath = process.env.TEMPORAL_CLI_PATH ?? join(ROOT, '.tools', 'venv', 'bin', 'temporal');
  const server: DevServer = await startTemporalDevServer({ cliPath, port: await freePort(), uiPort: null });
  const dbName = `wcag_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  let prisma: PrismaClient | null = null;
  const pipelines = new Map<string, Promise<InProcessPipeline>>();
  const stop = async () => {
    for (const p of pipelines.values()) await (await p.catch(() => null))?.stop();
    pipelines.clear();
    await prisma?.$disconnect();
    await server.stop();
    if (!process.env.BENCH_KEEP_DATABASE) {
      const a = new Client({ connectionString: adminDatabaseUrl() });
      await a.connect();
      await dropTestDatabase(a, dbName);
      await a.end();
    }
  };
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
    const databaseUrl = withDatabase(adminDatabaseUrl(), dbName);
    await applyMigrations(databaseUrl, join(ROOT, 'prisma', 'migrations'));
    o.log(`stack: Temporal dev server ${server.address}, database ${dbName}`);
    const source = (): NodeJS.ProcessEnv => ({
      ...process.env,
      ...BENCH_ENV,
      ...o.extraEnv,
      TEMPORAL_ADDRESS: server.address,
      DATABASE_URL: databaseUrl,
    });
    const env = (pages: number) =>
      loadEnv({
        ...source(),
        LOG_LEVEL: o.logLevel,
        SCAN_ALLOW_PRIVATE_TARGETS: 'false',
        SCAN_ALLOWED_HOSTS: allowedHosts,
        MAX_CONCURRENT_PAGES: String(pages),
      });
    prisma = createPrisma(env(1));
    return {
      temporalAddress: server.address,
      temporalPid: server.process.pid ?? null,
      databaseUrl,
      prisma,
      env,
      platform(pages, name = 'main') {
        const key = `${name}/${pages}`;
        let p = pipelines.get(key);
        if (!p) {
          p = startInProcessPipeline({ source: source(), pages, logLevel: o.logLevel, allowedHosts });
          pipelines.set(key, p);
        }
        return p;
      },
      async stopPlatform(pages, name = 'main') {
        const key = `${name}/${pages}`;
        const p = pipelines.get(key);
        pipelines.delete(key);
        await (await p?.catch(() => null))?.stop();
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
