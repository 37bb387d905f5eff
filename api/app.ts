import express, { type Express } from 'express';
import { authenticate } from './middleware/auth';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { httpMetrics } from './middleware/http-metrics';
import { idempotent } from './middleware/idempotency';
import { requestLogger } from './middleware/request-logger';
import { retryAfterOnRefusals } from './middleware/rate-limit-headers';
import { securityHeaders } from './middleware/security-headers';
import { healthRouter } from './routes/health.router';
import { openApiRouter } from './routes/openapi.router';
import { keysRouter } from './routes/keys.router';
import { queueMonitoringRouter } from './routes/queue-monitoring.router';
import { healthMonitoringRouter } from './routes/health-monitoring.router';
import { scansRouter } from './routes/scans.router';
import { prospectsRouter } from './routes/prospects.router';
import { bulkRouter } from './routes/bulk.router';
import { auditsRouter } from './routes/audits.router';
import { schedulesRouter } from './routes/schedules.router';
import { workersRouter } from './routes/workers.router';
import { sameSecret } from './services/api-key.service';
import { countRejections, ipRateLimit, keyRateLimit } from './middleware/abuse-limit';
import { metricsHandler, safetyRouter } from './routes/safety.router';
import { createServices, type ServicesDeps } from './services';
import { parseTrustProxy } from '../lib/trust-proxy';
import { apiMetrics } from '../lib/metrics';
import { createWebUi } from './ui';

export type AppDeps = ServicesDeps;

/** Builds the Express app without listening, so tests drive it with supertest. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Whose X-Forwarded-For / -Proto to believe (TRUST_PROXY): req.ip feeds the per-IP limits and the sign-in throttle.
  app.set('trust proxy', parseTrustProxy(deps.env.TRUST_PROXY));
  app.use(httpMetrics(deps.metrics ?? apiMetrics()));
  app.use(securityHeaders({ production: deps.env.NODE_ENV === 'production' }));
  app.use(requestLogger(deps.logger));
  app.use(healthRouter(deps));
  // The contract and its reference page: open, before the API's authentication (README "API").
  app.use(openApiRouter());
  // Built once: the JSON routers and the Web UI share these instances and so their caches.
  const services = createServices(deps);
  app.get('/metrics', metricsHandler(deps));

  const api = express.Router();
  // Authenticate before parsing: nobody without a key gets a body parsed. Bulk bodies are allowed to be larger.
  api.use(ipRateLimit(deps.env.API_RATE_LIMIT_PER_IP, (key) => sameSecret(key, deps.adminKey)));
  api.use(authenticate(services.keys));
  api.use(keyRateLimit(deps.env.API_RATE_LIMIT_PER_KEY));
  api.use('/scans/bulk', express.json({ limit: deps.env.API_BULK_BODY_LIMIT }));
  api.use('/prospects/import', express.json({ limit: deps.env.API_BULK_BODY_LIMIT }));
  api.use(express.json({ limit: deps.env.API_BODY_LIMIT }));
  // Routers get the idempotency middleware, not the database: only services (and middleware) query Prisma.
  const idempotency = idempotent(deps.prisma);
  api.use('/scans/bulk', bulkRouter(services.bulks, idempotency));
  api.use('/scans', scansRouter(services.scans, idempotency));
  const webUi = createWebUi(deps, services);
  api.use('/scans', webUi.scanExports);
  api.use('/audits', auditsRouter(services.audits, idempotency));
  api.use('/audits', webUi.auditPdf);
  api.use('/audits', webUi.auditEarl);
  api.use('/keys', keysRouter(services.keys));
  api.use('/schedules', schedulesRouter(services.schedules));
  api.use('/prospects', prospectsRouter(services.prospects, idempotency, { importBodyLimit: deps.env.API_BULK_BODY_LIMIT }));
  api.use('/monitoring', safetyRouter(services));
  api.use('/monitoring/workers', workersRouter(deps));
  // Health, telemetry, reliability, alerts, dashboard, recovery (README "Monitoring").
  api.use('/monitoring', healthMonitoringRouter({ health: services.health, queue: services.queueMonitoring, safety: services.safety }));
  api.use('/monitoring', queueMonitoringRouter(services.queueMonitoring));
  app.use('/api', api);
  // Web UI pages (/login, /dashboard, /scans/:id, /prospects/:id, …): session cookie, not the Bearer key.
  app.use(webUi.pages);

  app.use(notFoundHandler);
  app.use(countRejections(deps.prisma, deps.logger));
  app.use(retryAfterOnRefusals);
  app.use(errorHandler(deps.logger));
  return app;
}
