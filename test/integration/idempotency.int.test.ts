import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { requestHash } from '../../api/middleware/idempotency';
import { adminAuth, clientAuth } from '../support/scan-client';
import { useStack } from '../support/stack';

// No workers: submissions only need the scan row and a started workflow, which waits on its queue.
describe('Idempotency-Key on POST routes', () => {
  const stack = useStack({ workers: false });
  const clientId = `idem-${randomUUID().slice(0, 8)}`;
  let client: Record<string, string>;

  beforeAll(async () => {
    client = await clientAuth(stack(), clientId);
  });

  const scanBody = (path = '/a') => ({ url: `http://127.0.0.1:9${path}`, clientId });
  const submit = (key: string | undefined, body: object, auth: Record<string, string> = adminAuth) => {
    const req = request(stack().app).post('/api/scans').set(auth);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const scansOf = (url: string) => stack().prisma.scan.count({ where: { clientId, url } });

  it('replays the first response for a retry with the same key and body, and creates one scan', async () => {
    const key = randomUUID();
    const body = scanBody(`/replay-${key}`);
    const first = await submit(key, body).expect(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const second = await submit(key, body).expect(202);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.headers.location).toBe(`/api/scans/${first.body.scanId}`);
    expect(await scansOf(body.url)).toBe(1);
  });

  it('hashes the body canonically: the same fields in another order are the same request', async () => {
    const key = randomUUID();
    const url = `http://127.0.0.1:9/order-${key}`;
    const first = await submit(key, { url, clientId, priority: 7, queue: 'high' }).expect(202);
    const second = await submit(key, { queue: 'high', priority: 7, clientId, url }).expect(202);
    expect(second.body.scanId).toBe(first.body.scanId);
    expect(await scansOf(url)).toBe(1);
  });

  it('answers 422 idempotency_key_reused for the same key with a different body, and submits nothing', async () => {
    const key = randomUUID();
    await submit(key, scanBody(`/one-${key}`)).expect(202);
    const res = await submit(key, scanBody(`/two-${key}`)).expect(422);
    expect(res.body).toMatchObject({ error: 'idempotency_key_reused', requestId: expect.any(String) });
    expect(await scansOf(`http://127.0.0.1:9/two-${key}`)).toBe(0);
  });

  it('runs exactly one of several concurrent identical requests; the others replay it or are told to retry', async () => {
    const key = randomUUID();
    const body = scanBody(`/race-${key}`);
    const answers = await Promise.all(Array.from({ length: 6 }, () => submit(key, body)));
    const ok = answers.filter((a) => a.status === 202);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.status === 202 || (a.status === 409 && a.body.error === 'idempotency_in_progress'))).toBe(true);
    expect(new Set(ok.map((a) => a.body.scanId)).size).toBe(1);
    expect(ok.filter((a) => a.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await scansOf(body.url)).toBe(1);
  });

  it("keeps keys per principal: a client reusing the admin's key gets its own scan", async () => {
    const key = randomUUID();
    const body = scanBody(`/principal-${key}`);
    const byAdmin = await submit(key, body).expect(202);
    const byClient = await submit(key, body, client).expect(202);
    expect(byClient.headers['idempotent-replayed']).toBeUndefined();
    expect(byClient.body.scanId).not.toBe(byAdmin.body.scanId);
    const rows = await stack().prisma.idempotencyKey.findMany({ where: { key } });
    expect(rows.map((r) => r.principal).sort()).toEqual(['admin', `client:${clientId}`]);
  });

  it('does not store failures: a refused request leaves the key free for a corrected retry', async () => {
    const key = randomUUID();
    await submit(key, { url: 'ftp://example.com/', clientId }).expect(400);
    expect(await stack().prisma.idempotencyKey.count({ where: { key } })).toBe(0);
    // The same key now works for the corrected request (a different body: the failure was not remembered).
    const res = await submit(key, scanBody(`/fixed-${key}`)).expect(202);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('forgets keys after 24 hours', async () => {
    const key = randomUUID();
    const body = scanBody(`/expired-${key}`);
    const first = await submit(key, body).expect(202);
    await stack().prisma.idempotencyKey.updateMany({ where: { key }, data: { createdAt: new Date(Date.now() - 25 * 3600_000) } });
    const second = await submit(key, body).expect(202);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.scanId).not.toBe(first.body.scanId);
    expect(await scansOf(body.url)).toBe(2);
  });

  it('answers 409 idempotency_in_progress while an identical request is still running', async () => {
    const key = randomUUID();
    const body = scanBody(`/pending-${key}`);
    // A claim made just now by a request that has not answered yet (same hash as `body`).
    const hash = requestHash({ method: 'POST', baseUrl: '/api/scans', path: '/', query: {}, body });
    await stack().prisma.idempotencyKey.create({ data: { principal: 'admin', key, requestHash: hash, status: 0, response: {} } });
    const started = Date.now();
    const res = await submit(key, body).expect(409);
    expect(res.body.error).toBe('idempotency_in_progress');
    expect(res.headers['retry-after']).toBe('1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000); // it waited for the other request first
    expect(await scansOf(body.url)).toBe(0);
  });

  it('takes over a claim whose request died (older than two minutes, never answered)', async () => {
    const key = randomUUID();
    const body = scanBody(`/stale-${key}`);
    const hash = requestHash({ method: 'POST', baseUrl: '/api/scans', path: '/', query: {}, body });
    await stack().prisma.idempotencyKey.create({
      data: { principal: 'admin', key, requestHash: hash, status: 0, response: {}, createdAt: new Date(Date.now() - 3 * 60_000) },
    });
    await submit(key, body).expect(202);
    expect(await scansOf(body.url)).toBe(1);
  });

  it.each([
    ['an empty key', ''],
    ['a key over 200 characters', 'k'.repeat(201)],
    ['a key with a control character', 'abc\tdef'],
  ])('rejects %s with a 400', async (_name, key) => {
    const res = await submit(key, scanBody('/bad-key')).expect(400);
    expect(res.body.message).toMatch(/^Idempotency-Key: /);
  });

  it('leaves requests without the header alone: two submissions are two scans', async () => {
    const body = scanBody(`/plain-${randomUUID()}`);
    const a = await submit(undefined, body).expect(202);
    const b = await submit(undefined, body).expect(202);
    expect(a.body.scanId).not.toBe(b.body.scanId);
  });

  it('replays a CSV import instead of running it again', async () => {
    const key = randomUUID();
    const csv = `url,name\nhttps://idem-import-${key}.example/,${key}\nnot a url,x\n`;
    const send = () =>
      request(stack().app)
        .post(`/api/prospects/import?clientId=${clientId}`)
        .set(adminAuth)
        .set('Idempotency-Key', key)
        .set('Content-Type', 'text/csv')
        .send(csv);
    const first = await send().expect(200);
    expect(first.body).toMatchObject({ created: 1, skipped: [{ line: 3 }] });
    const again = await send().expect(200);
    // A second run would have reported the row as a duplicate; the replay is the first answer.
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await request(stack().app)
      .post(`/api/prospects/import?clientId=${clientId}&onDuplicate=update`)
      .set(adminAuth)
      .set('Idempotency-Key', key)
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(422);
    expect(other.body.error).toBe('idempotency_key_reused');
  });

  it('also guards prospect scans: a retried POST /api/prospects/:id/scans returns the original scan', async () => {
    const p = await request(stack().app)
      .post('/api/prospects')
      .set(adminAuth)
      .send({ clientId, url: `https://idem-${randomUUID()}.example/` })
      .expect(201);
    const key = randomUUID();
    const first = await request(stack().app)
      .post(`/api/prospects/${p.body.id}/scans`)
      .set(adminAuth)
      .set('Idempotency-Key', key)
      .send({})
      .expect(202);
    const again = await request(stack().app)
      .post(`/api/prospects/${p.body.id}/scans`)
      .set(adminAuth)
      .set('Idempotency-Key', key)
      .send({})
      .expect(202);
    expect(again.body.scanId).toBe(first.body.scanId);
    expect(await stack().prisma.scan.count({ where: { prospectId: p.body.id } })).toBe(1);
  });
});
