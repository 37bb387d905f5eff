import { Router } from 'express';
import { createTtlCache } from '../../lib/async';
import { requireAdmin } from '../middleware/auth';
import { validate } from '../middleware/validate';
import { AlertsQuery, ReliabilityQuery } from '../schemas/health-monitoring.schema';
import type { HealthMonitoringService } from '../services/health-monitoring.service';
import type { QueueMonitoringService } from '../services/queue-monitoring.service';

export interface DashboardSources {
  health: HealthMonitoringService;
  queue: QueueMonitoringService;
  /** The safety report (rate limits, breakers). */
  safety: () => Promise<unknown>;
}

/**
 * How long one built dashboard answers every poll (README "Monitoring"): a dashboard polled by several operators
 * under load would otherwise repeat its dozen queries and a large serialisation per poll.
 */
export const DASHBOARD_CACHE_MS = 1_000;

/** A part that failed shows as `{ error }` and the rest of the dashboard still answers. */
async function part<T>(p: Promise<T>): Promise<T | { error: string }> {
  try {
    return await p;
  } catch {
    return { error: 'unavailable' };
  }
}

/**
 * Admin-only: GET /api/monitoring/health, /queue/health, /puppeteer, /reliability?days=, /alerts, /dashboard and
 * POST /api/monitoring/recover.
 */
export function healthMonitoringRouter(src: DashboardSources): Router {
  const router = Router();
  router.use(requireAdmin);
  const { health } = src;

  router.get('/health', async (_req, res) => {
    const report = await health.health();
    // 503 when critical, so a load balancer or uptime checker can use this endpoint directly.
    // Every 503 says when to ask again: the health report is recomputed on each request, so soon.
    if (report.status === 'critical') res.set('Retry-After', '10');
    res
      .status(report.status === 'critical' ? 503 : 200)
      .set('Cache-Control', 'no-store')
      .json(report);
  });

  router.get('/queue/health', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await health.queueHealth());
  });

  router.get('/puppeteer', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await health.puppeteer());
  });

  router.get(
    '/reliability',
    validate({ query: ReliabilityQuery }, async ({ query }, _req, res) => {
      res.json(await health.reliability(query.days));
    }),
  );

  router.get(
    '/alerts',
    validate({ query: AlertsQuery }, async ({ query }, _req, res) => {
      res.set('Cache-Control', 'no-store').json(await health.alerts(query));
    }),
  );

  /** The dashboard's parts, read concurrently; each part keeps its own cache (health, queue health, reliability, safety). */
  const buildDashboard = async (): Promise<string> => {
    const [report, queueHealth, queueStats, puppeteer, reliability, alerts, safety] = await Promise.all([
      part(health.health()),
      part(health.queueHealth()),
      part(src.queue.stats({ window: { text: '24h', ms: 24 * 3600_000 } })),
      part(health.puppeteer()),
      part(health.reliability(7)),
      part(health.alerts({ status: 'firing', limit: 20 })),
      part(src.safety()),
    ]);
    return JSON.stringify({
      health: report,
      queue: { health: queueHealth, stats: queueStats },
      puppeteer,
      reliability,
      alerts,
      safety,
      asOf: new Date().toISOString(),
    });
  };
  // One build (and one serialisation) per DASHBOARD_CACHE_MS, shared by every poll in that time.
  const dashboardCache = createTtlCache();

  router.get('/dashboard', async (_req, res) => {
    const body = await dashboardCache.get('dashboard', DASHBOARD_CACHE_MS, buildDashboard);
    res.set('Cache-Control', 'no-store').type('application/json').send(body);
  });

  router.post('/recover', async (_req, res) => {
    const result = await health.recover();
    dashboardCache.clear();
    res.json(result);
  });

  return router;
}
