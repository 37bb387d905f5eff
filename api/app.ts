import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { UrlPolicy } from '../activities/url-safety';
import type { Env } from '../lib/env';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../lib/prisma';
import { authenticate } from './middleware/auth';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { requestLogger } from './middleware/request-logger';
import { securityHeaders } from './middleware/security-headers';
import { healthRouter } from './routes/health.router';
import { keysRouter } from './routes/keys.router';
import { scansRouter } from './routes/scans.router';
import { createApiKeyService } from './services/api-key.service';
import { createScanService } from './services/scan.service';

export interface AppDeps {
  env: Env;
  adminKey: string;
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  urlPolicy: UrlPolicy;
  taskQueuePrefix?: string;
}

/** Builds the Express app without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders);
  app.use(requestLogger(deps.logger));
  app.use(healthRouter(deps));

  const keys = createApiKeyService(deps.prisma, deps.adminKey);
  const scans = createScanService(deps);
  const api = express.Router();
  api.use(express.json({ limit: deps.env.API_BODY_LIMIT }));
  api.use(authenticate(keys));
  api.use('/scans', scansRouter(scans));
  api.use('/keys', keysRouter(keys));
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
