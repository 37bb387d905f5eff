import { Router, type RequestHandler } from 'express';
import { HttpError } from '../http-errors';
import { principalOf } from '../middleware/auth';
import { announceQuotaOn } from '../middleware/rate-limit-headers';
import { validate } from '../middleware/validate';
import { BulkIdParams, BulkItemsQuery, CreateBulkBody } from '../schemas/bulk.schema';
import type { BulkService } from '../services/bulk.service';

/** POST /api/scans/bulk, GET /api/scans/bulk/:bulkId, POST /api/scans/bulk/:bulkId/cancel */
export function bulkRouter(bulks: BulkService, once: RequestHandler): Router {
  const router = Router();

  // A retried submission with the same Idempotency-Key gets the original bulk back, not a second one.
  router.post(
    '/',
    validate({ body: CreateBulkBody }, [once], async ({ body }, _req, res) => {
      const result = await bulks.submit(body, principalOf(res), announceQuotaOn(res));
      if (result.status === 'rejected') {
        const { status: _status, ...outcome } = result;
        // The outcome's members also stay at the top level, where clients read them before this was a problem body.
        throw new HttpError(422, 'no_valid_items', 'every item was rejected', outcome, {}, outcome);
      }
      res.status(202).location(`/api/scans/bulk/${result.bulkId}`).json(result);
    }),
  );

  router.get(
    '/:bulkId',
    validate({ params: BulkIdParams, query: BulkItemsQuery }, async ({ params, query }, _req, res) => {
      await bulks.visibleTo(params.bulkId, principalOf(res));
      res.json(await bulks.progress(params.bulkId, query));
    }),
  );

  router.post(
    '/:bulkId/cancel',
    validate({ params: BulkIdParams }, async ({ params }, _req, res) => {
      const owner = await bulks.visibleTo(params.bulkId, principalOf(res));
      await bulks.cancel(params.bulkId, owner.status);
      res.status(202).json({ bulkId: params.bulkId, status: 'cancelling' });
    }),
  );

  return router;
}
