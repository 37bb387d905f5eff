// Pure, JSON-only contracts shared by workflows, activities, workers and the API.
// Imported into the workflow sandbox: no Node, no I/O, no side effects.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export type ScanQueue = 'high' | 'low';
export type ScanStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** Every failed attempt is put in one of these; the same strings are stored in Postgres. */
export const FailureCategory = {
  Timeout: 'timeout',
  Navigation: 'navigation',
  HttpError: 'http_error',
  Blocked: 'blocked',
  BlockedTarget: 'blocked_target',
  Memory: 'memory',
  Crash: 'crash',
  Killed: 'killed',
  InvalidUrl: 'invalid_url',
  Cancelled: 'cancelled',
  Inconclusive: 'inconclusive',
  Internal: 'internal',
  /** A scheduled run refused because its client's hourly scan quota was spent (never started). */
  RateLimited: 'rate_limited',
  /** Site audits: the URL answered with something other than an HTML page (a PDF, an image...). */
  NotHtml: 'not_html',
  /** Site audits: the page redirected (or navigated itself) off the audited site; not followed. */
  OffSite: 'off_site',
} as const;
export type FailureCategory = (typeof FailureCategory)[keyof typeof FailureCategory];
export const FAILURE_CATEGORIES: readonly FailureCategory[] = Object.values(FailureCategory);

/**
 * Categories that can never succeed on retry. `http_error` is not here as a type because a 5xx, 408 or 429
 * is worth retrying: the activity marks a 4xx failure non-retryable on the failure itself.
 */
export const PERMANENT_FAILURES: readonly FailureCategory[] = [
  FailureCategory.InvalidUrl,
  FailureCategory.BlockedTarget,
  FailureCategory.Cancelled,
  FailureCategory.NotHtml,
  FailureCategory.OffSite,
];

export function isFailureCategory(v: unknown): v is FailureCategory {
  return typeof v === 'string' && (FAILURE_CATEGORIES as readonly string[]).includes(v);
}

export interface TaskQueues {
  high: string;
  low: string;
  /** Page work only: its slots equal the browser pool size. */
  browser: string;
}

/** All task queue names derive from one prefix so deployments and test runs can share a server. */
export function taskQueues(prefix: string): TaskQueues {
  return { high: `${prefix}-scans-high`, low: `${prefix}-scans-low`, browser: `${prefix}-browser` };
}

export const scanWorkflowId = (scanId: string): string => `scan-${scanId}`;

/** Each worker process listens for operator commands on a queue of its own. */
export const controlQueue = (prefix: string, identity: string): string => `${prefix}-control-${identity}`;

/** The control queue every worker serves (beside its own): the scheduled health check runs here. */
export const sharedControlQueue = (prefix: string): string => `${prefix}-control`;

/**
 * Temporal's priority keys run 1 (first) to 5 (last). The high queue maps to 1-2 and the low queue to 3-5,
 * so on the shared browser queue every high scan is dispatched before any low one.
 */
export function priorityKeyFor(queue: ScanQueue, priority: number): number {
  const p = Math.min(10, Math.max(1, Math.round(priority)));
  if (queue === 'high') return p >= 6 ? 1 : 2;
  return p >= 8 ? 3 : p >= 4 ? 4 : 5;
}

export const SearchAttributes = {
  ClientId: defineSearchAttributeKey('ClientId', SearchAttributeType.KEYWORD),
  TargetHost: defineSearchAttributeKey('TargetHost', SearchAttributeType.KEYWORD),
  Queue: defineSearchAttributeKey('Queue', SearchAttributeType.KEYWORD),
  ScanStatus: defineSearchAttributeKey('ScanStatus', SearchAttributeType.KEYWORD),
  ScanId: defineSearchAttributeKey('ScanId', SearchAttributeType.KEYWORD),
  FailureCategory: defineSearchAttributeKey('FailureCategory', SearchAttributeType.KEYWORD),
} as const;
export const SEARCH_ATTRIBUTE_KEYS = Object.values(SearchAttributes);

export interface ScanOptions {
  /** Per-attempt budget for navigation + axe, ms (capped at MAX_SCAN_TIME). */
  timeoutMs: number;
  /** Retries after the first attempt (0-5). */
  maxRetries: number;
  wcagTags: string[];
}

export interface ScanInput {
  scanId: string;
  url: string;
  clientId: string;
  prospectId?: string;
  queue: ScanQueue;
  priority: number;
  options: ScanOptions;
  taskQueues: TaskQueues;
  /** Retry backoff start, ms (SCAN_RETRY_INITIAL_INTERVAL). */
  retryInitialIntervalMs: number;
  /** Hard ceiling for one attempt, ms (MAX_SCAN_TIME): the activity's startToCloseTimeout. */
  maxScanTimeMs: number;
  /** A page of a site audit: collect its links and skeleton, refuse non-HTML and navigation off the site. */
  audit?: AuditPageScan;
}

