import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { checkUrlSafety, type UrlPolicy } from '../../targets/url-safety';
import { taskQueuePrefixOf, temporalUiUrl, type Env } from '../../lib/env';
import type { Logger } from '../../lib/logger';
import { Prisma, type PrismaClient } from '../../lib/prisma';
import { scanStartOptions, scanWorkflowId, taskQueues, type ScanInput, type ScanQueue } from '../../core/contracts';
import type { scanWorkflow } from '../../workflows';
import { conflict, HttpError, invalidField, serviceUnavailable } from '../http-errors';
import { scanOptionsFrom, workflowSettings } from './scan-options';
import type { CreateScanBody, ListScansQuery } from '../schemas/scans.schema';
import type { Principal } from './api-key.service';
import { actingClient, assertVisible } from './access';
import { rateLimited, type Grant, type RateLimitService } from './rate-limit.service';
import type { TemporalBreaker } from './temporal-breaker';
import type { ApiMetrics } from '../../lib/metrics';
import { isUuid } from '../../lib/ids';
import { nextCursor, olderThan, pageCursorOf } from './page-cursor';

export interface SubmitScan {
  url: string;
  clientId: string;
  prospectId?: string;
  priority: number;
  queue: ScanQueue;
  timeout?: number;
  maxRetries?: number;
  wcagTags?: string[];
  /** The failed scan this one re-runs (POST /api/monitoring/queue/retry/:jobId). */
  retryOf?: string;
  /** Count it against the client's MAX_SCANS_PER_HOUR: client-key submissions; operator (admin) ones are exempt. */
  enforceQuota?: boolean;
  /** Told where the client's quota stands once this scan is charged to it (the response's RateLimit fields). */
  onQuota?: (grant: Grant) => void;
}

export interface ScanServiceDeps {
  env: Env;
  prisma: PrismaClient;
  temporal: Client;
  urlPolicy: UrlPolicy;
  logger: Logger;
  /** Defaults to TEMPORAL_TASK_QUEUE_PREFIX; tests isolate themselves with their own. */
  taskQueuePrefix?: string;
  /** Safety layer (createApp wires both): fail fast while Temporal is down, per-client hourly quota. */
  temporalBreaker?: TemporalBreaker;
  rateLimits?: RateLimitService;
  metrics: ApiMetrics;
}

const TARGETS_SHOWN = 5;

/** axe targets are selector paths through frames; a path of one selector reads better as that selector. */
function displayTarget(target: unknown): unknown {
  return Array.isArray(target) && target.length === 1 && typeof target[0] === 'string' ? target[0] : target;
}

const noSuchProspect = () => invalidField('prospectId', 'no such prospect for this client');

