import type { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { UrlPolicy } from '../../targets/url-safety';
import type { Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../lib/prisma';
import type { ApiKeyService } from '../services/api-key.service';
import { createHealthMonitoringService } from '../services/health-monitoring.service';
import { createProspectService } from '../services/prospect.service';
import { createQueueMonitoringService } from '../services/queue-monitoring.service';
import { recordRejections } from '../services/safety.service';
import type { ScanService } from '../services/scan.service';
import { createSessionStore } from './session';
import { scanExportsApiRouter } from './scan-exports';
import { uiRouter } from './ui.router';
import { createUiService } from './ui.service';

/** The Web UI's pages, and the scan exports for API clients, over the same services the JSON API uses. */
export function createWebUi(
  deps: { env: Env; adminKey: string; prisma: PrismaClient; temporal: Client; logger: Logger; urlPolicy: UrlPolicy; taskQueuePrefix?: string },
  shared: { keys: ApiKeyService; scans: ScanService },
): { pages: Router; scanExports: Router } {
  const { scans, keys } = shared;
  const ui = createUiService({
    ...deps,
    scans,
    monitoring: createQueueMonitoringService({ ...deps, scans }),
    prospects: createProspectService({ ...deps, scans }),
    health: createHealthMonitoringService(deps),
  });
  return {
    pages: uiRouter({
      ui,
      keys,
      sessions: createSessionStore(deps.prisma, deps.env.UI_SESSION_TTL_HOURS, deps.adminKey),
      loginPerMinute: deps.env.UI_LOGIN_RATE_LIMIT_PER_IP,
      secureCookies: deps.env.NODE_ENV === 'production',
      onLoginLimited: () => void recordRejections(deps.prisma, { abuse_limited: 1 }, deps.logger),
    }),
    // Mounted under /api/scans, behind the API's Bearer authentication and rate limits.
    scanExports: scanExportsApiRouter(ui),
  };
}
