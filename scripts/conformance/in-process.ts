// The default pipeline: this process runs the API app and the workers (the same factories `npm start` uses) on
// task queues of its own, against the configured Temporal and Postgres. Nothing else may poll those queues, so a
// running `npm start` is neither used nor disturbed.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Runtime, type Worker } from '@temporalio/worker';
import type { BrowserPool } from '../../activities/browser/browser-pool';
import pino from 'pino';
import { createApp } from '../../api/app';
import { loadEnv, type Env } from '../../lib/env';
import { createPrisma } from '../../lib/prisma';
import { connectClient, connectNative } from '../../lib/temporal';
import { urlPolicyFrom } from '../../targets/url-policy';
import { createBrowserPool, createWorkers, loadWorkflowBundle } from '../../workers/create-workers';
import { temporalLoggerFrom } from '../../workers/temporal-logger';
import { InfrastructureError, UsageError } from './errors';
import { assertInfrastructure } from './preflight';
import { assertMigrated } from './schema-check';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface InProcessPipeline {
  baseUrl: string;
  /** A key made up for this run: the in-process API's admin key, never written anywhere. */
  apiKey: string;
  taskQueuePrefix: string;
  /** The workers' browser pool (the benchmark reads its stats and Chromium pid). */
  pool: BrowserPool;
  stop(): Promise<void>;
}

export interface InProcessOptions {
  /** Where configuration comes from (process.env after .env, or a test's own). */
  source: NodeJS.ProcessEnv;
  /** Browser pages, so the browser queue's slots match the command's concurrency. */
  pages: number;
  /** Logs go to stderr; stdout is the report. */
  logLevel: LogLevel;
  /** The hosts exempt from the address rule (SCAN_ALLOWED_HOSTS): the corpus server's, 127.0.0.1 by default. */
  allowedHosts?: string;
}

/** The configuration with the address rule on and only the corpus server's hosts exempt. */
export function pipelineEnv(source: NodeJS.ProcessEnv, pages: number, logLevel: LogLevel, allowedHosts = '127.0.0.1'): Env {
  try {
    return loadEnv({
      ...source,
      LOG_LEVEL: logLevel,
      SCAN_ALLOW_PRIVATE_TARGETS: 'false',
      SCAN_ALLOWED_HOSTS: allowedHosts,
      MAX_CONCURRENT_PAGES: String(pages),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Starts the API (127.0.0.1, random port) and workers on a `conformance-<random>` prefix. */
export async function startInProcessPipeline(o: InProcessOptions): Promise<InProcessPipeline> {
  const env = pipelineEnv(o.source, o.pages, o.logLevel, o.allowedHosts);
  await assertInfrastructure(env);
  const logger = pino({ name: 'conformance', level: env.LOG_LEVEL }, pino.destination(2));
  try {
    // Once per process; a test file may have installed one already.
    Runtime.install({ logger: temporalLoggerFrom(logger.child({ component: 'temporal' })) });
  } catch {
    // already installed
  }

  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const prisma = createPrisma(env);
    cleanups.push(() => prisma.$disconnect());
    await assertMigrated(prisma, env.DATABASE_URL);
    const temporal = await connectClient(env).catch((err: Error) => {
      throw new InfrastructureError(
        `Temporal at ${env.TEMPORAL_ADDRESS} refused the connection (${err.message}): start it with \`npm start\``,
      );
    });
    cleanups.push(() => temporal.connection.close());

    const taskQueuePrefix = `conformance-${randomBytes(4).toString('hex')}`;
    const pool = createBrowserPool(env, logger);
    cleanups.push(() => pool.close());
    const native = await connectNative(env);
    cleanups.push(() => native.close());
    const workers: Worker[] = await createWorkers({
      env,
      connection: native,
      prisma,
      pool,
      workflowBundle: await loadWorkflowBundle(logger),
      taskQueuePrefix,
    });
    const runs = workers.map((w) => w.run());
    for (const run of runs) run.catch((err: unknown) => logger.error({ err }, 'conformance worker stopped'));
    // Shut down (in-flight tasks finish or are handed back) before the pool, the connection and Prisma go.
    cleanups.push(async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(runs);
    });

    const apiKey = randomBytes(24).toString('hex');
    const app = createApp({ env, adminKey: apiKey, prisma, temporal, logger, urlPolicy: urlPolicyFrom(env), taskQueuePrefix });
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey, taskQueuePrefix, pool, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
