import request from 'supertest';
import { adminAuth } from '../support/scan-client';
import { ADMIN_KEY, useStack, type Stack } from '../support/stack';

describe('request validation and authentication (no workers needed)', () => {
  const stack = useStack({ workers: false });
  // The production default: private and loopback targets are refused.
  const strict = useStack({ workers: false, env: { SCAN_ALLOW_PRIVATE_TARGETS: 'false' } });

  const post = (s: Stack, body: unknown, auth: Record<string, string> = adminAuth) =>
    request(s.app)
      .post('/api/scans')
      .set(auth)
      .send(body as object);

  describe('validation', () => {
    it.each([
      ['a missing url', { clientId: 'acme' }, /^url: /],
      ['a non-http scheme', { url: 'ftp://example.com/', clientId: 'acme' }, /url: only http and https/],
      ['an unparseable url', { url: 'not a url', clientId: 'acme' }, /^url: /],
      ['credentials in the url', { url: 'http://user:pw@example.com/', clientId: 'acme' }, /credentials/],
      ['a url over 2048 characters', { url: `http://example.com/${'a'.repeat(2040)}`, clientId: 'acme' }, /2048/],
      ['a priority out of range', { url: 'http://example.com/', clientId: 'acme', priority: 11 }, /^priority: /],
      ['an unknown queue', { url: 'http://example.com/', clientId: 'acme', queue: 'urgent' }, /^queue: /],
      ['an unknown field', { url: 'http://example.com/', clientId: 'acme', colour: 'red' }, /colour/],
      ['maxRetries above 5', { url: 'http://example.com/', clientId: 'acme', maxRetries: 6 }, /^maxRetries: /],
    ])('rejects %s with a 400 that names the problem', async (_name, body, message) => {
      const res = await post(stack(), body).expect(400);
      expect(res.body).toMatchObject({ error: 'bad_request', requestId: expect.any(String) });
      expect(res.body.message).toMatch(message);
      expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|node_modules|postgres(ql)?:\/\//);
    });

    it('requires clientId from the admin key', async () => {
      const res = await post(stack(), { url: 'http://127.0.0.1:9/' }).expect(400);
      expect(res.body.message).toMatch(/^clientId: /);
    });

    it('rejects malformed JSON without leaking parser internals', async () => {
      const res = await request(stack().app)
        .post('/api/scans')
        .set(adminAuth)
        .set('Content-Type', 'application/json')
        .send('{"url":')
        .expect(400)
        .expect('content-type', /^application\/problem\+json/);
      expect(res.body).toEqual({
        type: 'urn:wcag-scanner:problem:bad_request',
        title: 'Bad Request',
        status: 400,
        detail: 'request body is not valid JSON',
        instance: '/api/scans',
        error: 'bad_request',
        message: 'request body is not valid JSON',
        requestId: expect.any(String),
      });
    });

    it.each([
      ['loopback', 'http://127.0.0.1:8080/'],
      ['a decimal loopback form', 'http://2130706433/'],
      ['link-local metadata', 'http://169.254.169.254/latest/meta-data/'],
      ['a private range', 'http://10.1.2.3/'],
      ['localhost', 'http://localhost/'],
      ['IPv6 loopback', 'http://[::1]/'],
    ])('refuses %s targets by default with a 400 that says why', async (_name, url) => {
      const res = await post(strict(), { url, clientId: 'acme' }).expect(400);
      expect(res.body.message).toMatch(/^url: .*(loopback|private|link-local)/);
      expect(res.body.details).toMatchObject({ field: 'url', category: 'blocked_target' });
    });

    it('reports an unknown scan as 404, also for ids that are not uuids', async () => {
      await request(stack().app).get('/api/scans/00000000-0000-4000-8000-000000000000').set(adminAuth).expect(404);
      await request(stack().app).get('/api/scans/nope').set(adminAuth).expect(404);
    });
  });

  describe('authentication', () => {
    it('answers 401 without a key, with a malformed header, and with a wrong key', async () => {
      for (const headers of [{}, { Authorization: ADMIN_KEY }, { Authorization: 'Bearer wrong-key-123' }]) {
        const res = await request(stack().app).get('/api/scans').set(headers).expect(401);
        expect(res.body.error).toBe('unauthorized');
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('leaves /healthz and /readyz open and terse', async () => {
      expect((await request(stack().app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
      expect((await request(stack().app).get('/readyz').expect(200)).body).toEqual({
        status: 'ready',
        checks: { database: 'ok', temporal: 'ok' },
      });
    });

    it('binds client keys to their client: own scans only, 403 for another client, 401 once revoked', async () => {
      const created = await request(stack().app).post('/api/keys').set(adminAuth).send({ clientId: 'globex', name: 'CI' }).expect(201);
      expect(created.body).toMatchObject({ id: expect.any(String), clientId: 'globex', key: expect.stringMatching(/^wcag_/) });
      const globex = { Authorization: `Bearer ${created.body.key}` };
      const stored = await stack().prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
      expect(stored.keyHash).not.toContain(created.body.key);
      expect(JSON.stringify(stored)).not.toContain(created.body.key);

      // The admin scans for another client; globex must not see it.
      const other = await post(stack(), { url: 'http://127.0.0.1:9/', clientId: 'initech' }).expect(202);
      await request(stack().app).get(`/api/scans/${other.body.scanId}`).set(globex).expect(404);
      await request(stack().app).get(`/api/scans/${other.body.scanId}`).set(adminAuth).expect(200);

      await post(stack(), { url: 'http://127.0.0.1:9/', clientId: 'initech' }, globex).expect(403);
      const own = await post(stack(), { url: 'http://127.0.0.1:9/' }, globex).expect(202);
      const mine = await request(stack().app).get(`/api/scans/${own.body.scanId}`).set(globex).expect(200);
      expect(mine.body.clientId).toBe('globex');
      const listed = await request(stack().app).get('/api/scans').set(globex).expect(200);
      expect(listed.body.scans.every((s: { clientId: string }) => s.clientId === 'globex')).toBe(true);

      await request(stack().app).post('/api/keys').set(globex).send({ clientId: 'globex' }).expect(403);
      await request(stack().app).delete(`/api/keys/${created.body.id}`).set(adminAuth).expect(204);
      await request(stack().app).get('/api/scans').set(globex).expect(401);
    });
  });
});
