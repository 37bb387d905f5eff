import { Router, type RequestHandler } from 'express';
import { principalOf } from '../middleware/auth';
import { announceQuotaOn } from '../middleware/rate-limit-headers';
import { validate } from '../middleware/validate';
import { AuditIdParams, CreateAuditBody, ListAuditPagesQuery, ListAuditsQuery } from '../schemas/audits.schema';
import type { AuditService } from '../services/audit.service';

/**
 * POST /api/audits, GET /api/audits, GET /api/audits/:auditId, GET /api/audits/:auditId/pages,
 * POST /api/audits/:auditId/cancel, GET /api/audits/:auditId/report.json, GET /api/audits/:auditId/report.csv
 */
export function auditsRouter(audits: AuditService, once: RequestHandler): Router {
  const router = Router();

  // A retried submission with the same Idempotency-Key gets the first audit back instead of a second one.
  router.post(
    '/',
    validate({ body: CreateAuditBody }, [once], async ({ body }, _req, res) => {
      const audit = await audits.submit(body, principalOf(res), announceQuotaOn(res));
      res.status(202).location(`/api/audits/${audit.auditId}`).json(audit);
    }),
  );

  router.get(
    '/',
    validate({ query: ListAuditsQuery }, async ({ query }, _req, res) => {
      res.json(await audits.list(query, principalOf(res)));
    }),
  );

  router.get(
    '/:auditId',
    validate({ params: AuditIdParams }, async ({ params }, _req, res) => {
      res.json(await audits.get(params.auditId, principalOf(res)));
    }),
  );

  router.get(
    '/:auditId/pages',
    validate({ params: AuditIdParams, query: ListAuditPagesQuery }, async ({ params, query }, _req, res) => {
      res.json(await audits.pages(params.auditId, query, principalOf(res)));
    }),
  );

  router.post(
    '/:auditId/cancel',
    validate({ params: AuditIdParams }, async ({ params }, _req, res) => {
      res.status(202).json(await audits.cancel(params.auditId, principalOf(res)));
    }),
  );

  router.get(
    '/:auditId/report.json',
    validate({ params: AuditIdParams }, async ({ params }, _req, res) => {
      const report = await audits.reportJson(params.auditId, principalOf(res));
      res.attachment(`audit-${params.auditId}-report.json`).json(report);
    }),
  );

  router.get(
    '/:auditId/report.csv',
    validate({ params: AuditIdParams }, async ({ params }, _req, res) => {
      const csv = await audits.reportCsv(params.auditId, principalOf(res));
      res.attachment(`audit-${params.auditId}-issues.csv`).type('text/csv; charset=utf-8').send(csv);
    }),
  );

  return router;
}
