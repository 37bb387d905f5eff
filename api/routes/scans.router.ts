import { Router, type RequestHandler } from 'express';
import { principalOf } from '../middleware/auth';
import { announceQuotaOn } from '../middleware/rate-limit-headers';
import { validate } from '../middleware/validate';
import { CreateScanBody, ListScansQuery, ScanIdParams } from '../schemas/scans.schema';
import type { ScanService } from '../services/scan.service';

/** POST /api/scans, GET /api/scans, GET /api/scans/:scanId, POST /api/scans/:scanId/cancel */
export function scansRouter(scans: ScanService, once: RequestHandler): Router {
  const router = Router();

  // A retried submission with the same Idempotency-Key gets the first scan back instead of a second one.
  router.post(
    '/',
    validate({ body: CreateScanBody }, [once], async ({ body }, _req, res) => {
      const scan = await scans.submitAs(principalOf(res), body, announceQuotaOn(res));
      res.status(202).location(`/api/scans/${scan.scanId}`).json(scan);
    }),
  );

  router.get(
    '/',
    validate({ query: ListScansQuery }, async ({ query }, _req, res) => {
      res.json(await scans.listFor(principalOf(res), query));
    }),
  );

  router.get(
    '/:scanId',
    validate({ params: ScanIdParams }, async ({ params }, _req, res) => {
      res.json(await scans.visibleTo(params.scanId, principalOf(res)));
    }),
  );

  router.post(
    '/:scanId/cancel',
    validate({ params: ScanIdParams }, async ({ params }, _req, res) => {
      const scan = await scans.cancelFor(params.scanId, principalOf(res));
      res.status(202).json({ scanId: scan.scanId, status: 'cancelling' });
    }),
  );

  return router;
}
