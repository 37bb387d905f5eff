import 'dotenv/config';
import { createServer } from 'node:http';
import { loadEnv, requireAdminKey } from '../lib/env';
import { createLogger, logConfigWarnings } from '../lib/logger';
import { createPrisma } from '../lib/prisma';
import { connectClient } from '../lib/temporal';
import { urlPolicyFrom } from '../targets/url-policy';
import { createApp } from './app';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const env = loadEnv();
  const adminKey = requireAdminKey(env);
  const logger = createLogger(env, 'api');
  logConfigWarnings(logger, env);
  const prisma = createPrisma(env, logger.child({ component: 'prisma' }));
  const temporal = await connectClient(env);
  const app = createApp({ env, adminKey, prisma, temporal, logger, urlPolicy: urlPolicyFrom(env) });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(env.PORT, env.API_HOST, resolve));
  logger.info({ port: env.PORT, host: env.API_HOST }, 'api listening');

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'api shutting down');
    // A stuck keep-alive client must not hold the process: force-exit after the grace period.
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await temporal.connection.close();
    await prisma.$disconnect();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
