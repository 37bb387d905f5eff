// Browser sessions for the Web UI: an opaque random token in an httpOnly SameSite=Strict cookie, stored only as
// its SHA-256 in ui_sessions together with the principal and the session's CSRF token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { PrismaClient } from '../../lib/prisma';
import type { Principal } from '../services/api-key.service';

export const SESSION_COOKIE = 'wcag_session';
export const LOGIN_CSRF_COOKIE = 'wcag_login_csrf';

export interface UiSession {
  principal: Principal;
  csrfToken: string;
  tokenHash: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

/** The cookies of a request (no cookie-parser: two cookies do not need a dependency). */
export function cookiesOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a cookie that is not ours and not URI-encoded
    }
  }
  return out;
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeMs?: number): void {
  res.cookie(name, value, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', ...(maxAgeMs !== undefined && { maxAge: maxAgeMs }) });
}

export function createSessionStore(prisma: PrismaClient, ttlHours: number) {
  const ttlMs = ttlHours * 3_600_000;
  let lastSweep = 0;
  return {
    ttlMs,
    async create(principal: Principal): Promise<{ token: string; csrfToken: string }> {
      const token = newToken();
      const csrfToken = newToken();
      await prisma.uiSession.create({
        data: {
          tokenHash: sha256(token),
          kind: principal.kind,
          clientId: principal.kind === 'client' ? principal.clientId : null,
          keyId: principal.kind === 'client' ? principal.keyId : null,
          csrfToken,
          expiresAt: new Date(Date.now() + ttlMs),
        },
      });
      // Expired rows are swept now and then by sign-ins, not by a timer.
      if (Date.now() - lastSweep > 3_600_000) {
        lastSweep = Date.now();
        await prisma.uiSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
      }
      return { token, csrfToken };
    },

    /** The live session of a token; a client session whose API key was revoked is over. */
    async find(token: string | undefined): Promise<UiSession | null> {
      if (!token || token.length > 100) return null;
      const row = await prisma.uiSession.findUnique({ where: { tokenHash: sha256(token) } });
      if (!row || row.expiresAt < new Date()) return null;
      let principal: Principal;
      if (row.kind === 'admin') principal = { kind: 'admin' };
      else {
        if (!row.keyId || !row.clientId) return null;
        const key = await prisma.apiKey.findUnique({ where: { id: row.keyId }, select: { revokedAt: true } });
        if (!key || key.revokedAt) return null;
        principal = { kind: 'client', clientId: row.clientId, keyId: row.keyId };
      }
      return { principal, csrfToken: row.csrfToken, tokenHash: row.tokenHash };
    },

    async destroy(tokenHash: string): Promise<void> {
      await prisma.uiSession.deleteMany({ where: { tokenHash } });
    },
  };
}
export type SessionStore = ReturnType<typeof createSessionStore>;

/** Loads the session into res.locals.session and res.locals.principal (same place the API's auth puts it). */
export function loadSession(store: SessionStore): RequestHandler {
  return async (req, res, next) => {
    const session = await store.find(cookiesOf(req)[SESSION_COOKIE]);
    if (session) {
      res.locals.session = session;
      res.locals.principal = session.principal;
    }
    next();
  };
}

export const sessionOf = (res: Response): UiSession | undefined => res.locals.session as UiSession | undefined;

/** Pages: no session → the login page, remembering where the user was going (a path on this site only). */
export const requireSession: RequestHandler = (req, res, next) => {
  if (sessionOf(res)) return next();
  if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
    const to = req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : '/';
    return res.redirect(303, `/login?next=${encodeURIComponent(to)}`);
  }
  res.status(401).json({ error: 'unauthorized', message: 'sign in first' });
};

/**
 * State-changing requests carry the session's CSRF token, in the `_csrf` form field or the X-CSRF-Token header
 * (the live dashboard's fetch calls). SameSite=Strict already keeps cross-site requests cookieless; this is the
 * second lock.
 */
export const requireCsrf: RequestHandler = (req, res, next) => {
  const session = sessionOf(res);
  const given = (req.body as { _csrf?: unknown } | undefined)?._csrf ?? req.get('x-csrf-token');
  if (session && typeof given === 'string' && sameToken(given, session.csrfToken)) return next();
  res.status(403).type('text/plain').send('Forbidden: the form has expired or did not come from this site. Reload the page and try again.');
};
