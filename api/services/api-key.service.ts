import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Prisma, PrismaClient } from '../../lib/prisma';
import { limitReached } from '../http-errors';
import type { ListKeysQuery } from '../schemas/keys.schema';
import { nextCursor, olderThan, pageCursorOf } from './page-cursor';

export type Principal = { kind: 'admin' } | { kind: 'client'; clientId: string; keyId: string };

const KEY_PREFIX = 'wcag_';

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export function sameSecret(a: string, b: string): boolean {
  // Compare digests so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Client API keys: created by the admin, shown once, stored only as a SHA-256 hash. */
export function createApiKeyService(prisma: PrismaClient, adminKey: string, opts: { maxKeysPerClient?: number } = {}) {
  return {
    async authenticate(key: string): Promise<Principal | null> {
      if (sameSecret(key, adminKey)) return { kind: 'admin' };
      if (!key.startsWith(KEY_PREFIX)) return null;
      const row = await prisma.apiKey.findUnique({ where: { keyHash: hashKey(key) } });
      if (!row || row.revokedAt) return null;
      return { kind: 'client', clientId: row.clientId, keyId: row.id };
    },

    /** 409 limit_reached once the client has `maxKeysPerClient` (MAX_API_KEYS_PER_CLIENT) keys not revoked. */
    async create(clientId: string, name?: string) {
      if (opts.maxKeysPerClient !== undefined) {
        const active = await prisma.apiKey.count({ where: { clientId, revokedAt: null } });
        if (active >= opts.maxKeysPerClient)
          throw limitReached('active API keys', clientId, active, opts.maxKeysPerClient, 'MAX_API_KEYS_PER_CLIENT', 'revoke one first');
      }
      const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      const row = await prisma.apiKey.create({
        data: { id: randomUUID(), clientId, name, keyHash: hashKey(key), keyPrefix: key.slice(0, 12) },
      });
      return { id: row.id, clientId: row.clientId, name: row.name, key, createdAt: row.createdAt };
    },

    /** Newest first, without secrets; `next` is the `cursor` of the next page, null on the last. */
    async list(q: ListKeysQuery) {
      const cursor = pageCursorOf(q);
      const where: Prisma.ApiKeyWhereInput = q.clientId ? { clientId: q.clientId } : {};
      const rows = await prisma.apiKey.findMany({
        where: cursor ? { AND: [where, olderThan<Prisma.ApiKeyWhereInput>(cursor, 'createdAt')] } : where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: q.limit,
        select: { id: true, clientId: true, name: true, keyPrefix: true, createdAt: true, revokedAt: true },
      });
      return { keys: rows, next: nextCursor(rows, q.limit, (k) => k.createdAt) };
    },

    /** Returns false when there is no such key. Revoking twice is harmless. */
    async revoke(id: string): Promise<boolean> {
      const res = await prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
      if (res.count > 0) return true;
      return (await prisma.apiKey.count({ where: { id } })) > 0;
    },
  };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
