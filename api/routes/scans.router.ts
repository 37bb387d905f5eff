import { Router } from 'express';
import type { PrismaClient } from '../../lib/prisma';
import { canAccessClient, principalOf } from '../middleware/auth';
import { idempotent } from '../middleware/idempotency';
import { validate } from '../middleware/validate';
import { isUuid } from '../../lib/ids';
import { badRequest, forbidden, notFound } from '../http-errors';
import { CreateScanBody, ListScansQuery, ScanIdParams } from '../schemas/scans.schema';
import type { ScanService } from '../services/scan.service';

/** POST /api/scans, GET /api/scans, GET /api/scans/:scanId, POST /api/scans/:scanId/cancel */
export function scansRouter(scans: ScanService, prisma: PrismaClient): Router {
  const router = Router();

  // A retried submission with the same Idempotency-Key gets the first scan back instead of a second one.
  router.post('/', validate({ body: CreateScanBody }), idempotent(prisma), async (_req, res) => {
    const { body } = res.locals.input as { body: CreateScanBody };
    const principal = principalOf(res);
    let clientId = body.clientId;
    if (principal.kind === 'client') {
      if (clientId && clientId !== principal.clientId) throw forbidden('this key can only submit scans for its own client');
      clientId = principal.clientId;
    }
    if (!clientId) throw badRequest('clientId: is required', { fields: [{ field: 'clientId', message: 'is required' }] });
    // A scan may only be filed under a prospect of its own client (the same answer whether it is missing or not ours).
    if (body.prospectId && !(isUuid(body.prospectId) && (await prisma.prospect.count({ where: { id: body.prospectId, clientId } })) > 0)) {
      throw badRequest('prospectId: no such prospect for this client', { fields: [{ field: 'prospectId', message: 'no such prospect for this client' }] });
    }
    const scan = await scans.submit({ ...body, clientId, enforceQuota: principal.kind === 'client' });
    res.status(202).location(`/api/scans/${scan.scanId}`).json(scan);
  });

  router.get('/', validate({ query: ListScansQuery }), async (_req, res) => {
    const { query } = res.locals.input as { query: ListScansQuery };
    const principal = principalOf(res);
    if (principal.kind === 'client') {
      if (query.clientId && query.clientId !== principal.clientId) throw forbidden('this key can only list its own scans');
      query.clientId = principal.clientId;
    }
    res.json(await scans.list(query));
  });

  const visibleScan = async (scanId: string, principal: ReturnType<typeof principalOf>) => {
    const scan = await scans.get(scanId);
    // Another client's scan is reported as absent, not forbidden: its existence is not ours to reveal.
    if (!scan || !canAccessClient(principal, scan.clientId)) throw notFound('scan');
    return scan;
  };

  router.get('/:scanId', validate({ params: ScanIdParams }), async (req, res) => {
    res.json(await visibleScan(String(req.params.scanId), principalOf(res)));
  });

  router.post('/:scanId/cancel', validate({ params: ScanIdParams }), async (req, res) => {
    const scan = await visibleScan(String(req.params.scanId), principalOf(res));
    await scans.cancel(scan.scanId, scan.status);
    res.status(202).json({ scanId: scan.scanId, status: 'cancelling' });
  });

  return router;
}
