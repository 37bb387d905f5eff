import { randomUUID } from 'node:crypto';
import { checkUrlSyntax, type UrlPolicy } from '../../targets/url-safety';
import type { Env } from '../../lib/env';
import { Prisma, type PrismaClient } from '../../lib/prisma';
import { HttpError, invalidField, limitReached, notFound } from '../http-errors';
import { describeZodError } from '../middleware/validate';
import {
  ImportRow,
  type ListProspectsQuery,
  type ProspectScansQuery,
  type ScanProspectBody,
  type UpdateProspectBody,
} from '../schemas/prospects.schema';
import type { RawImportRow, RowRef } from './prospect-import';
import type { ScanService } from './scan.service';
import type { Grant } from './rate-limit.service';
import type { Principal } from './api-key.service';
import { actingClient, inScope, scopeOf } from './access';
import { isUuid } from '../../lib/ids';
import { nextCursor, olderThan, pageCursorOf } from './page-cursor';

export interface ProspectServiceDeps {
  env: Pick<Env, 'MAX_PROSPECTS_PER_CLIENT'>;
  prisma: PrismaClient;
  urlPolicy: UrlPolicy;
  scans: ScanService;
}

export interface NewProspect {
  clientId: string;
  url: string;
  name?: string;
  notes?: string;
  externalId?: string;
}

export interface LatestScan {
  scanId: string;
  status: string;
  score: number | null;
  finishedAt: Date | null;
}

export type SkippedRow = RowRef & { url?: string; reason: string; prospectId?: string };

export interface ImportOptions {
  /** clientId for rows without one (a client key's own when not given). */
  defaultClientId?: string;
  onDuplicate: 'skip' | 'update';
}

type ProspectRow = Prisma.ProspectGetPayload<object>;

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
const pairKey = (clientId: string, url: string) => `${clientId}\n${url}`;
/** Empty or blank name/notes are stored as absent. */
const orNull = (s: string | null | undefined) => (s === undefined ? undefined : s === null || s.trim() === '' ? null : s);

