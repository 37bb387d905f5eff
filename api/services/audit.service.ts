// Site audits through the API: submit (every check before anything exists), read with live progress and the site
// report, list, cancel, export. The crawl itself is siteAuditWorkflow's (workflows/site-audit.workflow.ts).
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { auditWorkflowId, type AuditPageStatus, type AuditProgress, type SiteAuditInput } from '../../core/audit';
import { priorityKeyFor, SearchAttributes, taskQueues } from '../../core/contracts';
import { taskQueuePrefixOf } from '../../lib/env';
import { isUuid } from '../../lib/ids';
import { Prisma } from '../../lib/prisma';
import { siteHostsOf } from '../../audits/normalise-url';
import type { siteAuditWorkflow } from '../../workflows';
import { conflict, HttpError, invalidField, serviceUnavailable } from '../http-errors';
import type { CreateAuditBody, ListAuditPagesQuery, ListAuditsQuery } from '../schemas/audits.schema';
import type { Principal } from './api-key.service';
import { actingClient, assertVisible, submitterOf } from './access';
import { loadSiteReport, siteIssuesCsv } from './audit-report';
import { resolveAuditRequest } from './audit-request';
import { nextCursor, olderThan, parseCursor } from './page-cursor';
import { rateLimited, type Grant } from './rate-limit.service';
import type { ScanService, ScanServiceDeps } from './scan.service';
import { workflowSettings } from './scan-options';

export interface AuditServiceDeps extends ScanServiceDeps {
  /** Its target and prospect rules are the ones audits submit under. */
  scans: Pick<ScanService, 'assertSubmittable' | 'prospectIdOf' | 'noSuchProspect'>;
}

/** Progress as GET /api/audits/:id shows it: pending pages are "queued". */
export interface AuditProgressView extends AuditProgress {
  skippedByReason: Record<string, number>;
}

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

const emptyProgress = (): AuditProgressView => ({
  discovered: 0,
  queued: 0,
  scanning: 0,
  scanned: 0,
  failed: 0,
  skipped: 0,
  skippedByReason: {},
});

const PROGRESS_KEY: Record<AuditPageStatus, keyof AuditProgress> = {
  pending: 'queued',
  scanning: 'scanning',
  scanned: 'scanned',
  failed: 'failed',
  skipped: 'skipped',
};

function addToProgress(p: AuditProgressView, status: string, skipReason: string | null, n: number): void {
  p.discovered += n;
  const key = PROGRESS_KEY[status as AuditPageStatus];
  if (key) p[key] += n;
  if (status === 'skipped') p.skippedByReason[skipReason ?? 'unknown'] = (p.skippedByReason[skipReason ?? 'unknown'] ?? 0) + n;
}

