import type { RequestHandler } from 'express';

/**
 * The Content-Security-Policy of the API reference page (/api/docs) only; every other API response keeps
 * `default-src 'none'`. It is the Web UI's policy (same-origin scripts, styles and fetches, no inline script, no
 * framing) plus `data:` images, which Swagger UI's stylesheet uses for its icons. Swagger UI sets inline styles only
 * through the DOM's style property, which CSP does not govern, so no `'unsafe-inline'` is needed.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

export const docsCsp: RequestHandler = (_req, res, next) => {
  res.set('Content-Security-Policy', DOCS_CSP);
  next();
};
