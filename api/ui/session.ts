// Browser sessions for the Web UI: an opaque random token in an httpOnly SameSite=Strict cookie, stored only as
// its SHA-256 in ui_sessions together with the principal, the session's CSRF token and a fingerprint of the key
// that opened it (the session ends when that key no longer signs anyone in).
import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { PrismaClient } from '../../lib/prisma';
import { HttpError } from '../http-errors';
import { sendProblem } from '../problem-details';
import { hashKey, type Principal } from '../services/api-key.service';

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

/**
 * `alwaysSecure` (NODE_ENV=production): Secure whatever the request looks like, so a TLS proxy that is not in
 * TRUST_PROXY (req.secure false) never gets the session token sent back over plain HTTP.
 */
export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeMs?: number, alwaysSecure = false): void {
  res.cookie(name, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure: alwaysSecure || req.secure,
    path: '/',
    ...(maxAgeMs !== undefined && { maxAge: maxAgeMs }),
  });
}

/**
 * What a session remembers of the key that opened it, so that it ends when that key stops being valid. A client
 * key: its SHA-256, as api_keys.key_hash already stores it. The admin key (never stored anywhere else): scrypt, so
 * the column does not make a weak operator key guessable offline.
 */
export function keyFingerprint(principal: Principal, key: string): string {
  return principal.kind === 'admin' ? scryptSync(key, 'wcag-ui-session:admin-key', 32).toString('hex') : hashKey(key);
}

export function createSessionStore(prisma: PrismaClient, ttlHours: number, adminKey: string) {
  const ttlMs = ttlHours * 3_600_000;
  // ADMIN_API_KEY changed (a restart with a new key): every admin session opened with the old one is refused.
  const adminFingerprint = keyFingerprint({ kind: 'admin' }, adminKey);
  let lastSweep = 0;
  return {
    ttlMs,
    /** `key`: the API key the principal signed in with (only its fingerprint is kept). */
    async create(principal: Principal, key: string): Promise<{ token: string; csrfToken: string }> {
      const token = newToken();
      const csrfToken = newToken();
      await prisma.uiSession.create({
        data: {
          tokenHash: sha256(token),
          kind: principal.kind,
          clientId: principal.kind === 'client' ? principal.clientId : null,
          keyId: principal.kind === 'client' ? principal.keyId : null,
          keyFingerprint: principal.kind === 'admin' ? adminFingerprint : keyFingerprint(principal, key),
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

    /**
     * The live session of a token. A session is over when the key that opened it no longer signs anyone in: the
     * admin key was changed, or the client key revoked. Rows without a fingerprint (opened before sessions were
     * bound to keys) are refused too.
     */
    async find(token: string | undefined): Promise<UiSession | null> {
      if (!token || token.length > 100) return null;
      const row = await prisma.uiSession.findUnique({ where: { tokenHash: sha256(token) } });
      if (!row || row.expiresAt < new Date() || !row.keyFingerprint) return null;
      let principal: Principal;
      if (row.kind === 'admin') {
        if (!sameToken(row.keyFingerprint, adminFingerprint)) return null;
        principal = { kind: 'admin' };
      } else {
        if (!row.keyId || !row.clientId) return null;
        const key = await prisma.apiKey.findUnique({ where: { id: row.keyId }, select: { revokedAt: true, keyHash: true } });
        if (!key || key.revokedAt || !sameToken(row.keyFingerprint, key.keyHash)) return null;
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
  // No WWW-Authenticate: Bearer here; a session, not a key, is what is missing.
  sendProblem(req, res, new HttpError(401, 'unauthorized', 'sign in first'));
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