/** Submits, reads, lists and cancels site audits; knows nothing of HTTP requests. */
export function createAuditService(deps: AuditServiceDeps) {
  const { env, prisma, temporal, scans } = deps;
  const prefix = taskQueuePrefixOf(deps);
  const queues = taskQueues(prefix);

  /** POST /api/audits: nothing is stored or started unless every check passed. */
  async function submit(body: CreateAuditBody, principal: Principal, onQuota?: (grant: Grant) => void) {
    const clientId = actingClient(principal, body.clientId, 'this key can only submit audits for its own client');
    if (!clientId) throw invalidField('clientId', 'is required');
    const { target, options, quota } = await resolveAuditRequest(deps, body, principal, clientId);
    const prospectId = await scans.prospectIdOf(body.prospectId, clientId);
    // The pages are charged one by one as the workflow claims them; an audit that could not scan one is refused.
    if (quota) {
      const retryAfterSeconds = Math.max(1, Math.ceil((Date.parse(quota.resetTime) - Date.now()) / 1000));
      if (quota.remaining < 1) throw rateLimited({ granted: 0, status: quota, retryAfterSeconds });
      // Nothing is charged yet (pages are, as they are scanned): the fields say what is left before the first.
      onQuota?.({ granted: 0, status: quota, retryAfterSeconds });
    }
    deps.temporalBreaker?.assertAvailable();

    const auditId = randomUUID();
    const workflowId = auditWorkflowId(auditId);
    const startUrl = target.href;
    await prisma.audit
      .create({
        data: {
          id: auditId,
          workflowId,
          clientId,
          prospectId,
          submittedBy: submitterOf(principal),
          startUrl,
          siteHosts: siteHostsOf(startUrl),
          options: options as unknown as Prisma.InputJsonValue,
          queue: body.queue,
          priority: body.priority,
          status: 'queued',
        },
      })
      .catch((err: unknown) => {
        // The prospect was deleted after it was checked (audits.prospect_id references prospects).
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003') throw scans.noSuchProspect();
        throw err;
      });

    const input: SiteAuditInput = {
      auditId,
      clientId,
      queue: body.queue,
      priority: body.priority,
      ...workflowSettings(env, prefix),
      quotaExempt: principal.kind === 'admin',
    };
    try {
      // The audit workflow itself runs on the low queue whatever its pages' queue: single scans go first.
      const start = (client: Client) =>
        client.workflow.start<typeof siteAuditWorkflow>('siteAuditWorkflow', {
          taskQueue: queues.low,
          workflowId,
          args: [input],
          priority: { priorityKey: priorityKeyFor(body.queue, body.priority), fairnessKey: clientId },
          typedSearchAttributes: [
            { key: SearchAttributes.ClientId, value: clientId },
            { key: SearchAttributes.TargetHost, value: target.hostname },
          ],
        });
      await (deps.temporalBreaker ? deps.temporalBreaker.execute(start) : start(temporal));
    } catch (err) {
      deps.logger.error({ err, auditId }, 'could not start site audit workflow');
      await prisma.audit.update({
        where: { id: auditId },
        data: { status: 'failed', failureReason: 'internal', failureMessage: 'workflow could not be started', finishedAt: new Date() },
      });
      if (err instanceof HttpError && err.status === 503) throw err;
      throw serviceUnavailable('the audit could not be queued; try again shortly');
    }
    return { auditId, workflowId, status: 'queued' as const };
  }

  /** The audit row (without the stored robots.txt) if this principal may see it; another client's is a 404. */
  async function visibleRow(auditId: string, principal: Principal) {
    const audit = isUuid(auditId) ? await prisma.audit.findUnique({ where: { id: auditId }, omit: { robotsTxt: true } }) : null;
    return assertVisible(principal, audit, 'audit');
  }

  async function progressOf(auditId: string): Promise<AuditProgressView> {
    const groups = await prisma.auditPage.groupBy({ by: ['status', 'skipReason'], where: { auditId }, _count: { _all: true } });
    const progress = emptyProgress();
    for (const g of groups) addToProgress(progress, g.status, g.skipReason, g._count._all);
    return progress;
  }

  /** GET /api/audits/:id: the audit, its live progress, and the site report once there is one to give. */
  async function get(auditId: string, principal: Principal) {
    const audit = await visibleRow(auditId, principal);
    const progress = await progressOf(audit.id);
    const reportable = audit.status === 'completed' || (FINISHED.has(audit.status) && progress.scanned > 0);
    return {
      auditId: audit.id,
      workflowId: audit.workflowId,
      status: audit.status,
      url: audit.startUrl,
      clientId: audit.clientId,
      prospectId: audit.prospectId,
      queue: audit.queue,
      priority: audit.priority,
      options: audit.options,
      progress,
      discovery: audit.discovery,
      failureReason: audit.failureReason,
      failureMessage: audit.failureMessage,
      createdAt: audit.createdAt,
      startedAt: audit.startedAt,
      finishedAt: audit.finishedAt,
      report: reportable ? await loadSiteReport(prisma, audit) : null,
    };
  }

  /** The report for the exports: a 409 while the audit has none yet. */
  async function reportOf(auditId: string, principal: Principal) {
    const { report, status } = await get(auditId, principal);
    if (!report) throw conflict(`the audit has no report yet (it is ${status})`);
    return report;
  }

  return {
    submit,
    get,

    /** GET /api/audits: newest first, with each audit's progress (one grouped query for the whole page). */
    async list(q: ListAuditsQuery, principal: Principal) {
      const clientId = actingClient(principal, q.clientId, 'this key can only list its own audits');
      const cursor = q.cursor ? parseCursor(q.cursor, 'cursor') : undefined;
      // An id that is not a uuid names no prospect: an empty page, not a database error.
      if (q.prospectId && !isUuid(q.prospectId)) return { audits: [], next: null };
      const where: Prisma.AuditWhereInput = {
        ...(clientId && { clientId }),
        ...(q.prospectId && { prospectId: q.prospectId }),
        ...(q.status && { status: q.status }),
      };
      const rows = await prisma.audit.findMany({
        where: cursor ? { AND: [where, olderThan<Prisma.AuditWhereInput>(cursor, 'createdAt')] } : where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit,
        select: {
          id: true,
          workflowId: true,
          status: true,
          startUrl: true,
          clientId: true,
          prospectId: true,
          createdAt: true,
          startedAt: true,
          finishedAt: true,
        },
      });
      const groups = rows.length
        ? await prisma.auditPage.groupBy({
            by: ['auditId', 'status', 'skipReason'],
            where: { auditId: { in: rows.map((r) => r.id) } },
            _count: { _all: true },
          })
        : [];
      const progress = new Map(rows.map((r) => [r.id, emptyProgress()]));
      for (const g of groups) addToProgress(progress.get(g.auditId)!, g.status, g.skipReason, g._count._all);
      return {
        audits: rows.map(({ id, startUrl, ...r }) => ({ auditId: id, url: startUrl, ...r, progress: progress.get(id)! })),
        next: nextCursor(rows, q.limit, (r) => r.createdAt),
      };
    },

    /** GET /api/audits/:id/pages: the discovered pages in discovery order, keyset-paged by their id. */
    async pages(auditId: string, q: ListAuditPagesQuery, principal: Principal) {
      const audit = await visibleRow(auditId, principal);
      const rows = await prisma.auditPage.findMany({
        where: { auditId: audit.id, ...(q.status && { status: q.status }), ...(q.cursor && { id: { gt: BigInt(q.cursor) } }) },
        orderBy: { id: 'asc' },
        take: q.limit,
        select: {
          id: true,
          url: true,
          depth: true,
          source: true,
          status: true,
          skipReason: true,
          detail: true,
          scanId: true,
          scan: { select: { score: true } },
        },
      });
      const last = rows[rows.length - 1];
      return {
        auditId: audit.id,
        pages: rows.map(({ id: _id, scan, ...p }) => ({ ...p, score: scan?.score ?? null })),
        next: rows.length === q.limit && last ? String(last.id) : null,
      };
    },

    /** POST /api/audits/:id/cancel: the workflow cancels its pages' scans and records `cancelled`. */
    async cancel(auditId: string, principal: Principal) {
      const audit = await visibleRow(auditId, principal);
      if (FINISHED.has(audit.status)) throw conflict(`audit is already ${audit.status}`);
      try {
        await temporal.workflow.getHandle(audit.workflowId).cancel();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw conflict('audit is no longer running');
        throw err;
      }
      return { auditId: audit.id, status: 'cancelling' as const };
    },

    reportJson: reportOf,

    async reportCsv(auditId: string, principal: Principal) {
      return siteIssuesCsv(await reportOf(auditId, principal));
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
