import { Router } from 'express';
import { notFound } from '../http-errors';
import { requireAdmin } from '../middleware/auth';
import { validate } from '../middleware/validate';
import { KeyIdParams, ListKeysQuery } from '../schemas/keys.schema';
import { CreateKeyBody } from '../schemas/scans.schema';
import type { ApiKeyService } from '../services/api-key.service';

/** Admin-only: POST /api/keys, GET /api/keys, DELETE /api/keys/:id */
export function keysRouter(keys: ApiKeyService): Router {
  const router = Router();
  router.use(requireAdmin);

  router.post(
    '/',
    validate({ body: CreateKeyBody }, async ({ body }, _req, res) => {
      const created = await keys.create(body.clientId, body.name);
      res.status(201).location(`/api/keys/${created.id}`).json(created);
    }),
  );

  router.get(
    '/',
    validate({ query: ListKeysQuery }, async ({ query }, _req, res) => {
      res.json(await keys.list(query));
    }),
  );

  router.delete(
    '/:id',
    validate({ params: KeyIdParams }, async ({ params }, _req, res) => {
      if (!(await keys.revoke(params.id))) throw notFound('key');
      res.status(204).end();
    }),
  );

  return router;
}
