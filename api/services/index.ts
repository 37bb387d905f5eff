// Every service the API and the Web UI use, built once per app: the caches (health, Temporal visibility) and the
// serialised retry chain live inside these instances, so a second copy would hold state of its own (a recovery run
// through the API would clear one health cache while the dashboard read the other).
import type { Client } from '@temporalio/client';
import { breakerConfigFrom } from '../../lib/circuit-breakers';
import type { Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import { apiMetrics, type ApiMetrics } from '../../lib/metrics';
import type { PrismaClient } from '../../lib/prisma';
import type { UrlPolicy } from '../../targets/url-safety';
import { createApiKeyService, type ApiKeyService } from './api-key.service';
import { createAuditService, type AuditService } from './audit.service';
import { createBulkService, type BulkService, type BulkServiceDeps } from './bulk.service';
import { createHealthMonitoringService, type HealthMonitoringService } from './health-monitoring.service';
import { createProspectService, type ProspectService } from './prospect.service';
import { createQueueMonitoringService, type QueueMonitoringService } from './queue-monitoring.service';
import { createRateLimitService, type RateLimitService } from './rate-limit.service';
import { createSafetyReporter, type SafetyReport } from './safety.service';
import { createScanService, type ScanService } from './scan.service';
import { createScheduleService, type ScheduleService } from './schedule.service';
import { createTemporalBreaker, type TemporalBreaker } from './temporal-breaker';

export interface ServicesDeps {
  env: Env;
  adminKey: string;
  prisma: PrismaClient;
  temporal: Client;
  logger: Logger;
  urlPolicy: UrlPolicy;
  taskQueuePrefix?: string;
  bulkTuning?: BulkServiceDeps['bulkTuning'];
  /** Built here when absent (tests may inject their own). */
  temporalBreaker?: TemporalBreaker;
  rateLimits?: RateLimitService;
  /** The process's API metrics unless a test brings its own. */
  metrics?: ApiMetrics;
}

export interface Services {
  keys: ApiKeyService;
  scans: ScanService;
  bulks: BulkService;
  audits: AuditService;
  schedules: ScheduleService;
  prospects: ProspectService;
  queueMonitoring: QueueMonitoringService;
  health: HealthMonitoringService;
  /** The safety layer (README "Safety, rate limits and circuit breakers"): shared by every service that submits scans. */
  temporalBreaker: TemporalBreaker;
  rateLimits: RateLimitService;
  safety: () => Promise<SafetyReport>;
}

export function createServices(deps: ServicesDeps): Services {
  const metrics = deps.metrics ?? apiMetrics();
  const temporalBreaker =
    deps.temporalBreaker ??
    createTemporalBreaker({ ...deps, metrics, config: breakerConfigFrom(deps.env), callTimeoutMs: deps.env.TEMPORAL_CALL_TIMEOUT });
  const rateLimits = deps.rateLimits ?? createRateLimitService(deps);
  const base = { ...deps, metrics, temporalBreaker, rateLimits };
  const scans = createScanService(base);
  return {
    keys: createApiKeyService(deps.prisma, deps.adminKey, { maxKeysPerClient: deps.env.MAX_API_KEYS_PER_CLIENT }),
    scans,
    bulks: createBulkService(base),
    audits: createAuditService({ ...base, scans }),
    schedules: createScheduleService({ ...base, scans }),
    prospects: createProspectService({ ...base, scans }),
    queueMonitoring: createQueueMonitoringService({ ...base, scans }),
    health: createHealthMonitoringService(base),
    temporalBreaker,
    rateLimits,
    safety: createSafetyReporter(base),
  };
}
