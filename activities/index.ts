import type { PrismaClient } from '../lib/prisma';
import { createAssertUrlSafeActivity } from './assert-url-safe.activity';
import { createBulkRecordActivities } from './bulk-records.activity';
import { createRetentionActivities } from './retention.activity';
import { createAuditRecordActivities } from './audit-records.activity';
import { createDiscoverSiteActivity } from './discover-site.activity';
import { createWorkerControlActivities } from './worker-control.activity';

export { createWorkerControlActivities };
import { createHealthCheckActivities } from './health-check.activity';

export { createHealthCheckActivities };
import type { BrowserPool } from './browser/browser-pool';
import { createScanPageActivity, type ScanPageConfig } from './scan-page.activity';
import { createScanRecordActivities } from './scan-records.activity';
import { createRenderPdfActivity } from './render-pdf.activity';
import type { UrlPolicy } from '../targets/url-safety';
import type { BreakerConfig } from '../lib/circuit-breakers';
import { workerMetrics, type WorkerMetrics } from '../lib/metrics';

export interface ActivityDeps {
  prisma: PrismaClient;
  urlPolicy: UrlPolicy;
}

export interface BrowserActivityDeps extends ActivityDeps {
  pool: BrowserPool;
  scanConfig: ScanPageConfig;
  /** Per-target-host circuit breaker (BREAKER_* settings). */
  hostBreaker?: BreakerConfig;
  /** The process's worker metrics unless a test brings its own. */
  metrics?: WorkerMetrics;
}

export interface ScanActivityDeps extends ActivityDeps {
  /** MAX_SCANS_PER_HOUR: the default hourly quota that scheduled runs are charged to. */
  maxScansPerHour: number;
  /** SCAN_USER_AGENT: what site discovery (robots.txt, sitemaps) says it is. */
  userAgent?: string;
}

/** Activities of the scan queues: database writes and URL checks, no browser. */
export const createScanActivities = (deps: ScanActivityDeps) => ({
  ...createScanRecordActivities(deps.prisma, { maxScansPerHour: deps.maxScansPerHour }),
  ...createBulkRecordActivities(deps.prisma),
  ...createAssertUrlSafeActivity(deps.urlPolicy),
  // the daily retention prune runs on the low scan queue (monitoring/retention-schedule.ts)
  ...createRetentionActivities(deps.prisma),
  // site audits: the frontier in Postgres, and discovery (robots.txt, sitemaps) without a browser
  ...createAuditRecordActivities({ prisma: deps.prisma, maxScansPerHour: deps.maxScansPerHour }),
  ...createDiscoverSiteActivity({ prisma: deps.prisma, urlPolicy: deps.urlPolicy, userAgent: deps.userAgent }),
});

/** Activities of the browser queue, whose slots equal the pool size. */
export const createBrowserActivities = (deps: BrowserActivityDeps) => ({
  ...createScanPageActivity({
    pool: deps.pool,
    prisma: deps.prisma,
    urlPolicy: deps.urlPolicy,
    config: deps.scanConfig,
    hostBreaker: deps.hostBreaker,
    metrics: deps.metrics ?? workerMetrics(),
  }),
  // report PDFs (the API has no browser): Chromium's own printing of the audit report page
  ...createRenderPdfActivity({ pool: deps.pool }),
});

export type Activities = ReturnType<typeof createScanActivities> &
  ReturnType<typeof createBrowserActivities> &
  ReturnType<typeof createWorkerControlActivities> &
  ReturnType<typeof createHealthCheckActivities>;