/** Prospects (sites a client may pitch or audit) and their scans; knows nothing of HTTP requests. */
export function createProspectService(deps: ProspectServiceDeps) {
  const { prisma, urlPolicy, scans } = deps;

  /** Same URL rules as a scan submission, syntax only (no DNS: a prospect list may hold sites not yet live). */
  function checkUrl(raw: string): { ok: true; url: string } | { ok: false; reason: string; category: string } {
    const check = checkUrlSyntax(raw, urlPolicy);
    return check.ok ? { ok: true, url: check.url.href } : { ok: false, reason: check.reason, category: check.category };
  }
  function normalizeUrl(raw: string): string {
    const check = checkUrl(raw);
    if (!check.ok) throw invalidField('url', check.reason, { category: check.category }, { flat: true });
    return check.url;
  }

  /**
   * The 409 for a write that hit one of the per-client unique keys: the URL's, else the external id's. `except` is the
   * prospect being updated, which may keep its own URL or external id.
   */
  async function duplicateOf(clientId: string, keys: { url?: string; externalId?: string | null }, except?: string): Promise<HttpError> {
    const conflict = (message: string, existing: { id: string } | null) =>
      new HttpError(
        409,
        'conflict',
        message,
        existing ? { prospectId: existing.id } : undefined,
        existing ? { Location: `/api/prospects/${existing.id}` } : {},
      );
    const notThis = except ? { id: { not: except } } : {};
    const byUrl = keys.url && (await prisma.prospect.findFirst({ where: { clientId, url: keys.url, ...notThis }, select: { id: true } }));
    if (byUrl || !keys.externalId) return conflict(`client ${clientId} already has a prospect for ${keys.url}`, byUrl || null);
    const byExternalId = await prisma.prospect.findFirst({
      where: { clientId, externalId: keys.externalId, ...notThis },
      select: { id: true },
    });
    return conflict(`client ${clientId} already has a prospect with external id ${keys.externalId}`, byExternalId);
  }

  /** The newest scan of each prospect (of its own client, as submissions ensure; checked again here). */
  async function latestScans(prospectIds: string[]): Promise<Map<string, LatestScan>> {
    if (prospectIds.length === 0) return new Map();
    const rows = await prisma.$queryRaw<
      Array<{ prospect_id: string; id: string; status: string; score: number | null; finished_at: Date | null }>
    >`
      SELECT DISTINCT ON (s.prospect_id) s.prospect_id::text AS prospect_id, s.id::text AS id, s.status::text AS status, s.score, s.finished_at
      FROM scans s
      JOIN prospects p ON p.id = s.prospect_id AND p.client_id = s.client_id
      WHERE s.prospect_id = ANY(${prospectIds}::uuid[])
      ORDER BY s.prospect_id, s.created_at DESC, s.id DESC`;
    return new Map(rows.map((r) => [r.prospect_id, { scanId: r.id, status: r.status, score: r.score, finishedAt: r.finished_at }]));
  }

  const dto = (p: ProspectRow, latestScan: LatestScan | null) => ({
    id: p.id,
    clientId: p.clientId,
    url: p.url,
    name: p.name,
    notes: p.notes,
    externalId: p.externalId,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    latestScan,
  });

  /** The prospect if it exists and this principal may see it. */
  async function find(id: string, principal: Principal): Promise<ProspectRow | null> {
    if (!isUuid(id)) return null;
    const p = await prisma.prospect.findUnique({ where: { id } });
    return p && inScope(scopeOf(principal), p.clientId) ? p : null;
  }

  async function findOrThrow(id: string, principal: Principal): Promise<ProspectRow> {
    const p = await find(id, principal);
    // Another client's prospect is reported as absent, not forbidden: its existence is not ours to reveal.
    if (!p) throw notFound('prospect');
    return p;
  }

  /** An import that would take a client past MAX_PROSPECTS_PER_CLIENT is refused whole (409), before any row is written. */
  async function assertRoomFor(rows: Array<{ clientId: string }>): Promise<void> {
    if (rows.length === 0) return;
    const adding = new Map<string, number>();
    for (const r of rows) adding.set(r.clientId, (adding.get(r.clientId) ?? 0) + 1);
    const counts = await prisma.prospect.groupBy({
      by: ['clientId'],
      where: { clientId: { in: [...adding.keys()] } },
      _count: { _all: true },
    });
    const stored = new Map(counts.map((c) => [c.clientId, c._count._all]));
    const max = deps.env.MAX_PROSPECTS_PER_CLIENT;
    for (const [clientId, n] of adding) {
      const current = stored.get(clientId) ?? 0;
      if (current + n > max) {
        throw new HttpError(
          409,
          'limit_reached',
          `client ${clientId} has ${current} prospects and this import would add ${n}, more than MAX_PROSPECTS_PER_CLIENT=${max} allows; nothing was imported`,
          { reason: 'limit_reached', clientId, current, adding: n, limit: max, setting: 'MAX_PROSPECTS_PER_CLIENT' },
        );
      }
    }
  }

  return {
    /** A client key creates for its own client only; the admin names the client. */
    async create(principal: Principal, body: Omit<NewProspect, 'clientId'> & { clientId?: string }) {
      const clientId = actingClient(principal, body.clientId, 'this key can only create prospects for its own client');
      if (!clientId) throw invalidField('clientId', 'is required');
      const input: NewProspect = { ...body, clientId };
      const url = normalizeUrl(input.url);
      const max = deps.env.MAX_PROSPECTS_PER_CLIENT;
      const stored = await prisma.prospect.count({ where: { clientId: input.clientId } });
      if (stored >= max) throw limitReached('prospects', input.clientId, stored, max, 'MAX_PROSPECTS_PER_CLIENT');
      try {
        const p = await prisma.prospect.create({
          data: {
            id: randomUUID(),
            clientId: input.clientId,
            url,
            name: orNull(input.name),
            notes: orNull(input.notes),
            externalId: input.externalId,
          },
        });
        return dto(p, null);
      } catch (err) {
        if (isUniqueViolation(err)) throw await duplicateOf(input.clientId, { url, externalId: input.externalId });
        throw err;
      }
    },

    async get(id: string, principal: Principal) {
      const p = await findOrThrow(id, principal);
      return dto(p, (await latestScans([p.id])).get(p.id) ?? null);
    },

    /** Newest first; `next` is the `cursor` of the next page, null on the last. */
    async list(principal: Principal, query: ListProspectsQuery) {
      const q = { ...query, clientId: actingClient(principal, query.clientId, 'this key can only list prospects for its own client') };
      const cursor = pageCursorOf(q);
      const where: Prisma.ProspectWhereInput = {
        ...(q.clientId && { clientId: q.clientId }),
        ...(q.externalId && { externalId: q.externalId }),
        ...(q.q && {
          OR: [
            { url: { contains: q.q, mode: 'insensitive' } },
            { name: { contains: q.q, mode: 'insensitive' } },
            { notes: { contains: q.q, mode: 'insensitive' } },
          ],
        }),
      };
      // The page cursor is (createdAt, id): prospects imported in one statement share createdAt.
      const page = cursor && olderThan<Prisma.ProspectWhereInput>(cursor, 'createdAt');
      const rows = await prisma.prospect.findMany({
        where: page ? { AND: [where, page] } : where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit,
      });
      const latest = await latestScans(rows.map((p) => p.id));
      return {
        prospects: rows.map((p) => dto(p, latest.get(p.id) ?? null)),
        next: nextCursor(rows, q.limit, (p) => p.createdAt),
      };
    },

    async update(id: string, principal: Principal, patch: UpdateProspectBody) {
      const p = await findOrThrow(id, principal);
      const url = patch.url === undefined ? undefined : normalizeUrl(patch.url);
      try {
        const updated = await prisma.prospect.update({
          where: { id: p.id },
          data: { url, name: orNull(patch.name), notes: orNull(patch.notes), externalId: patch.externalId },
        });
        return dto(updated, (await latestScans([p.id])).get(p.id) ?? null);
      } catch (err) {
        if (isUniqueViolation(err)) throw await duplicateOf(p.clientId, { url, externalId: patch.externalId }, p.id);
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025') throw notFound('prospect');
        throw err;
      }
    },

    /** Deletes the prospect; its scans stay (the foreign key clears their prospectId). */
    async remove(id: string, principal: Principal): Promise<void> {
      const p = await findOrThrow(id, principal);
      const { count } = await prisma.prospect.deleteMany({ where: { id: p.id } });
      if (count === 0) throw notFound('prospect');
    },

    /**
     * Creates the valid rows; every refused row is reported with its line or index and never stops the others.
     * A (clientId, url) that already exists is skipped as a duplicate, or with `onDuplicate: 'update'` gets the
     * row's name, notes and externalId (the ones the row gives; an empty cell leaves the stored value alone). An
     * externalId another prospect of the client has skips the row.
     */
    async importRows(principal: Principal, rows: RawImportRow[], options: ImportOptions) {
      const scope = scopeOf(principal);
      const opts = {
        ...options,
        defaultClientId: actingClient(principal, options.defaultClientId, 'this key can only import prospects for its own client'),
      };
      const skipped: SkippedRow[] = [];
      const skip = (ref: RowRef, reason: string, extra: { url?: string; prospectId?: string } = {}) =>
        skipped.push({ ...ref, ...extra, reason });
      const refText = (ref: RowRef) => ('line' in ref ? `line ${ref.line}` : `index ${ref.index}`);

      type Valid = { ref: RowRef; clientId: string; url: string; name?: string; notes?: string; externalId?: string };
      const valid = new Map<string, Valid>();
      const externalIdsSeen = new Map<string, RowRef>();
      for (const row of rows) {
        if (row.error !== undefined || !row.data) {
          skip(row.ref, row.error ?? 'could not be read');
          continue;
        }
        const given = typeof row.data.url === 'string' ? { url: row.data.url } : {};
        const parsed = ImportRow.safeParse(row.data);
        if (!parsed.success) {
          skip(row.ref, describeZodError(parsed.error).message, given);
          continue;
        }
        const r = parsed.data;
        const clientId = r.clientId ?? opts.defaultClientId;
        if (!clientId) {
          skip(row.ref, "clientId: is required (in the row, or as the import's clientId)", given);
          continue;
        }
        if (!inScope(scope, clientId)) {
          skip(row.ref, 'clientId: this key can only import prospects for its own client', given);
          continue;
        }
        const check = checkUrl(r.url);
        if (!check.ok) {
          skip(row.ref, `url: ${check.reason}`, given);
          continue;
        }
        const key = pairKey(clientId, check.url);
        const first = valid.get(key);
        if (first) {
          skip(row.ref, `duplicate of ${refText(first.ref)} in this import`, { url: check.url });
          continue;
        }
        if (r.externalId !== undefined) {
          const firstWithId = externalIdsSeen.get(pairKey(clientId, r.externalId));
          if (firstWithId) {
            skip(row.ref, `externalId: ${r.externalId} is also on ${refText(firstWithId)} of this import`, { url: check.url });
            continue;
          }
          externalIdsSeen.set(pairKey(clientId, r.externalId), row.ref);
        }
        valid.set(key, {
          ref: row.ref,
          clientId,
          url: check.url,
          name: orNull(r.name) ?? undefined,
          notes: orNull(r.notes) ?? undefined,
          externalId: r.externalId,
        });
      }

      // Set-based SQL over unnest(): Prisma's createMany and `in` lists take seconds per thousand rows here,
      // these statements take about a second for the 10,000-row maximum.
      const candidates = [...valid.values()];
      const found =
        candidates.length === 0
          ? []
          : await prisma.$queryRaw<Array<{ id: string; client_id: string; url: string }>>`
        SELECT p.id::text AS id, p.client_id, p.url
        FROM prospects p
        JOIN unnest(${candidates.map((v) => v.clientId)}::text[], ${candidates.map((v) => v.url)}::text[]) AS w(client_id, url)
          ON p.client_id = w.client_id AND p.url = w.url`;
      const existing = new Map(found.map((f) => [pairKey(f.client_id, f.url), f.id]));
      // Which prospect already holds each external id the rows give: a row may only take an id nobody else has.
      const withIds = candidates.filter((v) => v.externalId !== undefined);
      const holders =
        withIds.length === 0
          ? []
          : await prisma.$queryRaw<Array<{ id: string; client_id: string; external_id: string }>>`
        SELECT p.id::text AS id, p.client_id, p.external_id
        FROM prospects p
        JOIN unnest(${withIds.map((v) => v.clientId)}::text[], ${withIds.map((v) => v.externalId as string)}::text[]) AS w(client_id, external_id)
          ON p.client_id = w.client_id AND p.external_id = w.external_id`;
      const holderOf = new Map(holders.map((h) => [pairKey(h.client_id, h.external_id), h.id]));
      /** The prospect (other than `self`) that already has the row's external id, if any; the row is then skipped. */
      const takenBy = (v: Valid, self?: string) => {
        const holder = v.externalId === undefined ? undefined : holderOf.get(pairKey(v.clientId, v.externalId));
        if (holder === undefined || holder === self) return false;
        skip(v.ref, `externalId: client ${v.clientId} already has a prospect with external id ${v.externalId}`, {
          url: v.url,
          prospectId: holder,
        });
        return true;
      };

      const toCreate = candidates
        .filter((v) => !existing.has(pairKey(v.clientId, v.url)) && !takenBy(v))
        .map((v) => ({ ...v, id: randomUUID() }));
      await assertRoomFor(toCreate);
      let created = 0;
      if (toCreate.length > 0) {
        // ON CONFLICT DO NOTHING (either unique key): a row another request created meanwhile is reported, not fatal.
        const inserted = await prisma.$queryRaw<Array<{ id: string }>>`
          INSERT INTO prospects (id, client_id, url, name, notes, external_id)
          SELECT * FROM unnest(
            ${toCreate.map((v) => v.id)}::uuid[], ${toCreate.map((v) => v.clientId)}::text[], ${toCreate.map((v) => v.url)}::text[],
            ${toCreate.map((v) => v.name ?? null)}::text[], ${toCreate.map((v) => v.notes ?? null)}::text[],
            ${toCreate.map((v) => v.externalId ?? null)}::text[])
          ON CONFLICT DO NOTHING
          RETURNING id::text AS id`;
        const ids = new Set(inserted.map((i) => i.id));
        created = ids.size;
        for (const v of toCreate) if (!ids.has(v.id)) skip(v.ref, 'duplicate: the prospect already exists', { url: v.url });
      }

      let updated = 0;
      const duplicates = candidates
        .filter((v) => existing.has(pairKey(v.clientId, v.url)))
        .map((v) => ({ ...v, id: existing.get(pairKey(v.clientId, v.url)) as string }));
      if (opts.onDuplicate === 'skip') {
        for (const d of duplicates) skip(d.ref, 'duplicate: the prospect already exists', { url: d.url, prospectId: d.id });
      } else {
        const changes: typeof duplicates = [];
        for (const d of duplicates) {
          if (d.name === undefined && d.notes === undefined && d.externalId === undefined) {
            skip(d.ref, 'duplicate: the prospect already exists and the row has no name, notes or externalId to update', {
              url: d.url,
              prospectId: d.id,
            });
          } else if (!takenBy(d, d.id)) {
            changes.push(d);
          }
        }
        if (changes.length > 0) {
          // A value the row does not give (NULL here) leaves the stored one alone.
          updated = await prisma.$executeRaw`
            UPDATE prospects p
            SET name = COALESCE(w.name, p.name), notes = COALESCE(w.notes, p.notes),
                external_id = COALESCE(w.external_id, p.external_id), updated_at = CURRENT_TIMESTAMP
            FROM unnest(${changes.map((d) => d.id)}::uuid[], ${changes.map((d) => d.name ?? null)}::text[], ${changes.map((d) => d.notes ?? null)}::text[],
                        ${changes.map((d) => d.externalId ?? null)}::text[])
              AS w(id, name, notes, external_id)
            WHERE p.id = w.id`;
        }
      }

      const order = (s: SkippedRow) => ('line' in s ? s.line : s.index);
      skipped.sort((a, b) => order(a) - order(b));
      return { created, updated, skipped };
    },

    /** Scans the prospect's URL with the normal scan submission, linked by prospectId. */
    async scan(id: string, principal: Principal, options: ScanProspectBody, onQuota?: (grant: Grant) => void) {
      const p = await findOrThrow(id, principal);
      const submitted = await scans.submit({
        url: p.url,
        clientId: p.clientId,
        prospectId: p.id,
        priority: options.priority,
        queue: options.queue,
        timeout: options.timeout,
        maxRetries: options.maxRetries,
        wcagTags: options.wcagTags,
        enforceQuota: principal.kind === 'client',
        onQuota,
      });
      return { ...submitted, prospectId: p.id };
    },

    /**
     * The prospect's scans, newest first, and the score trend: completed, conclusive scans oldest → newest,
     * `latestScore` the newest of them, `delta` its change from the one before.
     */
    async history(id: string, principal: Principal, page: ProspectScansQuery) {
      const { limit } = page;
      const cursor = pageCursorOf(page);
      const p = await findOrThrow(id, principal);
      const mine = { prospectId: p.id, clientId: p.clientId };
      const [rows, scored] = await Promise.all([
        prisma.scan.findMany({
          where: cursor ? { AND: [mine, olderThan<Prisma.ScanWhereInput>(cursor, 'createdAt')] } : mine,
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          take: limit,
          select: {
            id: true,
            url: true,
            status: true,
            score: true,
            inconclusive: true,
            inconclusiveReason: true,
            failureReason: true,
            createdAt: true,
            finishedAt: true,
          },
        }),
        prisma.scan.findMany({
          where: { ...mine, status: 'completed', inconclusive: false, score: { not: null }, finishedAt: { not: null } },
          orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
          take: limit,
          select: { id: true, finishedAt: true, score: true },
        }),
      ]);
      const trend = scored.reverse().map((s) => ({ scanId: s.id, finishedAt: s.finishedAt as Date, score: s.score as number }));
      const latest = trend[trend.length - 1];
      const previous = trend[trend.length - 2];
      return {
        prospectId: p.id,
        url: p.url,
        latestScore: latest?.score ?? null,
        ...(previous && { delta: latest.score - previous.score }),
        trend,
        scans: rows.map(({ id, inconclusiveReason, failureReason, ...s }) => ({
          scanId: id,
          ...s,
          inconclusiveReason: inconclusiveReason ?? undefined,
          failureReason: failureReason ?? undefined,
        })),
        next: nextCursor(rows, limit, (r) => r.createdAt),
      };
    },
  };
}
export type ProspectService = ReturnType<typeof createProspectService>;
