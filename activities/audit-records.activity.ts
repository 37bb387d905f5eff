import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from '../lib/prisma';
import { consumeQuota } from '../tenancy/quota';
import { FailureCategory, scanWorkflowId } from '../core/contracts';
import {
  SkipReason,
  auditWorkflowId,
  type ScheduledAuditInput,
  type AuditClaim,
  type AuditOptions,
  type AuditProgress,
  type AuditRunSettings,
  type AuditStatus,
} from '../core/audit';
import { auditScope, planPages, type PlannedPage } from '../audits/frontier';
import { normaliseUrl } from '../audits/normalise-url';
import { parseRobots, ROBOTS_USER_AGENT } from '../audits/robots';
import { urlPattern } from '../audits/url-pattern';
import { prospectStillOwned } from './scan-records.activity';

type Tx = Prisma.TransactionClient;

export interface AuditRecordDeps {
  prisma: PrismaClient;
  /** MAX_SCANS_PER_HOUR: the default hourly quota audit pages are charged to. */
  maxScansPerHour: number;
}

interface AuditRow {
  id: string;
  client_id: string;
  prospect_id: string | null;
  start_url: string;
  site_hosts: string[];
  options: AuditOptions;
  queue: string;
  priority: number;
  status: string;
  robots_txt: string | null;
  pages_started: number;
  submitted_by: string;
}

/** Reads the audit and locks its row: claims and frontier updates of one audit take turns (caps stay exact). */
async function lockAudit(tx: Tx, auditId: string): Promise<AuditRow> {
  const [row] = await tx.$queryRaw<AuditRow[]>`
    SELECT id, client_id, prospect_id, start_url, site_hosts, options, queue, priority, status, robots_txt, pages_started, submitted_by
    FROM audits WHERE id = ${auditId}::uuid FOR UPDATE`;
  if (!row) throw new Error(`audit ${auditId} has no row`);
  return row;
}

/** Inserts planned rows; a URL the audit already has is left as it is (the seen-set is the unique index). */
export async function insertPlannedPages(tx: Tx | PrismaClient, auditId: string, pages: PlannedPage[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < pages.length; i += 1_000) {
    const chunk = pages.slice(i, i + 1_000);
    const { count } = await tx.auditPage.createMany({
      data: chunk.map((p) => ({
        auditId,
        url: p.url,
        depth: p.depth,
        source: p.source,
        foundOn: p.foundOn,
        pattern: p.pattern,
        status: p.status,
        skipReason: p.skipReason,
        lastmod: p.lastmod,
      })),
      skipDuplicates: true,
    });
    inserted += count;
  }
  return inserted;
}

/** Admitted pages per URL pattern (skipped ones do not count against the pattern cap). */
export async function patternCounts(tx: Tx | PrismaClient, auditId: string): Promise<Map<string, number>> {
  const rows = await tx.auditPage.groupBy({ by: ['pattern'], where: { auditId, status: { not: 'skipped' } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.pattern, r._count._all]));
}

/** The progress counters the API, the CLI and the workflow's query show. */
export async function auditProgress(db: Tx | PrismaClient, auditId: string): Promise<AuditProgress> {
  const rows = await db.auditPage.groupBy({ by: ['status'], where: { auditId }, _count: { _all: true } });
  const n = (s: string) => rows.find((r) => r.status === s)?._count._all ?? 0;
  const discovered = rows.reduce((sum, r) => sum + r._count._all, 0);
  return { discovered, queued: n('pending'), scanning: n('scanning'), scanned: n('scanned'), failed: n('failed'), skipped: n('skipped') };
}

/** How a page ends once its scan has: scanned, failed, or skipped because it was not a page of the site. */
function pageOutcome(scan: { status: string; failureReason: string | null; failureMessage: string | null }): {
  status: 'scanned' | 'failed' | 'skipped';
  skipReason: SkipReason | null;
  detail: string | null;
} {
  if (scan.status === 'completed') return { status: 'scanned', skipReason: null, detail: null };
  if (scan.status === 'failed') {
    if (scan.failureReason === FailureCategory.NotHtml)
      return { status: 'skipped', skipReason: SkipReason.NonHtml, detail: scan.failureMessage };
    if (scan.failureReason === FailureCategory.OffSite)
      return { status: 'skipped', skipReason: SkipReason.OffSiteRedirect, detail: scan.failureMessage };
    if (scan.failureReason === FailureCategory.BlockedTarget)
      return { status: 'skipped', skipReason: SkipReason.BlockedTarget, detail: scan.failureMessage };
    return { status: 'failed', skipReason: null, detail: `${scan.failureReason ?? 'failed'}: ${scan.failureMessage ?? ''}`.slice(0, 500) };
  }
  return { status: 'skipped', skipReason: SkipReason.Cancelled, detail: null };
}

