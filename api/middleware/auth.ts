import type { RequestHandler, Response } from 'express';
import { forbidden, unauthorized } from '../http-errors';
import type { ApiKeyService, Principal } from '../services/api-key.service';

/** Requires `Authorization: Bearer <key>`; the principal is kept in res.locals.principal. */
export function authenticate(keys: ApiKeyService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return next(unauthorized());
    const principal = await keys.authenticate(m[1]);
    if (!principal) return next(unauthorized());
    res.locals.principal = principal;
    next();
  };
}

export const requireAdmin: RequestHandler = (_req, res, next) =>
  next(principalOf(res).kind === 'admin' ? undefined : forbidden('this endpoint needs the admin key'));

export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
