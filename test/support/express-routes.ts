import type { Express } from 'express';

export interface AppRoute {
  method: string;
  /** Express path syntax, mount paths included: `/api/scans/:scanId`. */
  path: string;
}

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: unknown };

/**
 * Every method and path the app routes, found by walking its router stack (Express 5: `app.router`, layers keep their
 * mount path in `rawPath`). Middleware without a route (authentication, parsers, static files) is not a route.
 */
export function appRoutes(app: Express): AppRoute[] {
  const routes: AppRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths)
          for (const [method, on] of Object.entries(layer.route.methods))
            if (on && method !== '_all') routes.push({ method, path: join(prefix, p) });
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '';
        walk(layer.handle.stack, join(prefix, mount));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return routes;
}

const join = (a: string, b: string) => `${a}/${b}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1') || '/';

/** `/api/scans/:scanId` → `/api/scans/{scanId}`. */
export const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
