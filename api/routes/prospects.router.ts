import express, { Router, type Request, type Response } from 'express';
import type { PrismaClient } from '../../lib/prisma';
import { badRequest, forbidden, HttpError } from '../http-errors';
import { principalOf } from '../middleware/auth';
import { idempotent } from '../middleware/idempotency';
import { describeZodError, validate } from '../middleware/validate';
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

/** The client a request acts for: a client key's own (another is a 403), or the admin's explicit choice. */
function clientFor(res: Response, given: string | undefined, what: string): string | undefined {
  const principal = principalOf(res);
  if (principal.kind === 'admin') return given;
  if (given !== undefined && given !== principal.clientId) throw forbidden(`this key can only ${what} for its own client`);
  return principal.clientId;
}

/** undefined for the admin (sees every client), the client id for a client key. */
function scopeOf(res: Response): string | undefined {
  const principal = principalOf(res);
  return principal.kind === 'admin' ? undefined : principal.clientId;
}

const idOf = (req: Request) => String(req.params.id);

/**
 * POST/GET /api/prospects, GET/PATCH/DELETE /api/prospects/:id, POST /api/prospects/import,
 * POST/GET /api/prospects/:id/scans
 */
export function prospectsRouter(prospects: ProspectService, prisma: PrismaClient, opts: ProspectsRouterOptions): Router {
  const router = Router();
  const once = idempotent(prisma);

  router.post('/', validate({ body: CreateProspectBody }), once, async (_req, res) => {
    const { body } = res.locals.input as { body: CreateProspectBody };
    const clientId = clientFor(res, body.clientId, 'create prospects');
    if (!clientId) throw badRequest('clientId: is required', { fields: [{ field: 'clientId', message: 'is required' }] });
    const prospect = await prospects.create({ ...body, clientId });
    res.status(201).location(`/api/prospects/${prospect.id}`).json(prospect);
  });

  router.get('/', validate({ query: ListProspectsQuery }), async (_req, res) => {
    const { query } = res.locals.input as { query: ListProspectsQuery };
    res.json(await prospects.list({ ...query, clientId: clientFor(res, query.clientId, 'list prospects') }));
  });

  router.post(
    '/import',
    express.text({ type: 'text/csv', limit: opts.importBodyLimit }),
    validate({ query: ImportQuery }),
    once,
    async (req, res) => {
      const { query } = res.locals.input as { query: ImportQuery };
      let rows: RawImportRow[];
      let defaultClientId = query.clientId;
      let ignoredColumns: string[] = [];
      if (req.is('text/csv')) {
        if (typeof req.body !== 'string') throw badRequest('the CSV body is empty');
        ({ rows, ignoredColumns } = rowsFromCsv(req.body));
      } else if (req.is('application/json')) {
        const parsed = ImportJsonBody.safeParse(req.body ?? {});
        if (!parsed.success) {
          const { message, fields } = describeZodError(parsed.error);
          throw badRequest(message, { fields });
        }
        if (parsed.data.clientId && query.clientId && parsed.data.clientId !== query.clientId) {
          throw badRequest('clientId: the body and the query name different clients');
        }
        defaultClientId = parsed.data.clientId ?? query.clientId;
        rows = rowsFromJson(parsed.data.prospects);
      } else {
        throw new HttpError(415, 'unsupported_media_type', 'send application/json ({ "prospects": [...] }) or text/csv');
      }
      defaultClientId = clientFor(res, defaultClientId, 'import prospects');
      const result = await prospects.importRows(rows, { defaultClientId, scope: scopeOf(res), onDuplicate: query.onDuplicate });
      res.json({ ...result, ...(ignoredColumns.length > 0 && { ignoredColumns }) });
    },
  );

  router.get('/:id', validate({ params: ProspectIdParams }), async (req, res) => {
    res.json(await prospects.get(idOf(req), scopeOf(res)));
  });

  router.patch('/:id', validate({ params: ProspectIdParams, body: UpdateProspectBody }), async (req, res) => {
    const { body } = res.locals.input as { body: UpdateProspectBody };
    res.json(await prospects.update(idOf(req), scopeOf(res), body));
  });

  router.delete('/:id', validate({ params: ProspectIdParams }), async (req, res) => {
    await prospects.remove(idOf(req), scopeOf(res));
    res.status(204).end();
  });

  router.post('/:id/scans', validate({ params: ProspectIdParams, body: ScanProspectBody }), once, async (req, res) => {
    const { body } = res.locals.input as { body: ScanProspectBody };
    const scan = await prospects.scan(idOf(req), scopeOf(res), body);
    res.status(202).location(`/api/scans/${scan.scanId}`).json(scan);
  });

  router.get('/:id/scans', validate({ params: ProspectIdParams, query: ProspectScansQuery }), async (req, res) => {
    const { query } = res.locals.input as { query: ProspectScansQuery };
    res.json(await prospects.history(idOf(req), scopeOf(res), query.limit));
  });

  return router;
}
