import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { taskQueuePrefixOf } from '../../lib/env';
import { checkUrlSyntax } from '../../targets/url-safety';
import { bulkWorkflowId, scanWorkflowId, taskQueues, type BulkInput } from '../../core/contracts';
import type { bulkScanWorkflow } from '../../workflows';
import { conflict, HttpError, notFound, serviceUnavailable } from '../http-errors';
import type { ScanServiceDeps } from './scan.service';
import { scanOptionsFrom, workflowSettings } from './scan-options';
import type { Principal } from './api-key.service';
import { clientIdSchema } from '../schemas/scans.schema';
import { actingClient, canAccessClient, canAccessSubmission, scopeOf, submitterOf } from './access';
import type { BulkItemsQuery, CreateBulkBody } from '../schemas/bulk.schema';
import { rateLimited, type Grant } from './rate-limit.service';
import { recordRejections, rejectionReasons } from './safety.service';
import { isUuid } from '../../lib/ids';

export interface BulkServiceDeps extends ScanServiceDeps {
  /** Tests shrink these to exercise windows and continueAsNew with a few items. */
  bulkTuning?: Partial<Pick<BulkInput, 'window' | 'batchSize' | 'itemsPerRun'>>;
}

interface AcceptedItem {
  url: string;
  host: string;
  clientId: string;
  prospectId?: string;
}

// The window bounds Temporal work in flight, not page work: the browser queue's slots do that.
const CHILD_WINDOW = 100;
const BATCH_SIZE = 200;
const ITEMS_PER_RUN = 1_000;
const INSERT_CHUNK = 1_000;

/** Who submitted a bulk: the client's id, or for the admin key a value no client id can equal. */

