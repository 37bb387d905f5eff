import type { RequestHandler } from 'express';
import helmet, { contentSecurityPolicy } from 'helmet';

type CspDirectives = Record<string, string[]>;

// A JSON API loads nothing and is framed by nobody.
const API_CSP: CspDirectives = { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] };

// One year, as browsers' preload lists expect; without includeSubDomains: the API's host name does not decide for
// sibling hosts of the same domain (an operator who owns the whole domain can add it at the TLS proxy).
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600;

/**
 * Helmet's headers for every response: the API's CSP, nosniff, frame denial, no referrer, same-origin resource and
 * opener policies, and HSTS only in production (NODE_ENV=production: behind TLS; a development server on plain
 * http://127.0.0.1 must not pin a browser to HTTPS for a year). Responses carry scan data: never cached.
 * The Web UI's pages replace the CSP with their own (`pageCsp`).
 */
export function securityHeaders(opts: { production: boolean }): RequestHandler[] {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    strictTransportSecurity: opts.production ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  const noStore: RequestHandler = (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  };
  return [headers, noStore];
}

// The Web UI's pages load their own stylesheet, script and screenshots, and nothing else; forms post only here.
export const WEB_PAGE_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'style-src': ["'self'"],
  'script-src': ["'self'"],
  'img-src': ["'self'"],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
};

/** A page's own Content-Security-Policy in place of the API's, with nothing of Helmet's defaults added. */
export const pageCsp = (directives: CspDirectives): RequestHandler => contentSecurityPolicy({ useDefaults: false, directives });
