import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { UrlPolicy } from '../targets/url-safety';
import type { Env } from '../lib/env';
import type { Logger } from '../lib/logger';
import type { PrismaClient } from '../lib/prisma';
import { authenticate } from './middleware/auth';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { idempotent } from './middleware/idempotency';
import { requestLogger } from './middleware/request-logger';
import { securityHeaders } from './middleware/security-headers';
import { healthRouter } from './routes/health.router';
import { keysRouter } from './routes/keys.router';
import { monitoringRouter } from './routes/monitoring.router';
import { healthMonitoringRouter } from './routes/health-monitoring.router';
import { createHealthMonitoringService } from './services/health-monitoring.service';
import { getSafetyReport } from './services/safety.service';
import { scansRouter } from './routes/scans.router';
import { prospectsRouter } from './routes/prospects.router';
import { bulkRouter } from './routes/bulk.router';
import { schedulesRouter } from './routes/schedules.router';
import { workersRouter } from './routes/workers.router';
import { createApiKeyService, sameSecret } from './services/api-key.service';
import { createScanService } from './services/scan.service';
import { createProspectService } from './services/prospect.service';
import { createQueueMonitoringService } from './services/queue-monitoring.service';
import { createBulkService, type BulkServiceDeps } from './services/bulk.service';
import { createScheduleService } from './services/schedule.service';
import { countRejections, ipRateLimit, keyRateLimit } from './middleware/abuse-limit';
import { metricsHandler, safetyRouter } from './routes/safety.router';
import { createRateLimitService, type RateLimitService } from './services/rate-limit.service';
import { createTemporalBreaker, type TemporalBreaker } from './services/temporal-breaker';
import { breakerConfigFrom } from '../lib/circuit-breakers';
import { parseTrustProxy } from '../lib/trust-proxy';
import { createWebUi } from './ui';

export interface AppDeps {
  env: Env;
  adminKey: string;
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  urlPolicy: UrlPolicy;
  taskQueuePrefix?: string;
  bulkTuning?: BulkServiceDeps['bulkTuning'];
  /** Built by createApp when absent (tests may inject their own). */
  temporalBreaker?: TemporalBreaker;
  rateLimits?: RateLimitService;
}

/** Builds the Express app without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Whose X-Forwarded-For / -Proto to believe (TRUST_PROXY): req.ip feeds the per-IP limits and the sign-in throttle.
  app.set('trust proxy', parseTrustProxy(deps.env.TRUST_PROXY));
  app.use(securityHeaders);
  app.use(requestLogger(deps.logger));
  app.use(healthRouter(deps));
  // Safety layer (README "Safety, rate limits and circuit breakers"): one Temporal breaker and one quota service
  // shared by every service that submits scans.
  deps = {
    ...deps,
    temporalBreaker:
      deps.temporalBreaker ??
      createTemporalBreaker({ ...deps, config: breakerConfigFrom(deps.env), callTimeoutMs: deps.env.TEMPORAL_CALL_TIMEOUT }),
    rateLimits: deps.rateLimits ?? createRateLimitService(deps),
  };
  app.get('/metrics', metricsHandler(deps));

  const keys = createApiKeyService(deps.prisma, deps.adminKey, { maxKeysPerClient: deps.env.MAX_API_KEYS_PER_CLIENT });
  const scans = createScanService(deps);
  const api = express.Router();
  // Authenticate before parsing: nobody without a key gets a body parsed. Bulk bodies are allowed to be larger.
  api.use(ipRateLimit(deps.env.API_RATE_LIMIT_PER_IP, (key) => sameSecret(key, deps.adminKey)));
  api.use(authenticate(keys));
  api.use(keyRateLimit(deps.env.API_RATE_LIMIT_PER_KEY));
  api.use('/scans/bulk', express.json({ limit: deps.env.API_BULK_BODY_LIMIT }));
  api.use('/prospects/import', express.json({ limit: deps.env.API_BULK_BODY_LIMIT }));
  api.use(express.json({ limit: deps.env.API_BODY_LIMIT }));
  // Routers get the idempotency middleware, not the database: only services (and middleware) query Prisma.
  api.use('/scans/bulk', bulkRouter(createBulkService(deps), idempotent(deps.prisma)));
  api.use('/scans', scansRouter(scans, idempotent(deps.prisma)));
  const webUi = createWebUi(deps, { keys, scans });
  api.use('/scans', webUi.scanExports);
  api.use('/keys', keysRouter(keys));
  api.use('/schedules', schedulesRouter(createScheduleService(deps)));
  api.use(
    '/prospects',
    prospectsRouter(createProspectService({ ...deps, scans }), idempotent(deps.prisma), { importBodyLimit: deps.env.API_BULK_BODY_LIMIT }),
  );
  api.use('/monitoring', safetyRouter({ ...deps, rateLimits: deps.rateLimits! }));
  api.use('/monitoring/workers', workersRouter(deps));
  const queueMonitoring = createQueueMonitoringService({ ...deps, scans });
  // Health, telemetry, reliability, alerts, dashboard, recovery (README "Monitoring").
  api.use(
    '/monitoring',
    healthMonitoringRouter({ health: createHealthMonitoringService(deps), queue: queueMonitoring, safety: () => getSafetyReport(deps) }),
  );
  api.use('/monitoring', monitoringRouter(queueMonitoring));
  app.use('/api', api);
  // Web UI pages (/login, /dashboard, /scans/:id, /prospects/:id, …): session cookie, not the Bearer key.
  app.use(webUi.pages);

  app.use(notFoundHandler);
  app.use(countRejections(deps.prisma, deps.logger));
  app.use(errorHandler(deps.logger));
  return app;
}