/** Bulk submissions: per-item validation, one row per accepted scan, one bulkScanWorkflow. */
export function createBulkService(deps: BulkServiceDeps) {
  const { env, prisma, temporal } = deps;
  const prefix = taskQueuePrefixOf(deps);
  const queues = taskQueues(prefix);

  /**
   * Resolves each `prospectIds` entry to a prospect: our UUID, or the client's external id (the seed's files hold CRM
   * ids such as `prospect-123`). External ids are unique per client only, so they resolve within one client: a
   * client key's own, or the admin's `clientId`. Our UUID wins when an entry is both (an external id may look like
   * one). Another client's prospect is "not found", as everywhere else.
   */
  async function prospectResolver(entries: string[], principal: Principal, clientId: string | undefined) {
    const client = actingClient(principal, clientId, 'this key can only scan its own prospects');
    const within = client === undefined ? {} : { clientId: client };
    const uuids = entries.filter(isUuid);
    const [byUuid, byExternal] = await Promise.all([
      uuids.length === 0 ? [] : prisma.prospect.findMany({ where: { id: { in: uuids }, ...within } }),
      client === undefined ? [] : prisma.prospect.findMany({ where: { clientId: client, externalId: { in: entries } } }),
    ]);
    const ids = new Map(byUuid.map((p) => [p.id, p]));
    const externalIds = new Map(byExternal.map((p) => [p.externalId, p]));
    return (entry: string): { id: string; url: string; clientId: string } | { reason: string } => {
      const p = ids.get(entry.toLowerCase()) ?? externalIds.get(entry);
      if (p && canAccessClient(principal, p.clientId)) return p;
      if (client === undefined && !isUuid(entry)) {
        return {
          reason: `prospect ${entry} not found: an external id names a prospect of one client; give clientId (scan-bulk.sh --client <id>)`,
        };
      }
      return { reason: `prospect ${entry} not found` };
    };
  }

  async function resolveItems(body: CreateBulkBody, principal: Principal) {
    const accepted: Array<AcceptedItem & { index: number }> = [];
    const rejected: Array<{ index: number; reason: string }> = [];
    const ownClient = scopeOf(principal);

    const acceptUrl = (index: number, url: unknown, clientId: string, prospectId?: string) => {
      if (typeof url !== 'string') return rejected.push({ index, reason: 'url: is required' });
      const check = checkUrlSyntax(url, deps.urlPolicy);
      if (!check.ok) return rejected.push({ index, reason: `url: ${check.reason}` });
      accepted.push({ index, url: check.url.href, host: check.url.hostname, clientId, prospectId });
    };

    if (body.prospectIds) {
      const resolve = await prospectResolver(body.prospectIds, principal, body.clientId);
      body.prospectIds.forEach((entry, index) => {
        const found = resolve(entry);
        if ('reason' in found) return rejected.push({ index, reason: found.reason });
        acceptUrl(index, found.url, found.clientId, found.id);
      });
    } else {
      // An item may only be filed under a prospect of its own client, as with a single scan: by our id or by the
      // client's external id.
      const claimed = body.scans!.map((item) => item.prospectId).filter((id): id is string => typeof id === 'string');
      const claimedUuids = claimed.filter(isUuid);
      const [byUuid, byExternal] = claimed.length
        ? await Promise.all([
            claimedUuids.length
              ? prisma.prospect.findMany({ where: { id: { in: claimedUuids } }, select: { id: true, clientId: true } })
              : [],
            prisma.prospect.findMany({ where: { externalId: { in: claimed } }, select: { id: true, clientId: true, externalId: true } }),
          ])
        : [[], []];
      const owners = new Map(byUuid.map((p) => [p.id, p.clientId]));
      const external = new Map(byExternal.map((p) => [`${p.clientId}\n${p.externalId}`, p.id]));
      const prospectOf = (given: string, clientId: string) =>
        owners.get(given.toLowerCase()) === clientId ? given.toLowerCase() : external.get(`${clientId}\n${given}`);
      body.scans!.forEach((item, index) => {
        const given = item.clientId ?? body.clientId ?? ownClient;
        const parsed = clientIdSchema.safeParse(given);
        if (!parsed.success) {
          return rejected.push({ index, reason: `clientId: ${given === undefined ? 'is required' : parsed.error.issues[0].message}` });
        }
        if (ownClient && parsed.data !== ownClient)
          return rejected.push({ index, reason: 'clientId: this key can only submit scans for its own client' });
        const prospectId = typeof item.prospectId === 'string' ? prospectOf(item.prospectId, parsed.data) : undefined;
        if (typeof item.prospectId === 'string' && prospectId === undefined) {
          return rejected.push({ index, reason: 'prospectId: no such prospect for this client' });
        }
        acceptUrl(index, item.url, parsed.data, prospectId);
      });
    }
    return { accepted, rejected };
  }

  return {
    async submit(body: CreateBulkBody, principal: Principal, onQuota?: (grant: Grant) => void) {
      const total = body.prospectIds?.length ?? body.scans!.length;
      const resolved = await resolveItems(body, principal);
      const { rejected } = resolved;
      let { accepted } = resolved;
      if (accepted.length > 0) deps.temporalBreaker?.assertAvailable();
      // Client keys draw on their hourly quota item by item: the items past the remaining budget are rejected.
      const quota = principal.kind === 'client' && accepted.length > 0 ? deps.rateLimits : undefined;
      let granted = 0;
      if (quota && principal.kind === 'client') {
        const grant = await quota.consume(principal.clientId, accepted.length);
        granted = grant.granted;
        const reason = `rate_limited: ${grant.status.limit} scans per hour; resets at ${grant.status.resetTime}`;
        for (const item of accepted.slice(granted)) rejected.push({ index: item.index, reason });
        rejected.sort((a, b) => a.index - b.index);
        if (granted === 0) throw rateLimited(grant, { total, rejected });
        onQuota?.(grant);
        accepted = accepted.slice(0, granted);
      }
      void recordRejections(prisma, rejectionReasons(rejected), deps.logger);
      const bulkId = randomUUID();
      const workflowId = bulkWorkflowId(bulkId);
      const options = scanOptionsFrom(env, body);
      const response = { bulkId, workflowId, total, accepted: accepted.length, rejected };
      if (accepted.length === 0) return { ...response, status: 'rejected' as const };

      await prisma.$transaction(
        async (tx) => {
          await tx.bulk.create({
            data: {
              id: bulkId,
              workflowId,
              submittedBy: submitterOf(principal),
              queue: body.queue,
              priority: body.priority,
              total,
              accepted: accepted.length,
              rejected,
            },
          });
          for (let i = 0; i < accepted.length; i += INSERT_CHUNK) {
            await tx.scan.createMany({
              data: accepted.slice(i, i + INSERT_CHUNK).map((item, j) => {
                const scanId = randomUUID();
                return {
                  id: scanId,
                  workflowId: scanWorkflowId(scanId),
                  url: item.url,
                  targetHost: item.host,
                  clientId: item.clientId,
                  prospectId: item.prospectId,
                  bulkId,
                  bulkIndex: i + j,
                  queue: body.queue,
                  priority: body.priority,
                  options: options as object,
                };
              }),
            });
          }
        },
        { timeout: 60_000 },
      );

      const input: BulkInput = {
        bulkId,
        ...workflowSettings(env, prefix),
        window: deps.bulkTuning?.window ?? CHILD_WINDOW,
        batchSize: deps.bulkTuning?.batchSize ?? BATCH_SIZE,
        itemsPerRun: deps.bulkTuning?.itemsPerRun ?? ITEMS_PER_RUN,
        nextIndex: 0,
        progress: { total: accepted.length, queued: accepted.length, running: 0, completed: 0, failed: 0, cancelled: 0 },
      };
      try {
        const start = (client: Client) =>
          client.workflow.start<typeof bulkScanWorkflow>('bulkScanWorkflow', { taskQueue: queues[body.queue], workflowId, args: [input] });
        await (deps.temporalBreaker ? deps.temporalBreaker.execute(start) : start(temporal));
      } catch (err) {
        deps.logger.error({ err, bulkId }, 'could not start bulk workflow');
        if (quota && principal.kind === 'client') await quota.refund(principal.clientId, granted).catch(() => undefined);
        const now = new Date();
        await prisma.$transaction([
          prisma.scan.updateMany({
            where: { bulkId },
            data: {
              status: 'failed',
              stage: 'done',
              failureReason: 'internal',
              failureMessage: 'bulk could not be started',
              finishedAt: now,
            },
          }),
          prisma.bulk.update({ where: { id: bulkId }, data: { status: 'failed', finishedAt: now } }),
        ]);
        if (err instanceof HttpError && err.status === 503) throw err;
        throw serviceUnavailable('the bulk could not be queued; try again shortly');
      }
      deps.metrics.scansSubmitted.inc({ kind: 'bulk' }, accepted.length);
      return { ...response, status: 'queued' as const };
    },

    /** Live progress from Postgres (the source of truth for every item), or null. */
    /** Items in submission order; `next` is the `cursor` of the next page of items, null on the last. */
    async progress(bulkId: string, page: BulkItemsQuery) {
      const bulk = await prisma.bulk.findUnique({ where: { id: bulkId } });
      if (!bulk) return null;
      const [groups, items] = await Promise.all([
        prisma.scan.groupBy({ by: ['status'], where: { bulkId }, _count: { _all: true } }),
        prisma.scan.findMany({
          // Indexes are unique within a bulk: the last one shown is a position that neither skips nor repeats.
          where: { bulkId, ...(page.cursor !== undefined && { bulkIndex: { gt: Number(page.cursor) } }) },
          orderBy: { bulkIndex: 'asc' },
          skip: page.offset,
          take: page.limit,
          select: { id: true, bulkIndex: true, url: true, clientId: true, status: true, score: true, failureReason: true },
        }),
      ]);
      const counts = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
      for (const g of groups) counts[g.status] = g._count._all;
      return {
        bulkId,
        workflowId: bulk.workflowId,
        status: bulk.status,
        submittedBy: bulk.submittedBy,
        queue: bulk.queue,
        priority: bulk.priority,
        total: bulk.accepted,
        submitted: bulk.total,
        ...counts,
        done: counts.completed + counts.failed + counts.cancelled === bulk.accepted,
        rejected: bulk.rejected,
        createdAt: bulk.createdAt,
        finishedAt: bulk.finishedAt,
        items: items.map((s) => ({
          index: s.bulkIndex,
          scanId: s.id,
          url: s.url,
          clientId: s.clientId,
          status: s.status,
          score: s.score,
          failureReason: s.failureReason ?? undefined,
        })),
        page: { offset: page.offset ?? 0, limit: page.limit },
        next: items.length === page.limit && items[items.length - 1]?.bulkIndex != null ? String(items[items.length - 1].bulkIndex) : null,
      };
    },

    /** Cancels the bulk workflow: running scans are cancelled, unstarted ones closed as cancelled. */
    async cancel(bulkId: string, status: string) {
      if (status !== 'running') throw conflict(`bulk is already ${status}`);
      try {
        await temporal.workflow.getHandle(bulkWorkflowId(bulkId)).cancel();
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw conflict('bulk is no longer running');
        throw err;
      }
    },

    /** The bulk's owner and status if this principal may see it; otherwise a 404, whoever submitted it. */
    async visibleTo(bulkId: string, principal: Principal) {
      const owner = await prisma.bulk.findUnique({ where: { id: bulkId }, select: { submittedBy: true, status: true } });
      if (!owner || !canAccessSubmission(principal, owner.submittedBy)) throw notFound('bulk');
      return owner;
    },
  };
}
export type BulkService = ReturnType<typeof createBulkService>;
