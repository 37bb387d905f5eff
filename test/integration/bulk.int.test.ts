// Bulk scans: per-item validation, a bounded window of child workflows, continueAsNew, progress and cancel.
import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { bulkWorkflowId } from '../../core/contracts';
import { useFixtureServer } from '../support/fixture-server';
import { hostileRoutes } from '../support/hostile-routes';
import { adminAuth, clientAuth } from '../support/scan-client';
import { closedDescription, eventually, useStack } from '../support/stack';

// A small window and short runs, so a dozen items exercise the sliding window and continueAsNew.
const stack = useStack({ env: { MAX_CONCURRENT_PAGES: '3' }, bulkTuning: { window: 3, batchSize: 4, itemsPerRun: 5 } });
const site = useFixtureServer({
  ...hostileRoutes({ blockedUrl: 'http://10.0.0.1/' }),
  '/gone': (_req, res) =>
    res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Gone</title><p>Gone</p>'),
});

async function waitForBulk(bulkId: string, timeoutMs = 180_000) {
  return eventually(
    async () => {
      const res = await request(stack().app).get(`/api/scans/bulk/${bulkId}`).set(adminAuth).expect(200);
      return res.body.done && res.body.status !== 'running' ? res.body : undefined;
    },
    timeoutMs,
    500,
  );
}

