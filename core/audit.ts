// Site audits: the contract shared by the API, the audit workflow, its activities and the UI.
// Pure and JSON-only (loaded in the workflow sandbox).
import type { ScanOptions, ScanQueue, TaskQueues } from './contracts';

export type AuditStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A discovered URL's state: pending (in the frontier) → scanning → scanned | failed, or skipped with a reason. */
export type AuditPageStatus = 'pending' | 'scanning' | 'scanned' | 'failed' | 'skipped';

/** Why a discovered URL was not scanned. The same strings are stored in audit_pages.skip_reason. */
export const SkipReason = {
  /** Another host than the audited site (and its www. twin). */
  OffSite: 'off_site',
  /** Matched an `exclude` pattern. */
  Excluded: 'excluded',
  /** `include` patterns were given and none matched. */
  NotIncluded: 'not_included',
  /** robots.txt disallows it for our user agent (respectRobots). */
  Robots: 'robots',
  /** More links away from the start page than maxDepth. */
  MaxDepth: 'max_depth',
  /** The audit already had maxPages pages. */
  MaxPages: 'max_pages',
  /** Its URL pattern already had its share of pages (crawl traps: calendars, facets, growing query strings). */
  PatternCap: 'pattern_cap',
  /** Not an HTML page (by extension, or by the response's content type). */
  NonHtml: 'non_html',
  /** Refused by the target-safety rules (private, link-local, metadata addresses...). */
  BlockedTarget: 'blocked_target',
  /** Not a valid http(s) URL. */
  InvalidUrl: 'invalid_url',
  /** The page redirected to another site: recorded, not scanned, its links not followed. */
  OffSiteRedirect: 'off_site_redirect',
  /** A redirect to a page the audit already has. */
  DuplicateRedirect: 'duplicate_redirect',
  /** sampling.perTemplate: its template already had its sample. */
  SampledOut: 'sampled_out',
  /** The audit was cancelled before this page was scanned. */
  Cancelled: 'cancelled',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** Where a URL came from. */
export type PageSource = 'start' | 'sitemap' | 'link';

export interface AuditPoliteness {
  /** Pages of the site in flight at once, across all workers. */
  concurrency: number;
  /** At least this long between two page starts (robots.txt Crawl-delay raises it when respectRobots). */
  delayMs: number;
}

export interface AuditOptions {
  maxPages: number;
  /** Links away from the start page (the start page and sitemap entries are depth 0). */
  maxDepth: number;
  /** URL patterns (see audits/scope.ts): a page must match one of them when any is given. */
  include: string[];
  exclude: string[];
  /** "auto": robots.txt Sitemap: lines, else /sitemap.xml; a URL: that sitemap; "off": links only. */
  sitemap: string;
  respectRobots: boolean;
  /** Scan at most this many pages per URL template and extrapolate; absent = scan every page. */
  sampling?: { perTemplate: number };
  politeness: AuditPoliteness;
  /** Pages per URL pattern at most (crawl-trap bound). */
  maxPerPattern: number;
  wcagTags: string[];
  /** Per-page scan settings. */
  timeoutMs: number;
  maxRetries: number;
}

export const AUDIT_DEFAULTS = {
  maxPages: 100,
  maxDepth: 5,
  sitemap: 'auto',
  respectRobots: true,
  concurrency: 2,
  delayMs: 0,
  maxPerPattern: 50,
} as const;

export const auditWorkflowId = (auditId: string): string => `audit-${auditId}`;

export interface AuditProgress {
  discovered: number;
  queued: number;
  scanning: number;
  scanned: number;
  failed: number;
  skipped: number;
}

/** What every audit's workflow runs with, whoever starts it (the API, a schedule's firing). */
export interface AuditRunSettingsInput {
  clientId: string;
  queue: ScanQueue;
  priority: number;
  taskQueues: TaskQueues;
  retryInitialIntervalMs: number;
  maxScanTimeMs: number;
  /** Admin submissions and admin schedules are not charged to the client's hourly quota. */
  quotaExempt: boolean;
}

export interface SiteAuditInput extends AuditRunSettingsInput {
  auditId: string;
  /** Set by continueAsNew: discovery is done and the crawl goes on. */
  discovered?: boolean;
  /** Pages started so far by earlier runs (continueAsNew carries it). */
  started?: number;
  /** robots.txt Crawl-delay found by discovery (continueAsNew carries it). */
  crawlDelayMs?: number;
  /** Tests shrink it to exercise continueAsNew. */
  pagesPerRun?: number;
}

/** The getAuditProgress query: what the workflow itself knows (Postgres has the page counts). */
export interface AuditRunProgress {
  started: number;
  scanning: number;
}

export interface SiteAuditOutcome {
  auditId: string;
  status: Extract<AuditStatus, 'completed' | 'failed' | 'cancelled'>;
  progress: AuditProgress;
}

/** One page handed to the workflow to scan: its scan row exists and its quota is charged. */
export interface ClaimedAuditPage {
  pageId: string;
  scanId: string;
  url: string;
  targetHost: string;
}

/** What the audit workflow needs of its stored audit (read once per run by startAudit). */
export interface AuditRunSettings {
  startUrl: string;
  siteHosts: string[];
  prospectId?: string;
  concurrency: number;
  delayMs: number;
  maxPages: number;
  scanOptions: ScanOptions;
}

/** The result of one claim: pages to start now, or why there are none. */
export interface AuditClaim {
  pages: ClaimedAuditPage[];
  /** The client's hourly quota is spent: try again after this long. */
  waitMs?: number;
  /** Other audits of the same site hold its politeness share: try again after this long (or when a page ends). */
  busyMs?: number;
  /** Nothing is pending (or maxPages is reached): no page will ever be claimed again. */
  exhausted: boolean;
}

export const auditScheduleIdPrefix = 'audit-schedule-';

/** A schedule's fixed input for an audit: everything of an audit but its id, which each firing creates. */
export interface ScheduledAuditInput extends AuditRunSettingsInput {
  scheduleId: string;
  prospectId?: string;
  /** Who created the schedule (access.ts submitterOf): each firing's audit is filed as submitted by them. */
  submittedBy: string;
  startUrl: string;
  siteHosts: string[];
  /** Resolved when the schedule was created (every default applied, patterns validated). */
  options: AuditOptions;
}
