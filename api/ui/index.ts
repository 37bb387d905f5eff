import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import { taskQueuePrefixOf } from '../../lib/env';
import type { Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../lib/prisma';
import type { Services } from '../services';
import { recordRejections } from '../services/safety.service';
import { auditPdfApiRouter, createAuditPdf } from './audit-pdf';
import { auditEarlApiRouter } from './audit-earl';
import { createSessionStore } from './session';
import { scanExportsApiRouter } from './scan-exports';
import { uiRouter } from './ui.router';
import { createUiService } from './ui.service';

/**
 * The Web UI's pages, and the scan exports and audit PDFs for API clients, over the very service instances the JSON
 * API uses.
 */
export function createWebUi(
  deps: { env: Env; adminKey: string; prisma: PrismaClient; logger: Logger; temporal: Client; taskQueuePrefix?: string },
  services: Pick<Services, 'keys' | 'scans' | 'queueMonitoring' | 'prospects' | 'audits' | 'health' | 'safety' | 'temporalBreaker'>,
): { pages: Router; scanExports: Router; auditPdf: Router; auditEarl: Router } {
  const ui = createUiService({
    ...deps,
    scans: services.scans,
    monitoring: services.queueMonitoring,
    prospects: services.prospects,
    audits: services.audits,
    health: services.health,
    safety: services.safety,
  });
  const pdfs = createAuditPdf({
    ui,
    temporal: deps.temporal,
    taskQueuePrefix: taskQueuePrefixOf(deps),
    temporalBreaker: services.temporalBreaker,
  });
  return {
    pages: uiRouter({
      ui,
      keys: services.keys,
      pdfs,
      sessions: createSessionStore(deps.prisma, deps.env.UI_SESSION_TTL_HOURS, deps.adminKey),
      loginPerMinute: deps.env.UI_LOGIN_RATE_LIMIT_PER_IP,
      secureCookies: deps.env.NODE_ENV === 'production',
      onLoginLimited: () => void recordRejections(deps.prisma, { abuse_limited: 1 }, deps.logger),
    }),
    // Mounted under /api/scans, behind the API's Bearer authentication and rate limits.
    scanExports: scanExportsApiRouter(ui),
    // Mounted under /api/audits: GET /api/audits/:auditId/report.pdf.
    auditPdf: auditPdfApiRouter(pdfs),
    // Mounted under /api/audits: GET /api/audits/:auditId/report.earl.jsonld.
    auditEarl: auditEarlApiRouter(ui),
  };
}