/** Postgres side of siteAuditWorkflow. Every activity is idempotent: Temporal may run any of them twice. */
export function createAuditRecordActivities(deps: AuditRecordDeps) {
  const { prisma } = deps;
  return {
    /**
     * The row of one firing of an audit schedule (the API creates the row of every other audit), filed under the
     * schedule's prospect while that still exists.
     */
    async createScheduledAudit(input: ScheduledAuditInput & { auditId: string; scheduledWorkflowId: string }): Promise<void> {
      const prospectId = await prospectStillOwned(prisma, input.prospectId, input.clientId);
      await prisma.audit.upsert({
        where: { id: input.auditId },
        update: {},
        create: {
          id: input.auditId,
          workflowId: auditWorkflowId(input.auditId),
          clientId: input.clientId,
          prospectId,
          scheduleId: input.scheduleId,
          submittedBy: input.submittedBy,
          startUrl: input.startUrl,
          siteHosts: input.siteHosts,
          options: input.options as unknown as Prisma.InputJsonValue,
          queue: input.queue,
          priority: input.priority,
        },
      });
    },

    /** Marks the audit running (once) and returns what the workflow needs for its whole life. */
    async startAudit({ auditId }: { auditId: string }): Promise<AuditRunSettings> {
      await prisma.audit.updateMany({ where: { id: auditId, status: 'queued' }, data: { status: 'running', startedAt: new Date() } });
      const audit = await prisma.audit.findUniqueOrThrow({ where: { id: auditId } });
      const options = audit.options as unknown as AuditOptions;
      return {
        startUrl: audit.startUrl,
        siteHosts: audit.siteHosts,
        prospectId: audit.prospectId ?? undefined,
        concurrency: options.politeness.concurrency,
        delayMs: options.politeness.delayMs,
        maxPages: options.maxPages,
        scanOptions: { timeoutMs: options.timeoutMs, maxRetries: options.maxRetries, wcagTags: options.wcagTags },
      };
    },

    /**
     * Hands out up to `limit` pending pages, shallowest first: creates their scan rows (filed under the audit) and
     * charges them to the client's hourly quota in one transaction. `claim` names this call: a retried call returns
     * the pages the first one handed out instead of new ones, so no page is started twice or charged twice.
     */
    async claimAuditPages(input: { auditId: string; claim: string; limit: number; quotaExempt: boolean }): Promise<AuditClaim> {
      return prisma.$transaction(async (tx) => {
        const audit = await lockAudit(tx, input.auditId);
        const already = await tx.auditPage.findMany({
          where: { auditId: input.auditId, claim: input.claim },
          select: { id: true, url: true, scanId: true },
          orderBy: { id: 'asc' },
        });
        if (already.length > 0) {
          return { pages: already.map((p) => claimed(p.id, p.scanId!, p.url)), exhausted: false };
        }
        const options = audit.options;
        const remaining = options.maxPages - audit.pages_started;
        if (remaining <= 0) return { pages: [], exhausted: true };
        const hostRoom = await roomOnSite(tx, audit);
        if (hostRoom.room <= 0 && hostRoom.ownScanning === 0) {
          // Other audits of the same site use its share: try again shortly (or when one of ours ends).
          const pending = await tx.auditPage.count({ where: { auditId: input.auditId, status: 'pending' } });
          return pending > 0 ? { pages: [], busyMs: SITE_BUSY_RETRY_MS, exhausted: false } : { pages: [], exhausted: true };
        }
        const want = Math.min(input.limit, remaining, Math.max(hostRoom.room, 0));
        const picked: Array<{ id: bigint; url: string }> = [];
        const sampled = options.sampling ? await startedPerPattern(tx, input.auditId) : null;
        for (let round = 0; picked.length < want && round < 100; round++) {
          const candidates = await tx.auditPage.findMany({
            where: { auditId: input.auditId, status: 'pending' },
            orderBy: [{ depth: 'asc' }, { id: 'asc' }],
            take: 200,
            select: { id: true, url: true, pattern: true },
          });
          if (candidates.length === 0) break;
          const sampledOut: bigint[] = [];
          for (const c of candidates) {
            if (picked.length >= want) break;
            if (sampled && options.sampling) {
              const n = sampled.get(c.pattern) ?? 0;
              if (n >= options.sampling.perTemplate) {
                sampledOut.push(c.id);
                continue;
              }
              sampled.set(c.pattern, n + 1);
            }
            picked.push(c);
          }
          if (sampledOut.length > 0) {
            await tx.auditPage.updateMany({
              where: { id: { in: sampledOut } },
              data: { status: 'skipped', skipReason: SkipReason.SampledOut, updatedAt: new Date() },
            });
          }
          if (sampledOut.length === 0) break;
        }
        if (picked.length === 0) return { pages: [], exhausted: true };
        let granted = picked.length;
        if (!input.quotaExempt) {
          const grant = await consumeQuota(tx, deps.maxScansPerHour, audit.client_id, picked.length);
          granted = grant.granted;
          if (granted === 0) return { pages: [], waitMs: grant.retryAfterSeconds * 1000, exhausted: false };
        }
        const pages = picked.slice(0, granted).map((p) => ({ ...p, scanId: randomUUID(), host: new URL(p.url).hostname }));
        await tx.scan.createMany({
          data: pages.map((p) => ({
            id: p.scanId,
            workflowId: scanWorkflowId(p.scanId),
            url: p.url,
            targetHost: p.host,
            clientId: audit.client_id,
            prospectId: audit.prospect_id,
            auditId: input.auditId,
            queue: audit.queue,
            priority: audit.priority,
            options: { timeoutMs: options.timeoutMs, maxRetries: options.maxRetries, wcagTags: options.wcagTags },
          })),
        });
        for (const p of pages) {
          await tx.auditPage.update({
            where: { id: p.id },
            data: { status: 'scanning', scanId: p.scanId, claim: input.claim, updatedAt: new Date() },
          });
        }
        await tx.audit.update({ where: { id: input.auditId }, data: { pagesStarted: { increment: pages.length } } });
        return { pages: pages.map((p) => claimed(p.id, p.scanId, p.url)), exhausted: false };
      });
    },

    /**
     * Records how a page's scan ended and adds the links it found (from the DOM the scan rendered) to the frontier.
     * A page whose scan ended on another URL of the site is recorded under both, so neither is scanned again.
     */
    async settleAuditPage(input: { auditId: string; pageId: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        const audit = await lockAudit(tx, input.auditId);
        const page = await tx.auditPage.findUnique({ where: { id: BigInt(input.pageId) } });
        if (!page || page.status !== 'scanning' || !page.scanId) return;
        const scan = await tx.scan.findUnique({
          where: { id: page.scanId },
          select: { status: true, failureReason: true, failureMessage: true, result: { select: { finalUrl: true, links: true } } },
        });
        if (!scan || scan.status === 'queued' || scan.status === 'running') return;
        let outcome = pageOutcome(scan);
        const finalUrl = scan.result ? normaliseUrl(scan.result.finalUrl) : null;
        if (outcome.status === 'scanned' && finalUrl && finalUrl !== page.url) {
          outcome = await recordRedirectTarget(tx, input.auditId, page, finalUrl, outcome);
        }
        await tx.auditPage.update({ where: { id: page.id }, data: { ...outcome, updatedAt: new Date() } });
        const links = Array.isArray(scan.result?.links)
          ? (scan.result.links as unknown[]).filter((l): l is string => typeof l === 'string')
          : [];
        if (outcome.status !== 'scanned' || links.length === 0) return;
        const robots = audit.robots_txt
          ? parseRobots(new URL('/robots.txt', audit.start_url).href, audit.robots_txt, ROBOTS_USER_AGENT)
          : null;
        const scope = auditScope(audit.options, audit.site_hosts, robots);
        const normalised = links.map((l) => normaliseUrl(l)).filter((u): u is string => u !== null);
        const seen = new Set(
          (await tx.auditPage.findMany({ where: { auditId: input.auditId, url: { in: normalised } }, select: { url: true } })).map(
            (r) => r.url,
          ),
        );
        const planned = planPages(
          links.map((url) => ({ url })),
          { scope, depth: page.depth + 1, source: 'link', foundOn: page.url, seen, patternCounts: await patternCounts(tx, input.auditId) },
        );
        await insertPlannedPages(tx, input.auditId, planned);
      });
    },

    /**
     * Ends the audit: pages whose scans ended without being settled (a cancelled audit) are settled from their scan,
     * pages never started are skipped (cancelled, or over maxPages), then the audit's own status.
     */
    async finishAudit(input: {
      auditId: string;
      status: Extract<AuditStatus, 'completed' | 'failed' | 'cancelled'>;
      failureReason?: string;
      failureMessage?: string;
    }): Promise<AuditProgress> {
      return prisma.$transaction(async (tx) => {
        await lockAudit(tx, input.auditId);
        // The workflow ends only after every page scan it started has ended, so a scan still queued now was claimed but
        // never started (the audit was cancelled or failed in between): it is closed, so none is left queued.
        await tx.scan.updateMany({
          where: { auditId: input.auditId, status: 'queued' },
          data: {
            status: 'cancelled',
            stage: 'done',
            failureReason: 'cancelled',
            failureMessage: 'the audit ended before this page was scanned',
            finishedAt: new Date(),
          },
        });
        const open = await tx.auditPage.findMany({
          where: { auditId: input.auditId, status: 'scanning' },
          select: { id: true, scan: { select: { status: true, failureReason: true, failureMessage: true } } },
        });
        for (const p of open) {
          const outcome = p.scan ? pageOutcome(p.scan) : { status: 'skipped' as const, skipReason: SkipReason.Cancelled, detail: null };
          await tx.auditPage.update({ where: { id: p.id }, data: { ...outcome, updatedAt: new Date() } });
        }
        await tx.auditPage.updateMany({
          where: { auditId: input.auditId, status: 'pending' },
          data: {
            status: 'skipped',
            skipReason: input.status === 'completed' ? SkipReason.MaxPages : SkipReason.Cancelled,
            updatedAt: new Date(),
          },
        });
        await tx.audit.updateMany({
          where: { id: input.auditId, status: { in: ['queued', 'running'] } },
          data: {
            status: input.status,
            finishedAt: new Date(),
            failureReason: input.failureReason ?? null,
            failureMessage: input.failureMessage?.slice(0, 1000) ?? null,
          },
        });
        return auditProgress(tx, input.auditId);
      });
    },
  };
}

