import { Router, type RequestHandler } from 'express';
import type { Env } from '../../lib/env';
import { apiMetrics } from '../../lib/metrics';
import type { PrismaClient } from '../../lib/prisma';
import { principalOf, requireAdmin } from '../middleware/auth';
import { canAccessClient } from '../services/access';
import { validate } from '../middleware/validate';
import { notFound, unauthorized } from '../http-errors';
import { RateLimitParams, SetRateLimitBody } from '../schemas/safety.schema';
import { sameSecret } from '../services/api-key.service';
import type { RateLimitService } from '../services/rate-limit.service';
import type { SafetyReport } from '../services/safety.service';

/**
 * GET /api/monitoring/safety (admin), GET /api/monitoring/rate-limit/:clientId (admin, or that client's own key),
 * PUT /api/monitoring/rate-limit/:clientId (admin). Mounted before the admin-only monitoring router.
 */
export function safetyRouter(deps: { rateLimits: RateLimitService; safety: () => Promise<SafetyReport> }): Router {
  const router = Router();

  router.get('/safety', requireAdmin, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await deps.safety());
  });

  router.get(
    '/rate-limit/:clientId',
    validate({ params: RateLimitParams }, async ({ params }, _req, res) => {
      // Another client's quota is "not found", as everywhere else a client key looks past its own data.
      if (!canAccessClient(principalOf(res), params.clientId)) throw notFound('client');
      res.set('Cache-Control', 'no-store').json(await deps.rateLimits.status(params.clientId));
    }),
  );

  router.put(
    '/rate-limit/:clientId',
    requireAdmin,
    validate({ params: RateLimitParams, body: SetRateLimitBody }, async ({ params, body }, _req, res) => {
      res.json(await deps.rateLimits.setLimit(params.clientId, body.scansPerHour));
    }),
  );

  return router;
}

/** GET /metrics (Prometheus text): bearer admin key or METRICS_TOKEN. */
export function metricsHandler(deps: { env: Env; adminKey: string; prisma: PrismaClient }): RequestHandler {
  const metrics = apiMetrics();
  metrics.watchBreakers(deps.prisma);
  return async (req, res, next) => {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1] ?? '';
    const ok = sameSecret(token, deps.adminKey) || (!!deps.env.METRICS_TOKEN && sameSecret(token, deps.env.METRICS_TOKEN));
    if (!ok) return next(unauthorized());
    await metrics.refreshBreakers();
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
