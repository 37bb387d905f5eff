import { Router } from 'express';
import { requireAdmin } from '../middleware/auth';
import { validate } from '../middleware/validate';
import { FailedJobsQuery, JobIdParams, QueueStatsQuery, ReconcileQuery } from '../schemas/monitoring.schema';
import type { QueueMonitoringService } from '../services/queue-monitoring.service';

/**
 * Admin-only: GET /api/monitoring/queue/stats, GET /api/monitoring/queue/failed,
 * POST /api/monitoring/queue/retry/:jobId, GET /api/monitoring/reconcile
 */
export function queueMonitoringRouter(monitoring: QueueMonitoringService): Router {
  const router = Router();
  router.use(requireAdmin);

  router.get(
    '/queue/stats',
    validate({ query: QueueStatsQuery }, async ({ query }, _req, res) => {
      res.set('Cache-Control', 'no-store').json(await monitoring.stats(query));
    }),
  );

  router.get(
    '/queue/failed',
    validate({ query: FailedJobsQuery }, async ({ query }, _req, res) => {
      res.json(await monitoring.failed(query));
    }),
  );

  router.post(
    '/queue/retry/:jobId',
    validate({ params: JobIdParams }, async ({ params }, _req, res) => {
      const retry = await monitoring.retry(params.jobId);
      res.status(202).location(`/api/scans/${retry.scanId}`).json(retry);
    }),
  );

  router.get(
    '/reconcile',
    validate({ query: ReconcileQuery }, async ({ query }, _req, res) => {
      res.json(await monitoring.reconcile(query));
    }),
  );

  return router;
}
