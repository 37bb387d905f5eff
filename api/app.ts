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
import { monitoringRouter } from './routes/monitoring.router';
import { scansRouter } from './routes/scans.router';
import { prospectsRouter } from './routes/prospects.router';
import { bulkRouter } from './routes/bulk.router';
import { schedulesRouter } from './routes/schedules.router';
import { workersRouter } from './routes/workers.router';
import { createApiKeyService } from './services/api-key.service';
import { createScanService } from './services/scan.service';
import { createProspectService } from './services/prospect.service';
import { createQueueMonitoringService } from './services/queue-monitoring.service';
import { createBulkService, type BulkServiceDeps } from './services/bulk.service';
import { createScheduleService } from './services/schedule.service';

export interface AppDeps {
  env: Env;
  adminKey: string;
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  urlPolicy: UrlPolicy;
  taskQueuePrefix?: string;
  bulkTuning?: BulkServiceDeps['bulkTuning'];
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
  // Authenticate before parsing: nobody without a key gets a body parsed. Bulk bodies are allowed to be larger.
  api.use(authenticate(keys));
  api.use('/scans/bulk', express.json({ limit: deps.env.API_BULK_BODY_LIMIT }));
  api.use('/prospects/import', express.json({ limit: deps.env.API_BULK_BODY_LIMIT }));
  api.use(express.json({ limit: deps.env.API_BODY_LIMIT }));
  api.use('/scans/bulk', bulkRouter(createBulkService(deps), deps.prisma));
  api.use('/scans', scansRouter(scans, deps.prisma));
  api.use('/keys', keysRouter(keys));
  api.use('/schedules', schedulesRouter(createScheduleService(deps)));
  api.use(
    '/prospects',
    prospectsRouter(createProspectService({ ...deps, scans }), deps.prisma, { importBodyLimit: deps.env.API_BULK_BODY_LIMIT }),
  );
  api.use('/monitoring/workers', workersRouter(deps));
  api.use('/monitoring', monitoringRouter(createQueueMonitoringService({ ...deps, scans })));
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
