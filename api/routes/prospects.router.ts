import express, { Router, type RequestHandler } from 'express';
import { badRequest, HttpError, invalidField } from '../http-errors';
import { principalOf } from '../middleware/auth';
import { announceQuotaOn } from '../middleware/rate-limit-headers';
import { validate, zodBadRequest } from '../middleware/validate';
import {
  CreateProspectBody,
  ImportJsonBody,
  ImportQuery,
  ListProspectsQuery,
  ProspectIdParams,
  ProspectScansQuery,
  ScanProspectBody,
  UpdateProspectBody,
} from '../schemas/prospects.schema';
import { rowsFromCsv, rowsFromJson, type RawImportRow } from '../services/prospect-import';
import type { ProspectService } from '../services/prospect.service';

export interface ProspectsRouterOptions {
  /**
   * Largest CSV import body (10,000 rows with notes do not fit in API_BODY_LIMIT); the app mounts a JSON parser
   * with the same limit on /api/prospects/import ahead of its default one.
   */
  importBodyLimit: string;
}

/**
 * POST/GET /api/prospects, GET/PATCH/DELETE /api/prospects/:id, POST /api/prospects/import,
 * POST/GET /api/prospects/:id/scans
 */
export function prospectsRouter(prospects: ProspectService, once: RequestHandler, opts: ProspectsRouterOptions): Router {
  const router = Router();

  router.post(
    '/',
    validate({ body: CreateProspectBody }, [once], async ({ body }, _req, res) => {
      const prospect = await prospects.create(principalOf(res), body);
      res.status(201).location(`/api/prospects/${prospect.id}`).json(prospect);
    }),
  );

  router.get(
    '/',
    validate({ query: ListProspectsQuery }, async ({ query }, _req, res) => {
      res.json(await prospects.list(principalOf(res), query));
    }),
  );

  router.post(
    '/import',
    express.text({ type: 'text/csv', limit: opts.importBodyLimit }),
    validate({ query: ImportQuery }, [once], async ({ query }, req, res) => {
      let rows: RawImportRow[];
      let defaultClientId = query.clientId;
      let ignoredColumns: string[] = [];
      if (req.is('text/csv')) {
        if (typeof req.body !== 'string') throw badRequest('the CSV body is empty');
        ({ rows, ignoredColumns } = rowsFromCsv(req.body));
      } else if (req.is('application/json')) {
        const parsed = ImportJsonBody.safeParse(req.body ?? {});
        if (!parsed.success) throw zodBadRequest(parsed.error);
        if (parsed.data.clientId && query.clientId && parsed.data.clientId !== query.clientId) {
          throw invalidField('clientId', 'the body and the query name different clients');
        }
        defaultClientId = parsed.data.clientId ?? query.clientId;
        rows = rowsFromJson(parsed.data.prospects);
      } else {
        throw new HttpError(415, 'unsupported_media_type', 'send application/json ({ "prospects": [...] }) or text/csv');
      }
      const result = await prospects.importRows(principalOf(res), rows, { defaultClientId, onDuplicate: query.onDuplicate });
      res.json({ ...result, ...(ignoredColumns.length > 0 && { ignoredColumns }) });
    }),
  );

  router.get(
    '/:id',
    validate({ params: ProspectIdParams }, async ({ params }, _req, res) => {
      res.json(await prospects.get(params.id, principalOf(res)));
    }),
  );

  router.patch(
    '/:id',
    validate({ params: ProspectIdParams, body: UpdateProspectBody }, async ({ params, body }, _req, res) => {
      res.json(await prospects.update(params.id, principalOf(res), body));
    }),
  );

  router.delete(
    '/:id',
    validate({ params: ProspectIdParams }, async ({ params }, _req, res) => {
      await prospects.remove(params.id, principalOf(res));
      res.status(204).end();
    }),
  );

  router.post(
    '/:id/scans',
    validate({ params: ProspectIdParams, body: ScanProspectBody }, [once], async ({ params, body }, _req, res) => {
      const scan = await prospects.scan(params.id, principalOf(res), body, announceQuotaOn(res));
      res.status(202).location(`/api/scans/${scan.scanId}`).json(scan);
    }),
  );

  router.get(
    '/:id/scans',
    validate({ params: ProspectIdParams, query: ProspectScansQuery }, async ({ params, query }, _req, res) => {
      res.json(await prospects.history(params.id, principalOf(res), query));
    }),
  );

  return router;
}
