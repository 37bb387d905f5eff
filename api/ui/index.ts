import type { Router } from 'express';
import type { Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../lib/prisma';
import type { Services } from '../services';
import { recordRejections } from '../services/safety.service';
import { createSessionStore } from './session';
import { scanExportsApiRouter } from './scan-exports';
import { uiRouter } from './ui.router';
import { createUiService } from './ui.service';

/** The Web UI's pages, and the scan exports for API clients, over the very service instances the JSON API uses. */
export function createWebUi(
  deps: { env: Env; adminKey: string; prisma: PrismaClient; logger: Logger; taskQueuePrefix?: string },
  services: Pick<Services, 'keys' | 'scans' | 'queueMonitoring' | 'prospects' | 'health' | 'safety'>,
): { pages: Router; scanExports: Router } {
  const ui = createUiService({
    ...deps,
    scans: services.scans,
    monitoring: services.queueMonitoring,
    prospects: services.prospects,
    health: services.health,
    safety: services.safety,
  });
  return {
    pages: uiRouter({
      ui,
      keys: services.keys,
      sessions: createSessionStore(deps.prisma, deps.env.UI_SESSION_TTL_HOURS, deps.adminKey),
      loginPerMinute: deps.env.UI_LOGIN_RATE_LIMIT_PER_IP,
      secureCookies: deps.env.NODE_ENV === 'production',
      onLoginLimited: () => void recordRejections(deps.prisma, { abuse_limited: 1 }, deps.logger),
    }),
    // Mounted under /api/scans, behind the API's Bearer authentication and rate limits.
    scanExports: scanExportsApiRouter(ui),
  };
}
