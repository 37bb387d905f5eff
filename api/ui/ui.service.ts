// The data behind the Web UI pages, from the API's services (scans, queue monitoring, prospects, safety) and the UI's
// read models (api/services/ui-read-model.ts: chart buckets, active scans, full violation nodes).
import { createTtlCache } from '../../lib/async';
import { temporalUiUrl as temporalUiUrlOf, type Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../lib/prisma';
import type { Principal } from '../services/api-key.service';
import type { AuditService } from '../services/audit.service';
import type { HealthMonitoringService } from '../services/health-monitoring.service';
import type { ProspectService } from '../services/prospect.service';
import type { QueueMonitoringService } from '../services/queue-monitoring.service';
import type { ScanService } from '../services/scan.service';
import type { SafetyReport } from '../services/safety.service';
import { canAccessClient, scopeOf } from '../services/access';
import { diffIssues, issuesOf, type IssueDiff } from '../../core/issues';
import type { ReportRule } from './report';
import { createUiReadModel, RANGES, type RangeKey } from '../services/ui-read-model';

export { isRange, memoryBucketSeconds, MEMORY_MAX_POINTS, RANGES, type Bucket, type RangeKey } from '../services/ui-read-model';

export interface UiDeps {
  env: Env;
  prisma: PrismaClient;
  logger: Logger;
  scans: ScanService;
  monitoring: QueueMonitoringService;
  prospects: ProspectService;
  audits: AuditService;
  health: HealthMonitoringService;
  safety: () => Promise<SafetyReport>;
  /** The deployment whose health snapshots the memory chart reads (as the health service): TEMPORAL_TASK_QUEUE_PREFIX. */
  taskQueuePrefix?: string;
}

/**
 * How long one built dashboard answers the dashboard page and its live poll (README "Monitoring"): every open
 * dashboard polls, and each build is seven regions' queries.
 */
export const DASHBOARD_CACHE_MS = 1_000;

export type Section<T> = { ok: true; value: T } | { ok: false; message: string };

/** The services answer "absent, or not this principal's" with a 404; a page answers it with none. */
function absentAsNull<T>(lookup: Promise<T>): Promise<T | null> {
  return lookup.catch((err: { status?: number }) => {
    if (err.status === 404) return null;
    throw err;
  });
}

export function createUiService(deps: UiDeps) {
  const { env, scans, monitoring, prospects, audits, logger, health } = deps;
  const read = createUiReadModel(deps);
  const temporalUiUrl = (workflowId: string) => temporalUiUrlOf(env, workflowId);

  /** One dashboard region: its failure is shown in place ("not available"), never fails the page. */
  async function section<T>(name: string, fn: () => Promise<T>): Promise<Section<T>> {
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      logger.warn({ err, section: name }, 'dashboard section unavailable');
      return { ok: false, message: `${name} not available` };
    }
  }

  const COMPONENTS = { database: 'Database', queue: 'Temporal and queues', puppeteer: 'Browsers', workers: 'Workers' } as const;

  /** The monitoring layer's health report (api/services/health-monitoring.service.ts), one line per component. */
  async function componentHealth() {
    const report = await health.health();
    return {
      status: report.status,
      components: (Object.keys(COMPONENTS) as Array<keyof typeof COMPONENTS>).map((k) => ({
        component: COMPONENTS[k],
        status: report.components[k].status,
        message: report.components[k].message,
      })),
    };
  }

  const activeScans = async () => (await read.activeScans()).map((r) => ({ ...r, temporalUiUrl: temporalUiUrl(r.workflowId) }));

  /** Every dashboard region, read concurrently. */
  async function buildDashboard(range: RangeKey) {
    const [healthS, queueS, activeS, workersS, alertsS, breakersS, chartsS] = await Promise.all([
      section('component health', componentHealth),
      section('queue statistics', () => monitoring.stats({ window: { text: range, ms: RANGES[range].ms } })),
      section('active scans', activeScans),
      section('worker telemetry', async () => (await health.puppeteer()).workers),
      section('alerts', async () => (await health.alerts({ limit: 10 })).alerts),
      section('circuit breakers', async () => (await deps.safety()).circuitBreakers),
      section('charts', () => read.charts(range)),
    ]);
    return {
      range,
      health: healthS,
      queues: queueS,
      active: activeS,
      workers: workersS,
      alerts: alertsS,
      breakers: breakersS,
      charts: chartsS,
      asOf: new Date(),
    };
  }
  const dashboardCache = createTtlCache();

  /** The API's rule (scans.visibleTo) with the pages' answer for a scan this principal may not see: none. */
  const visibleScan = (scanId: string, principal: Principal) => absentAsNull(scans.visibleTo(scanId, principal));

  return {
    temporalUiUrl,

    logError(err: unknown, path: string) {
      logger.error({ err, path }, 'ui page failed');
    },

    /** A client's start page: its 50 newest scans (the scans service's list). */
    async recentScans(clientId: string) {
      const { scans: rows } = await scans.list({ clientId, limit: 50 } as Parameters<ScanService['list']>[0]);
      return rows;
    },

    /** At most one build per range every DASHBOARD_CACHE_MS, shared by the page and its live poll. */
    dashboard: (range: RangeKey) => dashboardCache.get(range, DASHBOARD_CACHE_MS, () => buildDashboard(range)),

    failed: monitoring.failed,
    passedRules: read.passedRules,
    retry: monitoring.retry,

    /** The scan if this principal may see it (another client's scan is absent), with its full rules. */
    async report(scanId: string, principal: Principal) {
      const scan = await visibleScan(scanId, principal);
      if (!scan) return null;
      const [rules, shot] = await Promise.all([rulesOf(scan.scanId), read.screenshotBoxes(scan.scanId)]);
      return { scan, rules, screenshot: shot };
    },

    async screenshot(scanId: string, principal: Principal) {
      const shot = await read.screenshotWithClient(scanId);
      if (!shot || !canAccessClient(principal, shot.scan.clientId)) return null;
      return shot;
    },

    async cancel(scanId: string, principal: Principal) {
      const scan = await visibleScan(scanId, principal);
      if (!scan) return null;
      await scans.cancel(scan.scanId, scan.status);
      return scan;
    },

    /** Prospect history: its scans and trend (prospect service), and per re-scan new / fixed / still open. */
    async prospect(id: string, principal: Principal) {
      const history = await absentAsNull(prospects.history(id, principal, { limit: 50 }));
      if (!history) return null;
      const prospect = await prospects.get(id, principal);
      // Diffs for the newest 10 completed scans (each against the completed one before it).
      const completed = history.scans.filter((s) => s.status === 'completed').slice(0, 11);
      const issues = await issuesByScan(completed.map((s) => s.scanId));
      const diffs: Array<{ scanId: string; previousId: string; finishedAt: Date | null; diff: IssueDiff }> = [];
      for (let i = 0; i < completed.length - 1; i++) {
        const cur = completed[i];
        const prev = completed[i + 1];
        diffs.push({
          scanId: cur.scanId,
          previousId: prev.scanId,
          finishedAt: cur.finishedAt,
          diff: diffIssues(issues.get(prev.scanId) ?? new Map(), issues.get(cur.scanId) ?? new Map()),
        });
      }
      const latest = completed[0] ? [...(issues.get(completed[0].scanId)?.values() ?? [])] : [];
      // Its site audits, latest first (the audit service's list, with each one's progress).
      const { audits: siteAudits } = await audits.list({ prospectId: id, limit: 20 }, principal);
      return { prospect, history, diffs, latestIssues: latest, audits: siteAudits, defaultAuditPages: env.AUDIT_DEFAULT_MAX_PAGES };
    },

    /** Site audits: the audit service's rules (a client sees only its own; another's is absent). */
    auditList: audits.list,
    audit: (auditId: string, principal: Principal) => absentAsNull(audits.get(auditId, principal)),
    submitAudit: audits.submit,
    cancelAudit: audits.cancel,
    auditReportCsv: audits.reportCsv,
    auditReportJson: audits.reportJson,

    /** Two scans of one prospect side by side: `b` against `a`. */
    async compare(prospectId: string, a: string, b: string, principal: Principal) {
      const history = await absentAsNull(prospects.history(prospectId, principal, { limit: 50 }));
      if (!history) return null;
      const ids = new Set(history.scans.map((s) => s.scanId));
      const known = async (id: string) => {
        if (ids.has(id)) return history.scans.find((s) => s.scanId === id) ?? null;
        // Older than the 50 shown: still this prospect's (and this client's) scan?
        const s = await read.prospectScan(id, history.prospectId, scopeOf(principal));
        return s ? { scanId: s.id, ...s } : null;
      };
      const [sa, sb] = await Promise.all([known(a), known(b)]);
      if (!sa || !sb) return { history, a: sa, b: sb, diff: null };
      const issues = await issuesByScan([sa.scanId, sb.scanId]);
      return { history, a: sa, b: sb, diff: diffIssues(issues.get(sa.scanId) ?? new Map(), issues.get(sb.scanId) ?? new Map()) };
    },
  };

  async function rulesOf(scanId: string): Promise<ReportRule[]> {
    const rows = await read.ruleRows(scanId);
    return rows.map((r) => ({ ...r, nodes: r.nodes as unknown as ReportRule['nodes'] }));
  }

  async function issuesByScan(ids: string[]) {
    const rows = await read.violationRows(ids);
    const out = new Map<string, ReturnType<typeof issuesOf>>();
    for (const id of ids)
      out.set(id, issuesOf(rows.filter((r) => r.scanId === id).map((r) => ({ ...r, nodes: r.nodes as unknown as ReportRule['nodes'] }))));
    return out;
  }
}
export type UiService = ReturnType<typeof createUiService>;
