// Issue 15: one cursor convention on every list (`cursor` in, `next` out, null at the end), walked past page boundaries.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { adminAuth, clientAuth } from '../support/scan-client';
import { eventually, useStack, type Stack } from '../support/stack';

/** Follows `next` from the first page to the last; every page's items (by `idOf`) in order. */
type Item = Record<string, string>;

async function walk(
  stack: Stack,
  path: string,
  auth: Record<string, string>,
  itemsOf: (body: Record<string, Item[]>) => Item[],
  idOf: (item: Item) => string,
) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: request.Response = await request(stack.app)
      .get(cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`)
      .set(auth)
      .expect(200);
    expect(res.body).toHaveProperty('next');
    ids.push(...itemsOf(res.body as Record<string, Item[]>).map(idOf));
    cursor = res.body.next;
    pages++;
    if (pages > 50) throw new Error('paging did not end');
  } while (cursor !== null);
  return { ids, pages };
}

describe('pagination', () => {
  const stack = useStack({ workers: false });

  it('walks GET /api/keys page by page: every key once, newest first, next null at the end', async () => {
    const clientId = `keys-paging-${Date.now()}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(stack().app)
        .post('/api/keys')
        .set(adminAuth)
        .send({ clientId, name: `k${i}` })
        .expect(201);
      made.push(res.body.id);
    }
    // Two of them with the same createdAt: a page boundary inside a tie must neither skip nor repeat.
    const tie = new Date(Date.now() - 60_000);
    await stack().prisma.apiKey.updateMany({ where: { id: { in: made.slice(1, 4) } }, data: { createdAt: tie } });

    const { ids, pages } = await walk(
      stack(),
      `/api/keys?clientId=${clientId}&limit=2`,
      adminAuth,
      (b) => b.keys,
      (k) => k.id,
    );
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(ids).toHaveLength(5);
    expect(new Set(ids)).toEqual(new Set(made));
    const one = await request(stack().app).get(`/api/keys?clientId=${clientId}`).set(adminAuth).expect(200);
    expect(one.body).toMatchObject({ next: null });
    expect(one.body.keys).toHaveLength(5);
    expect(one.body.keys[0]).not.toHaveProperty('keyHash');
    await request(stack().app).get('/api/keys?cursor=nope').set(adminAuth).expect(400);
  });

  it('walks GET /api/schedules past the page size instead of stopping at it (the old cap)', async () => {
    const clientId = `sched-paging-${Date.now()}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(stack().app)
        .post('/api/schedules')
        .set(adminAuth)
        .send({ url: 'https://example.com/', clientId, intervalMinutes: 1440, paused: true, name: `s${i}` })
        .expect(201);
      made.push(res.body.scheduleId);
    }
    try {
      const client = await clientAuth(stack(), clientId);
      // Temporal's visibility store lags its writes by a moment: wait until one listing shows all five.
      await eventually(async () => {
        const r = await request(stack().app).get('/api/schedules?limit=100').set(client);
        return r.body.schedules?.length === 5 ? true : undefined;
      }, 30_000);

      // Page size 2 stands for the 1,000 the old code stopped at: the listing must go on past it.
      const asClient = await walk(
        stack(),
        '/api/schedules?limit=2',
        client,
        (b) => b.schedules,
        (s) => s.scheduleId,
      );
      expect(asClient.pages).toBeGreaterThanOrEqual(3);
      expect(asClient.ids).toHaveLength(5);
      expect(new Set(asClient.ids)).toEqual(new Set(made));

      const asAdmin = await walk(
        stack(),
        `/api/schedules?clientId=${clientId}&limit=2`,
        adminAuth,
        (b) => b.schedules,
        (s) => s.scheduleId,
      );
      expect(asAdmin.ids.sort()).toEqual([...made].sort());

      await request(stack().app).get('/api/schedules?clientId=someone-else').set(client).expect(403);
      await request(stack().app).get('/api/schedules?cursor=not%20a%20token').set(client).expect(400);
    } finally {
      for (const id of made) await request(stack().app).delete(`/api/schedules/${id}`).set(adminAuth);
    }
  });

  it('takes `cursor` on the scan list and keeps `before` as its alias (both at once is a 400)', async () => {
    const clientId = `alias-paging-${Date.now()}`;
    const at = new Date(Date.now() - 60_000);
    const ids = Array.from({ length: 3 }, () => randomUUID());
    await stack().prisma.scan.createMany({
      data: ids.map((id) => ({
        id,
        workflowId: `scan-${id}`,
        url: 'https://example.com/',
        targetHost: 'example.com',
        clientId,
        queue: 'low',
        priority: 5,
        status: 'completed',
        createdAt: at,
      })),
    });
    const first = await request(stack().app).get(`/api/scans?clientId=${clientId}&limit=2`).set(adminAuth).expect(200);
    expect(first.body.next).toEqual(expect.any(String));
    const byCursor = await request(stack().app)
      .get(`/api/scans?clientId=${clientId}&limit=2&cursor=${encodeURIComponent(first.body.next)}`)
      .set(adminAuth)
      .expect(200);
    const byBefore = await request(stack().app)
      .get(`/api/scans?clientId=${clientId}&limit=2&before=${encodeURIComponent(first.body.next)}`)
      .set(adminAuth)
      .expect(200);
    expect(byCursor.body).toEqual(byBefore.body);
    expect([...first.body.scans, ...byCursor.body.scans].map((s: { scanId: string }) => s.scanId).sort()).toEqual([...ids].sort());
    expect(byCursor.body.next).toBeNull();
    const both = await request(stack().app)
      .get(`/api/scans?clientId=${clientId}&cursor=${encodeURIComponent(first.body.next)}&before=${encodeURIComponent(first.body.next)}`)
      .set(adminAuth)
      .expect(400);
    expect(both.body.message).toMatch(/cursor|before/);
  });

  /** Scan rows inserted directly (no workflow): `extra` per row, all for `clientId`. */
  async function insertScans(clientId: string, n: number, extra: (i: number) => Record<string, unknown> = () => ({})) {
    const ids = Array.from({ length: n }, () => randomUUID());
    await stack().prisma.scan.createMany({
      data: ids.map((id, i) => ({
        id,
        workflowId: `scan-${id}`,
        url: `https://example.com/${i}`,
        targetHost: 'example.com',
        clientId,
        queue: 'low',
        priority: 5,
        ...extra(i),
      })),
    });
    return ids;
  }

  it("pages a bulk's items with `cursor` and keeps `offset` working", async () => {
    const clientId = `bulk-paging-${Date.now()}`;
    const bulkId = randomUUID();
    await stack().prisma.bulk.create({
      data: { id: bulkId, workflowId: `bulk-${bulkId}`, submittedBy: '@operator', queue: 'low', priority: 5, total: 5, accepted: 5 },
    });
    const ids = await insertScans(clientId, 5, (i) => ({ bulkId, bulkIndex: i }));
    const { ids: walked, pages } = await walk(
      stack(),
      `/api/scans/bulk/${bulkId}?limit=2`,
      adminAuth,
      (b) => b.items,
      (i) => i.scanId,
    );
    expect(pages).toBe(3);
    expect(walked).toEqual(ids);
    const byOffset = await request(stack().app).get(`/api/scans/bulk/${bulkId}?limit=2&offset=2`).set(adminAuth).expect(200);
    expect(byOffset.body.items.map((i: Item) => i.scanId)).toEqual(ids.slice(2, 4));
    await request(stack().app).get(`/api/scans/bulk/${bulkId}?cursor=1&offset=2`).set(adminAuth).expect(400);
  });

  it("pages a prospect's scans with `cursor`, the trend staying the newest", async () => {
    const clientId = `prospect-paging-${Date.now()}`;
    const prospect = await request(stack().app)
      .post('/api/prospects')
      .set(adminAuth)
      .send({ clientId, url: 'https://example.com/' })
      .expect(201);
    const at = new Date(Date.now() - 60_000);
    const ids = await insertScans(clientId, 5, () => ({ prospectId: prospect.body.id, createdAt: at }));
    const { ids: walked, pages } = await walk(
      stack(),
      `/api/prospects/${prospect.body.id}/scans?limit=2`,
      adminAuth,
      (b) => b.scans,
      (s) => s.scanId,
    );
    expect(pages).toBe(3);
    expect([...walked].sort()).toEqual([...ids].sort());
  });

  it('pages failed jobs with `cursor` as with `before`', async () => {
    const clientId = `failed-paging-${Date.now()}`;
    const finishedAt = new Date(Date.now() - 60_000);
    const ids = await insertScans(clientId, 5, () => ({ status: 'failed', failureReason: 'internal', finishedAt }));
    const byCursor = await walk(
      stack(),
      `/api/monitoring/queue/failed?clientId=${clientId}&limit=2`,
      adminAuth,
      (b) => b.jobs,
      (j) => j.jobId,
    );
    expect([...byCursor.ids].sort()).toEqual([...ids].sort());
    const first = await request(stack().app).get(`/api/monitoring/queue/failed?clientId=${clientId}&limit=2`).set(adminAuth).expect(200);
    const second = await request(stack().app)
      .get(`/api/monitoring/queue/failed?clientId=${clientId}&limit=2&before=${encodeURIComponent(first.body.next)}`)
      .set(adminAuth)
      .expect(200);
    expect(second.body.jobs.map((j: Item) => j.jobId)).toEqual(byCursor.ids.slice(2, 4));
  });

  it('pages alerts with `cursor`, alerts seen at one instant neither skipped nor repeated', async () => {
    const lastSeenAt = new Date(Date.now() - 60_000);
    const ids: string[] = Array.from({ length: 5 }, () => randomUUID());
    await stack().prisma.alert.createMany({
      data: ids.map((id, i) => ({
        id,
        taskQueuePrefix: stack().prefix,
        key: `paging:${id}`,
        kind: 'paging',
        severity: 'warning',
        status: 'resolved',
        message: `alert ${i}`,
        lastSeenAt,
      })),
    });
    const { ids: walked } = await walk(
      stack(),
      '/api/monitoring/alerts?status=resolved&limit=2',
      adminAuth,
      (b) => b.alerts,
      (a) => a.id,
    );
    expect(walked.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(new Set(walked).size).toBe(walked.length);
  });
});
