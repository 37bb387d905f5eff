import type { PrismaClient } from '../lib/prisma';
import { createAssertUrlSafeActivity } from './assert-url-safe.activity';
import { createBulkRecordActivities } from './bulk-records.activity';
import { createWorkerControlActivities } from './worker-control.activity';

export { createWorkerControlActivities };
import type { BrowserPool } from './browser/browser-pool';
import { createScanPageActivity, type ScanPageConfig } from './scan-page.activity';
import { createScanRecordActivities } from './scan-records.activity';
import type { UrlPolicy } from './url-safety';

export interface ActivityDeps {
  prisma: PrismaClient;
  urlPolicy: UrlPolicy;
}

export interface BrowserActivityDeps extends ActivityDeps {
  pool: BrowserPool;
  scanConfig: ScanPageConfig;
}

/** Activities of the scan queues: database writes and URL checks, no browser. */
export const createScanActivities = (deps: ActivityDeps) => ({
  ...createScanRecordActivities(deps.prisma),
  ...createBulkRecordActivities(deps.prisma),
  ...createAssertUrlSafeActivity(deps.urlPolicy),
});

/** Activities of the browser queue, whose slots equal the pool size. */
export const createBrowserActivities = (deps: BrowserActivityDeps) => ({
  ...createScanPageActivity({ pool: deps.pool, prisma: deps.prisma, urlPolicy: deps.urlPolicy, config: deps.scanConfig }),
});

export type Activities = ReturnType<typeof createScanActivities> &
  ReturnType<typeof createBrowserActivities> &
  ReturnType<typeof createWorkerControlActivities>;