export interface AuditPageScan {
  auditId: string;
  /** The audited site's hosts (the start host and its www. twin). */
  siteHosts: string[];
}

export type Impact = 'critical' | 'serious' | 'moderate' | 'minor';
export type ImpactCounts = Record<Impact, number>;

/** What travels through workflow history: counts and ids, never the axe result. */
export interface PageScanSummary {
  score: number | null;
  violationCount: number;
  incompleteCount: number;
  counts: ImpactCounts;
  inconclusive: boolean;
  inconclusiveReason?: string;
  axeVersion: string;
  finalUrl: string;
  httpStatus: number | null;
  /** Requests to blocked addresses the page attempted (aborted). */
  blockedRequests: number;
  durationMs: number;
}

export interface ScanOutcome {
  scanId: string;
  status: Extract<ScanStatus, 'completed' | 'failed' | 'cancelled'>;
  summary?: PageScanSummary;
  failureReason?: FailureCategory;
  failureMessage?: string;
}

/** Progress for the getScanProgress query. */
export interface ScanProgress {
  stage: 'queued' | 'checking-url' | 'scanning' | 'recording' | 'done';
  status: ScanStatus;
}

export const bulkWorkflowId = (bulkId: string): string => `bulk-${bulkId}`;

/** One item of a bulk, as loaded from Postgres by the bulk workflow. */
export interface BulkItem {
  scanId: string;
  bulkIndex: number;
  url: string;
  targetHost: string;
  clientId: string;
  prospectId?: string;
  queue: ScanQueue;
  priority: number;
  options: ScanOptions;
}

export interface BulkProgress {
  total: number;
  queued: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface BulkInput {
  bulkId: string;
  taskQueues: TaskQueues;
  retryInitialIntervalMs: number;
  maxScanTimeMs: number;
  /** Children in flight at most. */
  window: number;
  /** Items read from Postgres per activity call. */
  batchSize: number;
  /** Children per run before continuing as new (history stays small). */
  itemsPerRun: number;
  /** Where this run starts (continueAsNew carries it). */
  nextIndex: number;
  progress: BulkProgress;
}

/** Scan schedules' ids are `scan-schedule-<uuid>` (audit schedules': core/audit.ts auditScheduleIdPrefix). */
export const scanScheduleIdPrefix = 'scan-schedule-';

/** A schedule's fixed workflow input: everything of a scan but its id, which each firing creates. */
export type ScheduledScanInput = Omit<ScanInput, 'scanId'> & {
  scheduleId: string;
  /** Created with the admin key: its runs are not charged to the client's hourly quota (like admin submissions). */
  quotaExempt?: boolean;
};

/**
 * What every scan workflow is started with, whoever starts it (the API, a bulk, a schedule): its priority and
 * fairness on the browser queue, and the search attributes operators and the reconciler filter on.
 */
export function scanStartOptions(s: { scanId: string; clientId: string; queue: ScanQueue; priority: number; targetHost: string }) {
  return {
    priority: { priorityKey: priorityKeyFor(s.queue, s.priority), fairnessKey: s.clientId },
    typedSearchAttributes: [
      { key: SearchAttributes.ClientId, value: s.clientId },
      { key: SearchAttributes.TargetHost, value: s.targetHost },
      { key: SearchAttributes.Queue, value: s.queue as string },
      { key: SearchAttributes.ScanStatus, value: 'queued' },
      { key: SearchAttributes.ScanId, value: s.scanId },
    ],
  };
}

/** Input of healthCheckWorkflow (started by the health schedule and POST /api/monitoring/recover). */
export interface HealthCheckInput {
  /** The deployment's task queue prefix: whose control queues the restarts go to. */
  prefix: string;
  trigger: 'schedule' | 'manual';
}

/** Input and result of pruneResultsWorkflow (started by the daily retention schedule). */
export interface PruneInput {
  /** Scans that finished before now minus this many days are pruned. */
  retentionDays: number;
  /** Scans per transaction: small enough that one batch never holds locks for long. */
  batchSize: number;
  /** Stop after this many batches (the next daily run continues); bounds one run's time. */
  maxBatches: number;
}

export interface PruneResult {
  cutoff: string;
  scans: number;
  batches: number;
  /** True when maxBatches stopped the run before it ran out of prunable scans. */
  more: boolean;
}