describe('bulk scans', () => {
  it('accepts valid items, reports rejected ones by index, and runs every accepted scan to a terminal state', async () => {
    const scans = [
      ...Array.from({ length: 8 }, (_, i) => ({ url: site().url(`/clean.html?page=${i}`) })),
      { url: 'ftp://example.com/file' },
      { url: 'not a url' },
      { url: site().url('/gone') },
      { url: site().url('/gone?again') },
      { clientId: 'other client!', url: site().url('/clean.html') },
    ];
    const res = await request(stack().app)
      .post('/api/scans/bulk')
      .set(adminAuth)
      .send({ scans, clientId: 'bulk-acme', queue: 'low', maxRetries: 0 })
      .expect(202);
    expect(res.body).toMatchObject({ bulkId: expect.any(String), total: 13, accepted: 10, status: 'queued' });
    expect(res.body.rejected).toEqual([
      { index: 8, reason: expect.stringMatching(/^url: only http and https/) },
      { index: 9, reason: expect.stringMatching(/^url: /) },
      { index: 12, reason: expect.stringMatching(/^clientId: may contain letters/) },
    ]);
    expect(res.headers.location).toBe(`/api/scans/bulk/${res.body.bulkId}`);

    const done = await waitForBulk(res.body.bulkId);
    expect(done).toMatchObject({ status: 'completed', total: 10, queued: 0, running: 0, completed: 8, failed: 2, cancelled: 0 });
    expect(done.items).toHaveLength(10);
    expect(done.items.map((i: { index: number }) => i.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(done.items.filter((i: { failureReason?: string }) => i.failureReason === 'http_error')).toHaveLength(2);

    // 10 children with 5 per run: the workflow continued as new, and its final run completed.
    const handle = stack().client.workflow.getHandle(bulkWorkflowId(res.body.bulkId));
    const description = await closedDescription(handle);
    expect(description.status.name).toBe('COMPLETED');
    expect(await handle.result()).toMatchObject({ total: 10, completed: 8, failed: 2, queued: 0, running: 0 });
    const firstRun = stack().client.workflow.getHandle(bulkWorkflowId(res.body.bulkId), description.runId);
    const history = await firstRun.fetchHistory();
    expect(history.events!.length).toBeLessThan(200);
    const runs = await eventually(async () => {
      let n = 0;
      for await (const _wf of stack().client.workflow.list({ query: `WorkflowId="${bulkWorkflowId(res.body.bulkId)}"` })) n++;
      return n >= 2 ? n : undefined;
    }, 20_000);
    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it('cancels a bulk: running scans are cancelled, unstarted ones closed, nothing stays queued', async () => {
    const scans = Array.from({ length: 9 }, (_, i) => ({ url: site().url(`/never-finishes?i=${i}`) }));
    const res = await request(stack().app)
      .post('/api/scans/bulk')
      .set(adminAuth)
      .send({ scans, clientId: 'bulk-cancel', timeout: 60_000, maxRetries: 0 })
      .expect(202);
    await eventually(async () => {
      const p = await request(stack().app).get(`/api/scans/bulk/${res.body.bulkId}`).set(adminAuth);
      return p.body.running >= 2 ? true : undefined;
    });
    await request(stack().app).post(`/api/scans/bulk/${res.body.bulkId}/cancel`).set(adminAuth).expect(202);
    const done = await waitForBulk(res.body.bulkId, 60_000);
    expect(done).toMatchObject({ status: 'cancelled', queued: 0, running: 0, completed: 0, failed: 0, cancelled: 9 });
    const description = await stack().client.workflow.getHandle(bulkWorkflowId(res.body.bulkId)).describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(stack().pool!.stats().pagesInUse).toBe(0);
    await request(stack().app).post(`/api/scans/bulk/${res.body.bulkId}/cancel`).set(adminAuth).expect(409);
  });

  it("scans prospects by id, rejecting unknown and other clients' prospects", async () => {
    const mine = await stack().prisma.prospect.create({
      data: { id: randomUUID(), clientId: 'bulk-prospects', url: site().url('/clean.html?prospect') },
    });
    const theirs = await stack().prisma.prospect.create({
      data: { id: randomUUID(), clientId: 'someone-else', url: site().url('/clean.html?theirs') },
    });
    const client = await clientAuth(stack(), 'bulk-prospects');
    const unknown = randomUUID();
    const res = await request(stack().app)
      .post('/api/scans/bulk')
      .set(client)
      .send({ prospectIds: [mine.id, theirs.id, unknown], queue: 'high' })
      .expect(202);
    expect(res.body).toMatchObject({ total: 3, accepted: 1 });
    expect(res.body.rejected).toEqual([
      { index: 1, reason: `prospect ${theirs.id} not found` },
      { index: 2, reason: `prospect ${unknown} not found` },
    ]);
    const done = await waitForBulk(res.body.bulkId);
    expect(done.items).toEqual([expect.objectContaining({ status: 'completed', clientId: 'bulk-prospects', score: 100 })]);
    const scan = await stack().prisma.scan.findUniqueOrThrow({ where: { id: done.items[0].scanId } });
    expect(scan.prospectId).toBe(mine.id);
    // Items given as URLs may name a prospect only if it is their own client's.
    const labelled = await request(stack().app)
      .post('/api/scans/bulk')
      .set(client)
      .send({
        scans: [
          { url: site().url('/clean.html?labelled'), prospectId: mine.id },
          { url: site().url('/clean.html?x'), prospectId: theirs.id },
          { url: site().url('/clean.html?y'), prospectId: 'nope' },
        ],
      })
      .expect(202);
    expect(labelled.body).toMatchObject({ total: 3, accepted: 1 });
    expect(labelled.body.rejected).toEqual([
      { index: 1, reason: 'prospectId: no such prospect for this client' },
      { index: 2, reason: 'prospectId: no such prospect for this client' },
    ]);
    const labelledDone = await waitForBulk(labelled.body.bulkId);
    const labelledScan = await stack().prisma.scan.findUniqueOrThrow({ where: { id: labelledDone.items[0].scanId } });
    expect(labelledScan.prospectId).toBe(mine.id);
    // The admin's bulk is not the client's to read.
    const adminBulk = await request(stack().app)
      .post('/api/scans/bulk')
      .set(adminAuth)
      .send({ scans: [{ url: 'ftp://x' }, { url: site().url('/clean.html') }], clientId: 'x' });
    await request(stack().app).get(`/api/scans/bulk/${adminBulk.body.bulkId}`).set(client).expect(404);
  });

  it('returns the original bulk for a retried submission with the same Idempotency-Key', async () => {
    const body = { clientId: 'bulk-idem', scans: [{ url: site().url('/clean.html?idem') }] };
    const first = await request(stack().app)
      .post('/api/scans/bulk')
      .set(adminAuth)
      .set('Idempotency-Key', 'bulk-idem-1')
      .send(body)
      .expect(202);
    const again = await request(stack().app)
      .post('/api/scans/bulk')
      .set(adminAuth)
      .set('Idempotency-Key', 'bulk-idem-1')
      .send(body)
      .expect(202);
    expect(again.body.bulkId).toBe(first.body.bulkId);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await stack().prisma.bulk.count({ where: { id: first.body.bulkId } })).toBe(1);
    await waitForBulk(first.body.bulkId);
  });

  it('answers 422 when no item is valid, and 400 for a malformed request', async () => {
    const res = await request(stack().app)
      .post('/api/scans/bulk')
      .set(adminAuth)
      .send({ scans: [{ url: 'nope' }], clientId: 'x' })
      .expect(422);
    expect(res.body).toMatchObject({ error: 'no_valid_items', accepted: 0, rejected: [{ index: 0, reason: expect.any(String) }] });
    await request(stack().app).post('/api/scans/bulk').set(adminAuth).send({ clientId: 'x' }).expect(400);
    await request(stack().app).post('/api/scans/bulk').set(adminAuth).send({ scans: [], clientId: 'x' }).expect(400);
  });
});
