import 'dotenv/config';
import { hostname } from 'node:os';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { loadEnv } from '../lib/env';
import { createLogger, logConfigWarnings } from '../lib/logger';
import { createPrisma } from '../lib/prisma';
import { connectNative } from '../lib/temporal';
import { startWorkerMetricsServer, workerMetrics } from '../lib/metrics';
import { ensureHealthSchedule } from '../monitoring/health-schedule';
import { ensureRetentionSchedule } from '../monitoring/retention-schedule';
import { startWorkerTelemetry, type TelemetryPublisher } from '../monitoring/telemetry';
import { createBrowserPool, createWorkers, loadWorkflowBundle } from './create-workers';
import { runCleanup, runWorkersUntilFirstFailure, type CleanupStep } from './run-workers';
import { installTemporalRuntime } from './temporal-runtime';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger(env, 'worker');
  logConfigWarnings(logger, env);
  installTemporalRuntime(env, logger);
  const prisma = createPrisma(env, logger.child({ component: 'prisma' }));
  const pool = createBrowserPool(env, logger);
  workerMetrics().watchPool(() => pool.stats());
  // Metrics are not worth a worker: a second worker on the same host finds the port taken and scans without them.
  const metricsServer =
    env.WORKER_METRICS_PORT > 0
      ? await startWorkerMetricsServer(env.WORKER_METRICS_PORT, env.WORKER_METRICS_HOST).catch((err: NodeJS.ErrnoException) => {
          logger.error(
            { port: env.WORKER_METRICS_PORT, code: err.code },
            'worker metrics endpoint not started: give each worker on one host its own WORKER_METRICS_PORT (0 = off)',
          );
          return null;
        })
      : null;
  const connection = await connectNative(env);
  let telemetry: TelemetryPublisher | undefined;
  // Order matters: no more tasks → close the browser → release the database → drop the connection.
  const cleanup: CleanupStep[] = [
    { name: 'browser pool', run: () => pool.close() },
    // A clean stop is recorded as such, so this worker is reported stopped, not lost.
    { name: 'telemetry', run: () => telemetry?.stop({ clean: true }) },
    { name: 'prisma', run: () => prisma.$disconnect() },
    { name: 'temporal connection', run: () => connection.close() },
    { name: 'metrics server', run: () => metricsServer?.close() },
  ];
  let workers: Worker[];
  try {
    workers = await createWorkers({ env, connection, prisma, pool, workflowBundle: await loadWorkflowBundle(logger) });
    telemetry = startWorkerTelemetry({
      prisma,
      pool,
      identity: `${hostname()}:${process.pid}`,
      taskQueuePrefix: env.TEMPORAL_TASK_QUEUE_PREFIX,
      taskQueues: workers.map((w) => w.options.taskQueue),
      intervalMs: env.WORKER_TELEMETRY_INTERVAL,
      logger: logger.child({ component: 'telemetry' }),
    });
    // Idempotent: every worker makes sure the periodic health check exists (and has the configured interval).
    await ensureHealthSchedule(new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }), {
      prefix: env.TEMPORAL_TASK_QUEUE_PREFIX,
      intervalMs: env.HEALTH_CHECK_INTERVAL,
    }).catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'health check schedule not ensured'));
    // Idempotent too: the daily prune of raw results older than RESULT_RETENTION_DAYS.
    await ensureRetentionSchedule(new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }), {
      prefix: env.TEMPORAL_TASK_QUEUE_PREFIX,
      retentionDays: env.RESULT_RETENTION_DAYS,
    }).catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'retention schedule not ensured'));
  } catch (err) {
    logger.error({ err }, 'worker failed to start');
    await runCleanup(cleanup, logger);
    throw err;
  }
  logger.info({ queues: workers.map((w) => w.options.taskQueue), pages: env.MAX_CONCURRENT_PAGES }, 'worker started');
  // run() resolves after SIGINT/SIGTERM once in-flight tasks finish (or the grace time ends).
  await runWorkersUntilFirstFailure(workers, cleanup, logger);
  logger.info('worker stopped');
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
