import { pageCsp, WEB_PAGE_CSP } from './security-headers';

/**
 * The Content-Security-Policy of the API reference page (/api/docs) only; every other API response keeps
 * `default-src 'none'`. It is the Web UI's policy (same-origin scripts, styles and fetches, no inline script, no
 * framing) plus `data:` images, which Swagger UI's stylesheet uses for its icons, and no form targets. Swagger UI
 * sets inline styles only through the DOM's style property, which CSP does not govern, so no `'unsafe-inline'`.
 */
export const docsCsp = pageCsp({
  ...WEB_PAGE_CSP,
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'form-action': ["'none'"],
});
