// Issue 13, findings 6 (operator identity), 10 (internal addresses) and 13 (scan list paging), against real stacks.
import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { blockedRangeOf } from '../../targets/url-safety';
import { hashKey } from '../../api/services/api-key.service';
import { useFixtureServer } from '../support/fixture-server';
import { adminAuth } from '../support/scan-client';
import { eventually, useStack, type Stack } from '../support/stack';

// Any IPv4 literal, or an IPv6 one (two or more hextet groups around a colon).
const IP_LITERAL = /\b\d{1,3}(\.\d{1,3}){3}\b|\b[0-9a-f]{1,4}(:[0-9a-f]{0,4}){2,7}\b|::1\b/i;

/** A key stored the way POST /api/keys stores one, for a client id the API no longer accepts (a key made before the fix). */
async function legacyKey(stack: Stack, clientId: string): Promise<Record<string, string>> {
  const key = `wcag_${randomBytes(24).toString('base64url')}`;
  await stack.prisma.apiKey.create({ data: { id: randomUUID(), clientId, keyHash: hashKey(key), keyPrefix: key.slice(0, 12) } });
  return { Authorization: `Bearer ${key}` };
}

/** A host name (from /etc/hosts or this machine's own name) that resolves to a non-public address, like `postgres` in Compose. */
async function internalName(): Promise<{ name: string; address: string }> {
  const names = new Set<string>([hostname()]);
  let hosts = '';
  try {
    hosts = readFileSync('/etc/hosts', 'utf8');
  } catch {
    // no hosts file: only the machine's name
  }
  for (const line of hosts.split('\n')) for (const name of line.replace(/#.*/, '').trim().split(/\s+/).slice(1)) names.add(name);
  for (const name of names) {
    if (!/^[a-z0-9][a-z0-9.-]*$/i.test(name) || /^localhost\.?$|\.localhost\.?$/i.test(name)) continue;
    const address = await lookup(name).then(
      (a) => a.address,
      () => null,
    );
    if (address && blockedRangeOf(address) !== null) return { name, address };
  }
  throw new Error('no host name resolves to a non-public address here: add one to /etc/hosts');
}

describe('issue 13: operator identity, internal addresses, scan list paging', () => {
  const stack = useStack({ workers: false });
  const strict = useStack({ workers: false, env: { SCAN_ALLOW_PRIVATE_TARGETS: 'false' } });

  describe('finding 13: GET /api/scans pages through scans that share one createdAt', () => {
    it('returns every scan exactly once when a page ends inside a group with the same createdAt', async () => {
      const clientId = `paging-${Date.now()}`;
      const at = new Date(Date.now() - 60_000);
      // A bulk's items are inserted by one statement and share createdAt; seven of them, plus one older and one newer.
      const rows = [
        ...Array.from({ length: 7 }, () => ({ id: randomUUID(), createdAt: at })),
        { id: randomUUID(), createdAt: new Date(at.getTime() - 1_000) },
        { id: randomUUID(), createdAt: new Date(at.getTime() + 1_000) },
      ];
      await stack().prisma.scan.createMany({
        data: rows.map((r) => ({
          ...r,
          workflowId: `scan-${r.id}`,
          url: 'https://example.com/',
          targetHost: 'example.com',
          clientId,
          queue: 'low',
          priority: 5,
        })),
      });

      for (const limit of [1, 2, 3, 4]) {
        const seen: string[] = [];
        let before: string | null = null;
        for (let page = 0; page < 20; page++) {
          const query: Record<string, string | number> = before ? { clientId, limit, before } : { clientId, limit };
          const res: request.Response = await request(stack().app).get('/api/scans').query(query).set(adminAuth).expect(200);
          seen.push(...res.body.scans.map((s: { scanId: string }) => s.scanId));
          before = res.body.next;
          if (!before) break;
        }
        expect(seen).toHaveLength(rows.length);
        expect(new Set(seen).size).toBe(rows.length);
        expect([...seen].sort()).toEqual(rows.map((r) => r.id).sort());
        // Newest first throughout.
        expect(seen[0]).toBe(rows[8].id);
        expect(seen[seen.length - 1]).toBe(rows[7].id);
      }
    });

    it('still takes a plain ISO date-time as `before`, and refuses anything else with a 400', async () => {
      const clientId = `paging-iso-${Date.now()}`;
      const id = randomUUID();
      await stack().prisma.scan.create({
        data: {
          id,
          workflowId: `scan-${id}`,
          url: 'https://example.com/',
          targetHost: 'example.com',
          clientId,
          queue: 'low',
          priority: 5,
          createdAt: new Date('2026-01-01T00:00:00Z'),
        },
      });
      const res = await request(stack().app)
        .get('/api/scans')
        .query({ clientId, before: '2026-06-01T00:00:00.000Z' })
        .set(adminAuth)
        .expect(200);
      expect(res.body.scans.map((s: { scanId: string }) => s.scanId)).toEqual([id]);
      const bad = await request(stack().app).get('/api/scans').query({ before: 'yesterday_x' }).set(adminAuth).expect(400);
      expect(bad.body.message).toMatch(/^before: /);
    });
  });

  describe('finding 6: no client id can be the operator', () => {
    it.each(['admin', 'Admin', 'ADMIN', 'operator', 'system', 'root', 'admin:ops', 'operator:admin', '@operator'])(
      'refuses a key for client %j with a 400',
      async (clientId) => {
        const res = await request(stack().app).post('/api/keys').set(adminAuth).send({ clientId }).expect(400);
        expect(res.body.message).toMatch(/^clientId: /);
        expect(await stack().prisma.apiKey.count({ where: { clientId } })).toBe(0);
      },
    );

    it('refuses the reserved ids wherever a client id is accepted', async () => {
      await request(stack().app).post('/api/scans').set(adminAuth).send({ url: 'https://example.com/', clientId: 'admin' }).expect(400);
      await request(stack().app).post('/api/prospects').set(adminAuth).send({ url: 'https://example.com/', clientId: 'admin' }).expect(400);
      await request(stack().app)
        .post('/api/schedules')
        .set(adminAuth)
        .send({ url: 'https://example.com/', clientId: 'admin', intervalMinutes: 60 })
        .expect(400);
      await request(stack().app).put('/api/monitoring/rate-limit/admin').set(adminAuth).send({ scansPerHour: 5 }).expect(400);
      const bulk = await request(stack().app)
        .post('/api/scans/bulk')
        .set(adminAuth)
        .send({
          scans: [
            { url: 'https://example.com/', clientId: 'admin' },
            { url: 'https://example.com/', clientId: 'operator:x' },
          ],
        })
        .expect(422);
      expect(bulk.body.rejected).toEqual([
        { index: 0, reason: expect.stringMatching(/^clientId: is reserved/) },
        { index: 1, reason: expect.stringMatching(/^clientId: is reserved/) },
      ]);
    });

    it("keeps the operator's bulks from a client named admin, or one named like the stored operator marker", async () => {
      const res = await request(stack().app)
        .post('/api/scans/bulk')
        .set(adminAuth)
        .send({ clientId: `ops-${Date.now()}`, scans: [{ url: 'https://example.com/' }] })
        .expect(202);
      const bulkId = res.body.bulkId as string;
      const stored = await stack().prisma.bulk.findUniqueOrThrow({ where: { id: bulkId } });
      expect(stored.submittedBy).toBe('@operator');
      const view = await request(stack().app).get(`/api/scans/bulk/${bulkId}`).set(adminAuth).expect(200);
      expect(view.body.submittedBy).toBe('@operator');

      // Keys that could only exist from before the fix (or a hand-made row): neither sees nor cancels the bulk.
      for (const clientId of ['admin', '@operator']) {
        const key = await legacyKey(stack(), clientId);
        await request(stack().app).get(`/api/scans/bulk/${bulkId}`).set(key).expect(404);
        await request(stack().app).post(`/api/scans/bulk/${bulkId}/cancel`).set(key).expect(404);
      }

      // A client's own bulk stays its own.
      const created = await request(stack().app)
        .post('/api/keys')
        .set(adminAuth)
        .send({ clientId: `own-${Date.now()}` })
        .expect(201);
      const own = { Authorization: `Bearer ${created.body.key}` };
      const mine = await request(stack().app)
        .post('/api/scans/bulk')
        .set(own)
        .send({ scans: [{ url: 'https://example.com/' }] })
        .expect(202);
      const seen = await request(stack().app).get(`/api/scans/bulk/${mine.body.bulkId}`).set(own).expect(200);
      expect(seen.body.submittedBy).toBe(created.body.clientId);
      await request(stack().app).get(`/api/scans/bulk/${bulkId}`).set(own).expect(404);
    });

    it('the migration records existing operator bulks under the new marker', async () => {
      const id = randomUUID();
      await stack().prisma.bulk.create({
        data: { id, workflowId: `bulk-${id}`, submittedBy: 'admin', queue: 'low', priority: 5, total: 1, accepted: 1, status: 'completed' },
      });
      const sql = readFileSync(
        path.join(__dirname, '..', '..', 'prisma', 'migrations', '20261205192000_operator_identity', 'migration.sql'),
        'utf8',
      );
      await stack().prisma.$executeRawUnsafe(sql);
      expect((await stack().prisma.bulk.findUniqueOrThrow({ where: { id } })).submittedBy).toBe('@operator');
    });
  });

  describe('finding 10: a refused target never tells the client which internal address a name resolved to', () => {
    it('POST /api/scans: 400 names the host and the kind of range, not the address', async () => {
      const { name, address } = await internalName();
      const res = await request(strict().app)
        .post('/api/scans')
        .set(adminAuth)
        .send({ url: `http://${name}:5432/`, clientId: 'acme' })
        .expect(400);
      expect(res.body.details).toMatchObject({ field: 'url', category: 'blocked_target' });
      expect(res.body.message).toMatch(
        new RegExp(
          `^url: target host ${name.toLowerCase().replace(/\./g, '\\.')} resolves to an address that is not public \\(in an? [a-z -]+ range\\)$`,
        ),
      );
      expect(JSON.stringify(res.body)).not.toContain(address);
      expect(JSON.stringify(res.body)).not.toMatch(IP_LITERAL);
    });

    it('the migration rewrites refusals stored before the fix (failure, attempts, blocked requests)', async () => {
      const id = randomUUID();
      const old = 'target address 172.18.0.3 is in a private range (resolved from postgres)';
      const now = 'target host postgres resolves to an address that is not public (in a private range)';
      const literal = 'target address 10.0.0.1 is in a private range';
      await stack().prisma.scan.create({
        data: {
          id,
          workflowId: `scan-${id}`,
          url: 'https://example.com/',
          targetHost: 'example.com',
          clientId: 'acme',
          queue: 'low',
          priority: 5,
          status: 'failed',
          failureReason: 'blocked_target',
          failureMessage: old,
          attemptsLog: {
            create: [
              {
                attempt: 1,
                category: 'blocked_target',
                message: 'target address "bogus" (resolved from odd.internal) is not a valid IP address',
              },
            ],
          },
          result: {
            create: {
              axeVersion: '4.x',
              finalUrl: 'https://example.com/',
              raw: {},
              blockedRequests: [
                { url: 'http://postgres:5432/x', reason: old },
                { url: 'http://10.0.0.1/', reason: literal },
              ],
            },
          },
        },
      });
      const sql = readFileSync(
        path.join(__dirname, '..', '..', 'prisma', 'migrations', '20261205192100_hide_resolved_addresses', 'migration.sql'),
        'utf8',
      );
      await stack().prisma.$executeRawUnsafe(sql);
      const res = await request(stack().app).get(`/api/scans/${id}`).set(adminAuth).expect(200);
      expect(res.body.failureMessage).toBe(now);
      expect(res.body.failedAttempts[0].message).toBe('target host odd.internal did not resolve to a valid IP address');
      expect(res.body.result.blockedRequests).toEqual([
        { url: 'http://postgres:5432/x', reason: now },
        { url: 'http://10.0.0.1/', reason: literal },
      ]);
    });
  });
});

describe('issue 13, finding 10: what a scan stores and shows about blocked requests', () => {
  let internal: { name: string; address: string };
  beforeAll(async () => {
    internal = await internalName();
  });
  // Address rule on; the fixture is allowed by its name only (a name entry never allows an address), so a page's
  // request to another name that resolves to the same loopback address is refused by the egress proxy.
  const stack = useStack({ env: { SCAN_ALLOW_PRIVATE_TARGETS: 'false', SCAN_ALLOWED_HOSTS: 'localhost' } });
  const site = useFixtureServer({
    '/leaky': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="en"><title>Leaky</title><main><h1>Leaky</h1><img src="http://${internal.name}:5432/pixel.gif" alt="pixel"></main>`,
      );
    },
    '/to-internal': (_req, res) => void res.writeHead(302, { Location: `http://${internal.name}:5432/` }).end(),
  });

  async function scan(pathname: string) {
    const url = `${site().altOrigin}${pathname}`;
    const res = await request(stack().app)
      .post('/api/scans')
      .set(adminAuth)
      .send({ url, clientId: 'leaky', maxRetries: 0, timeout: 15_000 })
      .expect(202);
    return eventually(async () => {
      const r = await request(stack().app).get(`/api/scans/${res.body.scanId}`).set(adminAuth);
      return ['completed', 'failed', 'cancelled'].includes(r.body.status) ? r.body : undefined;
    }, 120_000);
  }

  it('a blocked subresource is listed with the kind of range, not the address', async () => {
    const result = await scan('/leaky');
    expect(result.status).toBe('completed');
    const blocked = result.result.blockedRequests as Array<{ url: string; reason: string }>;
    expect(blocked).toEqual([
      {
        url: expect.stringContaining(`${internal.name}:5432/pixel.gif`),
        reason: expect.stringMatching(/is not public \(in an? [a-z -]+ range\)$/),
      },
    ]);
    expect(blocked[0].reason).not.toContain(internal.address);
    expect(blocked[0].reason).not.toMatch(IP_LITERAL);
  });

  it('a main-document redirect to an internal name fails as blocked_target without the address', async () => {
    const result = await scan('/to-internal');
    expect(result.status).toBe('failed');
    expect(result.failureReason).toBe('blocked_target');
    expect(result.failureMessage).toMatch(/is not public/);
    expect(JSON.stringify({ m: result.failureMessage, a: result.failedAttempts })).not.toContain(internal.address);
    expect(result.failureMessage).not.toMatch(IP_LITERAL);
  });
});