/** Starts, reads and cancels scans; knows nothing of HTTP requests. */
export function createScanService(deps: ScanServiceDeps) {
  const { env, prisma, temporal } = deps;
  const prefix = taskQueuePrefixOf(deps);
  const queues = taskQueues(prefix);

  /** The submitted URL must pass the same rules the worker applies; reasons are safe to show. */
  async function assertSubmittable(url: string): Promise<URL> {
    try {
      const check = await checkUrlSafety(url, deps.urlPolicy);
      if (!check.ok) {
        // The reason is for the client; the detail (the address a name resolved to) only for our logs.
        if (check.detail) deps.logger.warn({ url, category: check.category, detail: check.detail }, 'scan target refused');
        throw invalidField('url', check.reason, { category: check.category }, { flat: true });
      }
      return check.url;
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOTFOUND') throw invalidField('url', 'host name does not resolve', {}, { flat: true });
      if ((err as { status?: number }).status) throw err;
      // Any other resolver trouble is transient: accept the scan, the workflow retries the lookup.
      return new URL(url);
    }
  }

  /**
   * The UUID of the prospect a submission names: by our id or by the client's external id (the seed's clients send
   * `prospect-123`; our id wins when it is both). Only a prospect of the submission's client: the same 400 whether
   * missing or another's.
   */
  async function prospectIdOf(prospectId: string | undefined, clientId: string): Promise<string | undefined> {
    if (prospectId === undefined) return undefined;
    const found =
      (isUuid(prospectId) && (await prisma.prospect.findFirst({ where: { id: prospectId, clientId }, select: { id: true } }))) ||
      (await prisma.prospect.findUnique({ where: { clientId_externalId: { clientId, externalId: prospectId } }, select: { id: true } }));
    if (!found) throw noSuchProspect();
    return found.id;
  }

  async function submit(req: SubmitScan) {
    const target = await assertSubmittable(req.url);
    deps.temporalBreaker?.assertAvailable();
    const quota = req.enforceQuota ? deps.rateLimits : undefined;
    if (quota) {
      const grant = await quota.consume(req.clientId, 1);
      if (grant.granted === 0) throw rateLimited(grant);
      req.onQuota?.(grant);
    }
    const scanId = randomUUID();
    const workflowId = scanWorkflowId(scanId);
    const input: ScanInput = {
      scanId,
      url: target.href,
      clientId: req.clientId,
      prospectId: req.prospectId,
      queue: req.queue,
      priority: req.priority,
      options: scanOptionsFrom(env, req),
      ...workflowSettings(env, prefix),
    };
    // The row first, so the scan exists for GET at once; if the start fails it is closed as failed, not lost.
    await prisma.scan
      .create({
        data: {
          id: scanId,
          workflowId,
          url: input.url,
          targetHost: target.hostname,
          clientId: req.clientId,
          prospectId: req.prospectId,
          retryOf: req.retryOf,
          queue: req.queue,
          priority: req.priority,
          options: input.options as object,
        },
      })
      .catch(async (err: unknown) => {
        // The prospect was deleted after it was checked (scans.prospect_id references prospects).
        if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003')) throw err;
        await quota?.refund(req.clientId, 1).catch(() => undefined);
        throw noSuchProspect();
      });
    try {
      const start = (client: Client) =>
        client.workflow.start<typeof scanWorkflow>('scanWorkflow', {
          taskQueue: queues[req.queue],
          workflowId,
          args: [input],
          ...scanStartOptions({ ...req, scanId, targetHost: target.hostname }),
        });
      await (deps.temporalBreaker ? deps.temporalBreaker.execute(start) : start(temporal));
    } catch (err) {
      deps.logger.error({ err, scanId }, 'could not start scan workflow');
      await quota?.refund(req.clientId, 1).catch(() => undefined);
      await prisma.scan.update({
        where: { id: scanId },
        data: { status: 'failed', failureReason: 'internal', failureMessage: 'workflow could not be started', finishedAt: new Date() },
      });
      if (err instanceof HttpError && err.status === 503) throw err;
      throw serviceUnavailable('the scan could not be queued; try again shortly');
    }
    deps.metrics.scansSubmitted.inc({ kind: 'single' });
    return { scanId, workflowId, status: 'queued' as const };
  }

  /** The scan with its violations, or null when it does not exist. */
  async function get(scanId: string) {
    if (!isUuid(scanId)) return null;
    const scan = await prisma.scan.findUnique({
      where: { id: scanId },
      include: {
        violations: { orderBy: [{ kind: 'desc' }, { ruleId: 'asc' }] },
        attemptsLog: { orderBy: { attempt: 'asc' } },
        result: { select: { axeVersion: true, finalUrl: true, httpStatus: true, pageTitle: true, blockedRequests: true } },
      },
    });
    if (!scan) return null;
    const rule = (v: (typeof scan.violations)[number]) => ({
      ruleId: v.ruleId,
      impact: v.impact,
      wcag: v.wcag,
      help: v.help,
      helpUrl: v.helpUrl,
      nodeCount: v.nodeCount,
      targets: (v.nodes as Array<{ target: unknown }>).slice(0, TARGETS_SHOWN).map((n) => displayTarget(n.target)),
    });
    return {
      scanId: scan.id,
      workflowId: scan.workflowId,
      url: scan.url,
      clientId: scan.clientId,
      prospectId: scan.prospectId,
      retryOf: scan.retryOf,
      queue: scan.queue,
      priority: scan.priority,
      status: scan.status,
      attempts: scan.attempts,
      score: scan.score,
      inconclusive: scan.inconclusive,
      inconclusiveReason: scan.inconclusiveReason ?? undefined,
      counts: {
        critical: scan.criticalCount ?? 0,
        serious: scan.seriousCount ?? 0,
        moderate: scan.moderateCount ?? 0,
        minor: scan.minorCount ?? 0,
        violations: scan.violationCount ?? 0,
        needsReview: scan.incompleteCount ?? 0,
      },
      violations: scan.violations.filter((v) => v.kind === 'violation').map(rule),
      needsReview: scan.violations.filter((v) => v.kind === 'incomplete').map(rule),
      failedAttempts: scan.attemptsLog.map((a) => ({ attempt: a.attempt, category: a.category, message: a.message, at: a.createdAt })),
      result: scan.result ?? undefined,
      options: scan.options,
      createdAt: scan.createdAt,
      startedAt: scan.startedAt,
      finishedAt: scan.finishedAt,
      durationMs: scan.durationMs,
      failureReason: scan.failureReason ?? undefined,
      failureMessage: scan.failureMessage ?? undefined,
      temporalUiUrl: temporalUiUrl(env, scan.workflowId),
    };
  }

  /** Newest first; `next` is the opaque `cursor` of the next page, null on the last. */
  async function list(q: ListScansQuery) {
    // (createdAt, id): a bulk's scans are inserted by one statement and share createdAt.
    const cursor = pageCursorOf(q);
    const where: Prisma.ScanWhereInput = {
      ...(q.clientId && { clientId: q.clientId }),
      ...(q.status && { status: q.status }),
    };
    const rows = await prisma.scan.findMany({
      where: cursor ? { AND: [where, olderThan<Prisma.ScanWhereInput>(cursor, 'createdAt')] } : where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit,
      select: {
        id: true,
        url: true,
        clientId: true,
        status: true,
        score: true,
        inconclusive: true,
        violationCount: true,
        failureReason: true,
        createdAt: true,
        finishedAt: true,
      },
    });
    return {
      scans: rows.map(({ id, ...r }) => ({ scanId: id, ...r })),
      next: nextCursor(rows, q.limit, (r) => r.createdAt),
    };
  }

  /** Requests cancellation; the workflow records `cancelled` once the page is closed. */
  async function cancel(scanId: string, status: string) {
    if (status === 'completed' || status === 'failed' || status === 'cancelled') {
      throw conflict(`scan is already ${status}`);
    }
    try {
      await temporal.workflow.getHandle(scanWorkflowId(scanId)).cancel();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw conflict('scan is no longer running');
      throw err;
    }
  }

  /** The scan if this principal may see it; another client's is a 404 like a missing one. */
  async function visibleTo(scanId: string, principal: Principal) {
    return assertVisible(principal, await get(scanId), 'scan');
  }

  return {
    submit,
    // Site audits submit under the same target and prospect rules (api/services/audit.service.ts).
    assertSubmittable,
    prospectIdOf,
    noSuchProspect,
    get,
    list,
    cancel,
    visibleTo,

    /** POST /api/scans for this principal: its own client only, and a prospectId only of the scan's client. */
    async submitAs(principal: Principal, body: CreateScanBody, onQuota?: (grant: Grant) => void) {
      const clientId = actingClient(principal, body.clientId, 'this key can only submit scans for its own client');
      if (!clientId) throw invalidField('clientId', 'is required');
      const prospectId = await prospectIdOf(body.prospectId, clientId);
      return submit({ ...body, clientId, prospectId, enforceQuota: principal.kind === 'client', onQuota });
    },

    /** A client key lists its own scans only. */
    async listFor(principal: Principal, q: ListScansQuery) {
      return list({ ...q, clientId: actingClient(principal, q.clientId, 'this key can only list its own scans') });
    },

    async cancelFor(scanId: string, principal: Principal) {
      const scan = await visibleTo(scanId, principal);
      await cancel(scan.scanId, scan.status);
      return scan;
    },
  };
}
export type ScanService = ReturnType<typeof createScanService>;
