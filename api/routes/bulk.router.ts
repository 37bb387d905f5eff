import { Router } from 'express';
import type { PrismaClient } from '../../lib/prisma';
import { principalOf } from '../middleware/auth';
import { idempotent } from '../middleware/idempotency';
import { validate } from '../middleware/validate';
import { notFound } from '../http-errors';
import { BulkIdParams, BulkItemsQuery, CreateBulkBody } from '../schemas/bulk.schema';
import { OPERATOR_IDENTITY } from '../schemas/scans.schema';
import { submitterOf, type BulkService } from '../services/bulk.service';
import type { Principal } from '../services/api-key.service';

/** POST /api/scans/bulk, GET /api/scans/bulk/:bulkId, POST /api/scans/bulk/:bulkId/cancel */
export function bulkRouter(bulks: BulkService, prisma: PrismaClient): Router {
  const router = Router();

  const visible = async (bulkId: string, principal: Principal) => {
    const owner = await bulks.owner(bulkId);
    // A client key sees only bulks it submitted itself, and never the operator's (recorded as OPERATOR_IDENTITY, which
    // no valid client id equals; checked anyway, should a key row ever hold it).
    const mine = owner && owner.submittedBy !== OPERATOR_IDENTITY && owner.submittedBy === submitterOf(principal);
    if (!owner || (principal.kind === 'client' && !mine)) throw notFound('bulk');
    return owner;
  };

  // A retried submission with the same Idempotency-Key gets the original bulk back, not a second one.
  router.post('/', validate({ body: CreateBulkBody }), idempotent(prisma), async (_req, res) => {
    const { body } = res.locals.input as { body: CreateBulkBody };
    const result = await bulks.submit(body, principalOf(res));
    if (result.status === 'rejected') {
      res.status(422).json({ error: 'no_valid_items', message: 'every item was rejected', ...result });
      return;
    }
    res.status(202).location(`/api/scans/bulk/${result.bulkId}`).json(result);
  });

  router.get('/:bulkId', validate({ params: BulkIdParams, query: BulkItemsQuery }), async (_req, res) => {
    const { params, query } = res.locals.input as { params: { bulkId: string }; query: { limit: number; offset: number } };
    await visible(params.bulkId, principalOf(res));
    res.json(await bulks.progress(params.bulkId, query));
  });

  router.post('/:bulkId/cancel', validate({ params: BulkIdParams }), async (_req, res) => {
    const { params } = res.locals.input as { params: { bulkId: string } };
    const owner = await visible(params.bulkId, principalOf(res));
    await bulks.cancel(params.bulkId, owner.status);
    res.status(202).json({ bulkId: params.bulkId, status: 'cancelling' });
  });

  return router;
}
