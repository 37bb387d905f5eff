import type { Request, RequestHandler } from 'express';
import type { ApiMetrics } from '../../lib/metrics';

/** The `route` label of requests no route answered (401 before routing, 404, 429 by the abuse limits…). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Remembers the full route template (`/api/scans/:id`) when the router matches a route. It cannot be read when the
 * response ends: a router that passes an error on restores `req.baseUrl` to its parent's, and `req.route.path`
 * alone (`/:id`) is ambiguous. Express sets `req.route` at the moment of the match, when `req.baseUrl` is the
 * mount path of the router that matched, so a setter catches both.
 */
function captureRouteTemplate(req: Request): () => string {
  let template = UNMATCHED_ROUTE;
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: { path?: unknown } | undefined) {
      route = value;
      // Every route here is a string path; a RegExp or array one would be unbounded or ambiguous as a label.
      // A router's own root route ('/') would otherwise add a trailing slash: /api/scans/ for POST /api/scans.
      if (typeof value?.path === 'string') template = `${req.baseUrl}${value.path}`.replace(/(.)\/$/, '$1') || '/';
    },
  });
  return () => template;
}

/** Observes every request's duration in `http_request_duration_seconds{method,route,status_code}`. */
export function httpMetrics(metrics: Pick<ApiMetrics, 'httpRequestDuration'>): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    const template = captureRouteTemplate(req);
    res.once('finish', () => end({ method: req.method, route: template(), status_code: String(res.statusCode) }));
    next();
  };
}