/** How long an audit waits before asking again when other audits of its site hold the site's share. */
export const SITE_BUSY_RETRY_MS = 2_000;

/**
 * Politeness across audits: pages of the site in flight in every running audit of it (any worker), against this audit's
 * `politeness.concurrency`, and while several audits of the site have pages left each gets an even share of it (so the
 * one that claims right after each page does not starve one that asks every few seconds). Claims for one site take
 * turns (a transaction-scoped advisory lock per site host), so two audits never both see room for the same slot.
 */
async function roomOnSite(tx: Tx, audit: AuditRow): Promise<{ room: number; ownScanning: number }> {
  for (const host of [...audit.site_hosts].sort()) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`audit-site:${host}`}))`;
  const [row] = await tx.$queryRaw<Array<{ own: number; others: number; audits: number }>>`
    SELECT count(p.id) FILTER (WHERE p.status = 'scanning' AND p.audit_id = ${audit.id}::uuid)::int AS own,
           count(p.id) FILTER (WHERE p.status = 'scanning' AND p.audit_id <> ${audit.id}::uuid)::int AS others,
           count(DISTINCT a.id)::int AS audits
    FROM audits a JOIN audit_pages p ON p.audit_id = a.id AND p.status IN ('pending', 'scanning')
    WHERE (a.status = 'running' OR a.id = ${audit.id}::uuid) AND a.site_hosts && ${audit.site_hosts}::text[]`;
  const { concurrency } = audit.options.politeness;
  const share = Math.max(1, Math.floor(concurrency / Math.max(1, row.audits)));
  return { room: Math.min(concurrency - row.own - row.others, share - row.own), ownScanning: row.own };
}

const claimed = (id: bigint, scanId: string, url: string) => ({ pageId: id.toString(), scanId, url, targetHost: new URL(url).hostname });

async function startedPerPattern(tx: Tx, auditId: string): Promise<Map<string, number>> {
  const rows = await tx.auditPage.groupBy({ by: ['pattern'], where: { auditId, scanId: { not: null } }, _count: { _all: true } });
  return new Map(rows.map((r) => [r.pattern, r._count._all]));
}

/** The scan of `page` ended on `finalUrl`, another URL of the site: file that URL as seen, or this page as its duplicate. */
async function recordRedirectTarget(
  tx: Tx,
  auditId: string,
  page: { id: bigint; url: string; depth: number },
  finalUrl: string,
  scanned: ReturnType<typeof pageOutcome>,
): Promise<ReturnType<typeof pageOutcome>> {
  const target = await tx.auditPage.findUnique({ where: { auditId_url: { auditId, url: finalUrl } } });
  if (!target) {
    await tx.auditPage.create({
      data: {
        auditId,
        url: finalUrl,
        depth: page.depth,
        source: 'link',
        foundOn: page.url,
        pattern: urlPattern(finalUrl),
        status: 'skipped',
        skipReason: SkipReason.DuplicateRedirect,
        detail: `scanned as ${page.url}`,
      },
    });
    return { ...scanned, detail: `redirected to ${finalUrl}` };
  }
  if (target.status === 'pending') {
    await tx.auditPage.update({
      where: { id: target.id },
      data: { status: 'skipped', skipReason: SkipReason.DuplicateRedirect, detail: `scanned as ${page.url}`, updatedAt: new Date() },
    });
    return { ...scanned, detail: `redirected to ${finalUrl}` };
  }
  if (target.status === 'scanning' || target.status === 'scanned') {
    return { status: 'skipped', skipReason: SkipReason.DuplicateRedirect, detail: `redirected to ${finalUrl}, scanned on its own` };
  }
  return { ...scanned, detail: `redirected to ${finalUrl}` };
}
