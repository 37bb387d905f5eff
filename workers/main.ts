import 'dotenv/config';
import { Runtime } from '@temporalio/worker';
import { loadEnv } from '../lib/env';
import { createLogger } from '../lib/logger';
import { createPrisma } from '../lib/prisma';
import { connectNative } from '../lib/temporal';
import { createBrowserPool, createWorkers, loadWorkflowBundle } from './create-workers';
import { temporalLoggerFrom } from './temporal-logger';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger(env, 'worker');
  Runtime.install({ logger: temporalLoggerFrom(logger.child({ component: 'temporal' })) });
  const prisma = createPrisma(env);
  const pool = createBrowserPool(env, logger);
  const connection = await connectNative(env);
  try {
    const workers = await createWorkers({ env, connection, prisma, pool, workflowBundle: await loadWorkflowBundle(logger) });
    logger.info({ queues: workers.map((w) => w.options.taskQueue), pages: env.MAX_CONCURRENT_PAGES }, 'worker started');
    // run() resolves after SIGINT/SIGTERM once in-flight tasks finish (or the grace time ends).
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    // Order matters: no more tasks → close the browser → release the database → drop the connection.
    await pool.close();
    await prisma.$disconnect();
    await connection.close();
    logger.info('worker stopped');
  }
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
