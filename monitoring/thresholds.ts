// Every health threshold in one place (README "Monitoring" → thresholds table mirrors this file), and the pure
// functions that turn measurements into healthy | warning | critical. No I/O here: unit-tested directly.
import { FailureCategory } from '../core/contracts';

export type HealthStatus = 'healthy' | 'warning' | 'critical';

export interface ComponentHealth<D = Record<string, unknown>> {
  status: HealthStatus;
  message: string;
  details: D;
}

export const THRESHOLDS = {
  database: {
    /** `SELECT 1` round trip. Unreachable (or slower than the probe deadline) is critical. */
    warnLatencyMs: 250,
    probeTimeoutMs: 2_000,
  },
  queue: {
    /** Oldest scan waiting for a page (status queued, or running before its first page). */
    warnBacklogAgeMs: 5 * 60_000,
    criticalBacklogAgeMs: 30 * 60_000,
    /** A task queue without a poller is critical (nothing will run what is put there). */
    probeTimeoutMs: 2_000,
  },
  puppeteer: {
    /** Chromium tree PSS as a share of MAX_MEMORY_MB: above warn is a warning, above 1 (the limit) critical. */
    warnMemoryRatio: 0.8,
  },
  workers: {
    /** A worker silent for this many telemetry intervals is lost. */
    lostAfterIntervals: 3,
    /** Lost and stopped worker rows are forgotten after this long (the lost alert then resolves). */
    forgetAfterMs: 60 * 60_000,
  },
  scans: {
    /** Scans still not terminal this long after their deadline started are finished as failed by recovery. */
    stuckGraceMs: 10 * 60_000,
  },
} as const;

const ORDER: Record<HealthStatus, number> = { healthy: 0, warning: 1, critical: 2 };

/** The worst of the given statuses (healthy for none). */
export function worst(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((w, s) => (ORDER[s] > ORDER[w] ? s : w), 'healthy');
}

export function databaseStatus(probe: { ok: boolean; latencyMs: number }): HealthStatus {
  if (!probe.ok) return 'critical';
  return probe.latencyMs > THRESHOLDS.database.warnLatencyMs ? 'warning' : 'healthy';
}

export interface QueueProbe {
  temporalReachable: boolean;
  /** Task queues with no poller. */
  queuesWithoutPollers: string[];
  /** Age of the oldest waiting scan, ms (0 when none waits). */
  backlogAgeMs: number;
}

export function queueStatus(q: QueueProbe): HealthStatus {
  if (!q.temporalReachable || q.queuesWithoutPollers.length > 0) return 'critical';
  if (q.backlogAgeMs > THRESHOLDS.queue.criticalBacklogAgeMs) return 'critical';
  if (q.backlogAgeMs > THRESHOLDS.queue.warnBacklogAgeMs) return 'warning';
  return 'healthy';
}

export interface BrowserProbe {
  identity: string;
  connected: boolean;
  pssMb: number;
  /** The pool's own last health check (CDP round trip + memory); null before the first. */
  lastHealthOk: boolean | null;
  draining: boolean;
}

/** Why a worker's browser should be restarted from the control side, or null. */
export function browserRestartReason(b: BrowserProbe, maxMemoryMb: number): 'memory' | 'unresponsive' | null {
  if (!b.connected || b.draining) return null;
  if (b.pssMb > maxMemoryMb) return 'memory';
  if (b.lastHealthOk === false) return 'unresponsive';
  return null;
}

export function browserStatus(b: BrowserProbe, maxMemoryMb: number): HealthStatus {
  if (browserRestartReason(b, maxMemoryMb)) return 'critical';
  if (b.pssMb > maxMemoryMb * THRESHOLDS.puppeteer.warnMemoryRatio) return 'warning';
  return 'healthy';
}

/** No live worker means no browser at all: critical. Otherwise the worst browser. */
export function puppeteerStatus(browsers: BrowserProbe[], maxMemoryMb: number): HealthStatus {
  if (browsers.length === 0) return 'critical';
  return worst(browsers.map((b) => browserStatus(b, maxMemoryMb)));
}

export function workersStatus(w: { live: number; lost: number }): HealthStatus {
  if (w.live === 0) return 'critical';
  return w.lost > 0 ? 'warning' : 'healthy';
}

/** Lost = still marked running (or already lost) but silent for `lostAfterIntervals` of its own interval. */
export function isLost(w: { state: string; lastSeenAt: Date; intervalMs: number }, now: Date): boolean {
  if (w.state === 'stopped') return false;
  if (w.state === 'lost') return true;
  return now.getTime() - w.lastSeenAt.getTime() > THRESHOLDS.workers.lostAfterIntervals * w.intervalMs;
}

/** completed / (completed + failed), as a fraction; null without any finished scan. Cancelled scans do not count. */
export function successRate(completed: number, failed: number): number | null {
  const n = completed + failed;
  return n === 0 ? null : completed / n;
}

/** "95.50%" (the seed's string form), or null. */
export function percent(rate: number | null): string | null {
  return rate === null ? null : `${(rate * 100).toFixed(2)}%`;
}

/** What an operator should do about each failure category (the reliability endpoint lists those that occurred). */
export const RECOMMENDATIONS: Record<string, string> = {
  [FailureCategory.Timeout]:
    'Pages did not finish within their budget: raise the request timeout (capped by MAX_SCAN_TIME), check the site is reachable and fast from the workers, and look for a backlog (GET /api/monitoring/queue/health).',
  [FailureCategory.Navigation]:
    'DNS, connection or TLS errors: check the URL and that the workers can reach the site (proxy, firewall, DNS).',
  [FailureCategory.HttpError]: 'The site answered 4xx/5xx: check the URL still exists; 5xx are retried, other 4xx are not.',
  [FailureCategory.Blocked]:
    'The site answered 403/429 (bot protection or rate limiting): scan it less often, at lower concurrency, or ask the owner to allow the scanner.',
  [FailureCategory.BlockedTarget]:
    'The URL or a redirect points at a private address: intended only for intranet scanning (SCAN_ALLOWED_HOSTS).',
  [FailureCategory.Memory]: 'A page used more than PAGE_MAX_HEAP_MB of JS heap: raise the limit if the page is legitimate, or exclude it.',
  [FailureCategory.Crash]:
    'Chromium or a renderer died: check worker memory (GET /api/monitoring/puppeteer) and MAX_MEMORY_MB; repeated crashes on one page point at the page.',
  [FailureCategory.Killed]: 'A hung close had Chromium SIGKILLed: look at the page (infinite loops, huge DOM) and the worker host load.',
  [FailureCategory.Inconclusive]: 'The page looked like a bot wall, was empty or kept loading: check it by hand.',
  [FailureCategory.InvalidUrl]: 'Fix the submitted URLs (only http and https pages can be scanned).',
  [FailureCategory.Cancelled]: 'Cancelled by an operator: nothing to do.',
  [FailureCategory.Internal]: 'An unexpected error (a bug): check the worker log for the scan id and report it.',
};

export function recommendationsFor(reasons: Record<string, number>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(reasons)
      .filter((r) => reasons[r] > 0)
      .map((r) => [r, RECOMMENDATIONS[r] ?? 'Unknown category: check the failure messages (GET /api/monitoring/queue/failed).']),
  );
}
