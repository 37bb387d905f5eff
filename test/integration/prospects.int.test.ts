import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { csvField } from '../../api/services/csv';
import { useFixtureServer } from '../support/fixture-server';
import { adminAuth, clientAuth } from '../support/scan-client';
import { eventually, startStack, useStack } from '../support/stack';

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

describe('prospects API (no workers)', () => {
  const stack = useStack({ workers: false });
  // Two clients with their own keys, fresh per run so listings start empty.
  const acme = unique('acme');
  const globex = unique('globex');
  let acmeAuth: Record<string, string>;
  let globexAuth: Record<string, string>;

  beforeAll(async () => {
    acmeAuth = await clientAuth(stack(), acme);
    globexAuth = await clientAuth(stack(), globex);
  });

  const create = (body: object, auth: Record<string, string> = adminAuth) =>
    request(stack().app).post('/api/prospects').set(auth).send(body);
  const importJson = (body: object, auth: Record<string, string> = adminAuth, query = '') =>
    request(stack().app).post(`/api/prospects/import${query}`).set(auth).send(body);
  const importCsv = (csv: string, auth: Record<string, string> = adminAuth, query = '') =>
    request(stack().app).post(`/api/prospects/import${query}`).set(auth).set('Content-Type', 'text/csv').send(csv);

  describe('create, read, update, delete', () => {
    it('creates a prospect with a normalised URL, answering 201 with Location', async () => {
      const res = await create({ clientId: acme, url: '  https://Shop.Example.COM ', name: 'Shop', notes: 'met at a conference' }).expect(
        201,
      );
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        clientId: acme,
        url: 'https://shop.example.com/',
        name: 'Shop',
        notes: 'met at a conference',
        externalId: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        latestScan: null,
      });
      expect(res.headers.location).toBe(`/api/prospects/${res.body.id}`);
      const got = await request(stack().app).get(res.headers.location).set(adminAuth).expect(200);
      expect(got.body).toEqual(res.body);
    });

    it('answers 409 with the existing id for a (clientId, url) that exists, also when written differently', async () => {
      const first = await create({ clientId: acme, url: 'https://dup.example/' }).expect(201);
      const again = await create({ clientId: acme, url: 'HTTPS://DUP.EXAMPLE' }).expect(409);
      expect(again.body).toMatchObject({ error: 'conflict', details: { prospectId: first.body.id } });
      expect(again.headers.location).toBe(`/api/prospects/${first.body.id}`);
      // Another client may track the same site.
      await create({ clientId: globex, url: 'https://dup.example/' }).expect(201);
    });

    it.each([
      ['a missing url', { clientId: 'x' }, /^url: is required/],
      ['a non-http url', { clientId: 'x', url: 'ftp://a.example/' }, /^url: only http and https/],
      ['credentials in the url', { clientId: 'x', url: 'https://u:p@a.example/' }, /^url: .*credentials/],
      ['a url over 2048 characters', { clientId: 'x', url: `https://a.example/${'a'.repeat(2040)}` }, /^url: .*2048/],
      ['notes over 2000 characters', { clientId: 'x', url: 'https://a.example/', notes: 'n'.repeat(2001) }, /^notes: /],
      ['a name over 200 characters', { clientId: 'x', url: 'https://a.example/', name: 'n'.repeat(201) }, /^name: /],
      ['an unknown field', { clientId: 'x', url: 'https://a.example/', owner: 'me' }, /owner/],
      ['no clientId from the admin key', { url: 'https://a.example/' }, /^clientId: is required/],
    ])('rejects %s with a 400 naming the field', async (_name, body, message) => {
      const res = await create(body).expect(400);
      expect(res.body.message).toMatch(message);
    });

    it('checks URL syntax only (no DNS), with the same private-target rule as scans', async () => {
      await create({ clientId: acme, url: 'https://not-registered-yet.invalid/' }).expect(201);
      const strict = await startStack({ workers: false, env: { SCAN_ALLOW_PRIVATE_TARGETS: 'false' } });
      try {
        const res = await request(strict.app)
          .post('/api/prospects')
          .set(adminAuth)
          .send({ clientId: acme, url: 'http://127.0.0.1/' })
          .expect(400);
        expect(res.body.details).toMatchObject({ field: 'url', category: 'blocked_target' });
      } finally {
        await strict.stop();
      }
    });

    it("binds client keys to their own client: implied clientId, 403 for another, 404 for another's prospect", async () => {
      const own = await create({ url: 'https://own.example/' }, acmeAuth).expect(201);
      expect(own.body.clientId).toBe(acme);
      await create({ url: 'https://own.example/', clientId: globex }, acmeAuth).expect(403);

      const theirs = await create({ url: 'https://theirs.example/', clientId: globex }).expect(201);
      const path = `/api/prospects/${theirs.body.id}`;
      await request(stack().app).get(path).set(acmeAuth).expect(404);
      await request(stack().app).patch(path).set(acmeAuth).send({ name: 'mine now' }).expect(404);
      await request(stack().app).delete(path).set(acmeAuth).expect(404);
      await request(stack().app).post(`${path}/scans`).set(acmeAuth).send({}).expect(404);
      await request(stack().app).get(`${path}/scans`).set(acmeAuth).expect(404);
      await request(stack().app).get(path).set(globexAuth).expect(200);
      await request(stack().app).get('/api/prospects/not-a-uuid').set(adminAuth).expect(404);
    });

    it('updates name, notes and url; null clears; a url another prospect has is a 409', async () => {
      const p = await create({ clientId: acme, url: 'https://patch.example/', name: 'Old', notes: 'x' }).expect(201);
      const path = `/api/prospects/${p.body.id}`;
      const renamed = await request(stack().app).patch(path).set(acmeAuth).send({ name: 'New', notes: null }).expect(200);
      expect(renamed.body).toMatchObject({ id: p.body.id, name: 'New', notes: null, url: 'https://patch.example/' });
      expect(new Date(renamed.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(p.body.updatedAt).getTime());

      const moved = await request(stack().app).patch(path).set(adminAuth).send({ url: 'https://patch.example/v2' }).expect(200);
      expect(moved.body.url).toBe('https://patch.example/v2');

      const other = await create({ clientId: acme, url: 'https://patch-other.example/' }).expect(201);
      const clash = await request(stack().app).patch(path).set(adminAuth).send({ url: 'https://patch-other.example' }).expect(409);
      expect(clash.body.details).toEqual({ prospectId: other.body.id });

      await request(stack().app).patch(path).set(adminAuth).send({}).expect(400);
      await request(stack().app).patch(path).set(adminAuth).send({ clientId: globex }).expect(400);
      await request(stack().app).patch(path).set(adminAuth).send({ url: 'javascript:alert(1)' }).expect(400);
    });

    it('deletes with 204; the prospect is gone, its scans stay with prospectId cleared (scans.prospect_id is a foreign key)', async () => {
      const p = await create({ clientId: acme, url: 'https://delete.example/' }).expect(201);
      const scan = await request(stack().app).post(`/api/prospects/${p.body.id}/scans`).set(adminAuth).send({}).expect(202);
      await request(stack().app).delete(`/api/prospects/${p.body.id}`).set(acmeAuth).expect(204);
      await request(stack().app).get(`/api/prospects/${p.body.id}`).set(adminAuth).expect(404);
      await request(stack().app).delete(`/api/prospects/${p.body.id}`).set(adminAuth).expect(404);
      const kept = await request(stack().app).get(`/api/scans/${scan.body.scanId}`).set(adminAuth).expect(200);
      expect(kept.body.prospectId).toBeNull();
    });
  });

  describe('listing', () => {
    let client: string;
    beforeAll(async () => {
      client = unique('lister');
      for (const [i, name] of ['Alpha Bakery', 'Beta Garage', 'Gamma Bakery', 'Delta Florist', 'Epsilon'].entries()) {
        await create({
          clientId: client,
          url: `https://list${i}.example/`,
          name,
          notes: i === 4 ? 'sells BAKERY tools' : undefined,
        }).expect(201);
      }
    });

    it('pages newest first with the next cursor until the end', async () => {
      const seen: string[] = [];
      let before: string | null = null;
      for (let page = 0; page < 5; page++) {
        const res: request.Response = await request(stack().app)
          .get('/api/prospects')
          .query({ clientId: client, limit: 2, ...(before && { before }) })
          .set(adminAuth)
          .expect(200);
        seen.push(...res.body.prospects.map((p: { name: string }) => p.name));
        before = res.body.next;
        if (!before) break;
      }
      expect(seen).toEqual(['Epsilon', 'Delta Florist', 'Gamma Bakery', 'Beta Garage', 'Alpha Bakery']);
    });

    it('searches url, name and notes case-insensitively with q', async () => {
      const res = await request(stack().app).get('/api/prospects').query({ clientId: client, q: 'bakery' }).set(adminAuth).expect(200);
      expect(res.body.prospects.map((p: { name: string }) => p.name)).toEqual(['Epsilon', 'Gamma Bakery', 'Alpha Bakery']);
      const byUrl = await request(stack().app).get('/api/prospects').query({ clientId: client, q: 'LIST3' }).set(adminAuth).expect(200);
      expect(byUrl.body.prospects.map((p: { name: string }) => p.name)).toEqual(['Delta Florist']);
    });

    it("shows a client key only its own prospects, and refuses another client's listing", async () => {
      const res = await request(stack().app).get('/api/prospects').set(globexAuth).expect(200);
      expect(res.body.prospects.length).toBeGreaterThan(0);
      expect(res.body.prospects.every((p: { clientId: string }) => p.clientId === globex)).toBe(true);
      await request(stack().app).get('/api/prospects').query({ clientId: client }).set(globexAuth).expect(403);
    });

    it('rejects a malformed cursor and an out-of-range limit', async () => {
      await request(stack().app).get('/api/prospects').query({ before: 'yesterday' }).set(adminAuth).expect(400);
      await request(stack().app).get('/api/prospects').query({ limit: 201 }).set(adminAuth).expect(400);
    });
  });

  describe('import', () => {
    it('imports JSON rows, reporting each bad or duplicate row by index without stopping the others', async () => {
      const client = unique('json');
      await create({ clientId: client, url: 'https://exists.example/', name: 'Kept' }).expect(201);
      const res = await importJson({
        clientId: client,
        prospects: [
          { url: 'https://one.example/', name: 'One' },
          { url: 'ftp://bad.example/' },
          { name: 'no url' },
          'not an object',
          { url: 'https://ONE.example' },
          { url: 'https://exists.example/', name: 'Changed' },
          { url: 'https://two.example/', notes: 'n'.repeat(2001) },
          { url: 'https://three.example/', extra: true },
          { url: 'https://four.example/', notes: 'fine' },
        ],
      }).expect(200);
      expect(res.body.created).toBe(2);
      expect(res.body.updated).toBe(0);
      expect(res.body.skipped).toEqual([
        { index: 1, url: 'ftp://bad.example/', reason: 'url: only http and https URLs can be scanned' },
        { index: 2, reason: expect.stringMatching(/^url: /) },
        { index: 3, reason: expect.stringMatching(/must be an object/) },
        { index: 4, url: 'https://one.example/', reason: 'duplicate of index 0 in this import' },
        { index: 5, url: 'https://exists.example/', reason: 'duplicate: the prospect already exists', prospectId: expect.any(String) },
        { index: 6, url: 'https://two.example/', reason: expect.stringMatching(/^notes: /) },
        { index: 7, url: 'https://three.example/', reason: expect.stringMatching(/extra/) },
      ]);
      const listed = await request(stack().app).get('/api/prospects').query({ clientId: client }).set(adminAuth).expect(200);
      expect(listed.body.prospects.map((p: { url: string }) => p.url).sort()).toEqual([
        'https://exists.example/',
        'https://four.example/',
        'https://one.example/',
      ]);
      expect(listed.body.prospects.find((p: { url: string }) => p.url === 'https://exists.example/').name).toBe('Kept');
    });

    it("updates existing prospects' name and notes with onDuplicate=update", async () => {
      const client = unique('upd');
      const p = await create({ clientId: client, url: 'https://upd.example/', name: 'Old', notes: 'old notes' }).expect(201);
      const res = await importJson(
        {
          prospects: [{ url: 'https://upd.example', name: 'New' }, { url: 'https://upd.example/nothing' }, { url: 'https://upd.example/' }],
        },
        adminAuth,
        `?onDuplicate=update&clientId=${client}`,
      ).expect(200);
      expect(res.body).toMatchObject({ created: 1, updated: 1 });
      expect(res.body.skipped).toEqual([{ index: 2, url: 'https://upd.example/', reason: 'duplicate of index 0 in this import' }]);
      const got = await request(stack().app).get(`/api/prospects/${p.body.id}`).set(adminAuth).expect(200);
      // The row gave a name and no notes: the stored notes stay.
      expect(got.body).toMatchObject({ name: 'New', notes: 'old notes' });
    });

    it('ignores and reports columns it does not know, reading the known ones in any order and case', async () => {
      const client = unique('cols');
      const res = await importCsv('Notes,Owner,URL\n"x, y",sam,https://cols.example/\n', adminAuth, `?clientId=${client}`).expect(200);
      expect(res.body).toEqual({ created: 1, updated: 0, skipped: [], ignoredColumns: ['Owner'] });
      const listed = await request(stack().app).get('/api/prospects').query({ clientId: client }).set(adminAuth).expect(200);
      expect(listed.body.prospects[0]).toMatchObject({ url: 'https://cols.example/', notes: 'x, y', name: null });
    });

    it('reads a CSV with the documented header, clientId column included', async () => {
      const client = unique('csv');
      const other = unique('csv-other');
      const rows = [
        'url,name,notes,clientId',
        `https://a.example/,${csvField('Acme, Inc.')},${csvField('said "call back"\r\non Monday')},`,
        'https://b.example/,B,,',
        '',
        'not a url,Bad,,',
        '"https://c.example/"x,C,,',
        'https://d.example/,D,too,many,fields',
        `https://e.example/,${csvField('E, with\nline break')},,${other}`,
        'https://a.example/,again,,',
        'https://f.example/,F,"never closed,',
        'https://g.example/,G,swallowed by the open quote,',
      ];
      const res = await importCsv(`\ufeff${rows.join('\r\n')}\r\n`, adminAuth, `?clientId=${client}`).expect(200);
      expect(res.body).toEqual({
        created: 3,
        updated: 0,
        skipped: [
          { line: 6, reason: 'url: URL must be absolute and start with http:// or https://', url: 'not a url' },
          { line: 7, reason: 'unexpected text after a closing quote' },
          { line: 8, reason: 'has 5 fields; the header has 4' },
          { line: 11, reason: 'duplicate of line 2 in this import', url: 'https://a.example/' },
          { line: 12, reason: 'quoted field is not closed' },
        ],
      });
      const a = await request(stack().app).get('/api/prospects').query({ clientId: client, q: 'a.example' }).set(adminAuth).expect(200);
      expect(a.body.prospects).toHaveLength(1);
      expect(a.body.prospects[0]).toMatchObject({ name: 'Acme, Inc.', notes: 'said "call back"\r\non Monday' });
      const e = await request(stack().app).get('/api/prospects').query({ clientId: other }).set(adminAuth).expect(200);
      expect(e.body.prospects.map((p: { name: string }) => p.name)).toEqual(['E, with\nline break']);
    });

    it('keeps client keys to their own client, row by row', async () => {
      const res = await importCsv(`url,clientId\nhttps://mine.example/,\nhttps://theirs.example/,${globex}\n`, acmeAuth).expect(200);
      expect(res.body.created).toBe(1);
      expect(res.body.skipped).toEqual([
        { line: 3, url: 'https://theirs.example/', reason: 'clientId: this key can only import prospects for its own client' },
      ]);
      await importCsv('url\nhttps://x.example/\n', acmeAuth, `?clientId=${globex}`).expect(403);
    });

    it('requires a clientId from the admin key per row or for the import', async () => {
      const res = await importJson({ prospects: [{ url: 'https://orphan.example/' }] }).expect(200);
      expect(res.body).toMatchObject({ created: 0, skipped: [{ index: 0, reason: expect.stringMatching(/^clientId: is required/) }] });
    });

    it.each([
      ['an empty CSV', 'text/csv', ''],
      ['a CSV header without a url column', 'text/csv', 'name,notes\nx,y\n'],
      ['a CSV header naming url twice', 'text/csv', 'url,URL\nx,y\n'],
      ['a JSON body without prospects', 'application/json', '{"clientId":"x"}'],
      ['an empty prospects list', 'application/json', '{"prospects":[]}'],
    ])('refuses %s as a whole with a 400', async (_name, type, body) => {
      const res = await request(stack().app)
        .post('/api/prospects/import?clientId=x')
        .set(adminAuth)
        .set('Content-Type', type)
        .send(body)
        .expect(400);
      expect(res.body.error).toBe('bad_request');
    });

    it('answers 415 for another content type', async () => {
      await request(stack().app).post('/api/prospects/import').set(adminAuth).set('Content-Type', 'text/plain').send('url\nx').expect(415);
    });

    it('imports 10,000 CSV rows, pages through rows created in one statement, and refuses 10,001', async () => {
      const client = unique('big');
      const lines = Array.from({ length: 10_000 }, (_, i) => `https://site${i}.example/,${csvField(`Site ${i}, Ltd`)},${csvField('a\nb')}`);
      const started = Date.now();
      const res = await importCsv(`url,name,notes\n${lines.join('\n')}\n`, adminAuth, `?clientId=${client}`).expect(200);
      expect(res.body).toEqual({ created: 10_000, updated: 0, skipped: [] });
      expect(Date.now() - started).toBeLessThan(20_000);

      // Same createdAt for a whole insert chunk: the cursor must still walk every row exactly once.
      const ids = new Set<string>();
      let before: string | null = null;
      let pages = 0;
      do {
        const page: request.Response = await request(stack().app)
          .get('/api/prospects')
          .query({ clientId: client, limit: 200, ...(before && { before }) })
          .set(adminAuth)
          .expect(200);
        for (const p of page.body.prospects) ids.add(p.id);
        before = page.body.next;
        pages++;
      } while (before && pages < 60);
      expect(ids.size).toBe(10_000);

      const again = await importCsv(
        `url,name,notes\n${lines.join('\n')}\nhttps://one-more.example/,x,y\n`,
        adminAuth,
        `?clientId=${client}`,
      ).expect(400);
      expect(again.body.message).toMatch(/at most 10000/);
    });

    it('accepts a JSON import larger than API_BODY_LIMIT (up to API_BULK_BODY_LIMIT)', async () => {
      const client = unique('bigjson');
      const prospects = Array.from({ length: 5_000 }, (_, i) => ({
        url: `https://j${i}.example/`,
        name: `Name ${i}`,
        notes: 'n'.repeat(200),
      }));
      expect(JSON.stringify(prospects).length).toBeGreaterThan(1024 * 1024);
      const res = await importJson({ clientId: client, prospects }).expect(200);
      expect(res.body.created).toBe(5_000);
    });
  });

  describe('prospect scans', () => {
    it("scans the prospect's URL with its client and links the scan (202 like POST /api/scans)", async () => {
      const p = await create({ clientId: acme, url: 'http://127.0.0.1:9/prospect-scan' }).expect(201);
      const res = await request(stack().app)
        .post(`/api/prospects/${p.body.id}/scans`)
        .set(acmeAuth)
        .send({ priority: 8, queue: 'high', maxRetries: 1 })
        .expect(202);
      expect(res.body).toEqual({
        scanId: expect.any(String),
        workflowId: `scan-${res.body.scanId}`,
        status: 'queued',
        prospectId: p.body.id,
      });
      expect(res.headers.location).toBe(`/api/scans/${res.body.scanId}`);
      const row = await stack().prisma.scan.findUniqueOrThrow({ where: { id: res.body.scanId } });
      expect(row).toMatchObject({
        prospectId: p.body.id,
        clientId: acme,
        url: 'http://127.0.0.1:9/prospect-scan',
        priority: 8,
        queue: 'high',
      });

      await request(stack().app)
        .post(`/api/prospects/${p.body.id}/scans`)
        .set(adminAuth)
        .send({ url: 'https://other.example/' })
        .expect(400);
      await request(stack().app).post(`/api/prospects/${p.body.id}/scans`).set(adminAuth).send({ priority: 11 }).expect(400);
    });

    it('reports latest score, trend (completed, conclusive, oldest → newest) and delta', async () => {
      const p = await create({ clientId: acme, url: 'http://127.0.0.1:9/trend' }).expect(201);
      const path = `/api/prospects/${p.body.id}/scans`;
      const empty = await request(stack().app).get(path).set(adminAuth).expect(200);
      expect(empty.body).toEqual({
        prospectId: p.body.id,
        url: 'http://127.0.0.1:9/trend',
        latestScore: null,
        trend: [],
        scans: [],
        next: null,
      });

      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await request(stack().app).post(path).set(adminAuth).send({}).expect(202)).body.scanId);
      // Mark them finished directly, as the workflow would: 60, inconclusive, 72, failed, 65 (in finish order).
      const day = (d: number) => new Date(Date.UTC(2026, 0, d));
      const finish = (id: string, data: object) => stack().prisma.scan.update({ where: { id }, data });
      await finish(ids[0], { status: 'completed', score: 60, finishedAt: day(1) });
      await finish(ids[1], { status: 'completed', score: null, inconclusive: true, inconclusiveReason: 'bot wall', finishedAt: day(2) });
      await finish(ids[2], { status: 'completed', score: 72, finishedAt: day(3) });
      await finish(ids[3], { status: 'failed', failureReason: 'timeout', finishedAt: day(4) });
      await finish(ids[4], { status: 'completed', score: 65, finishedAt: day(5) });
      // Another client cannot file a scan under this prospect, and an unknown prospect id is refused the same way.
      for (const prospectId of [p.body.id, 'not-a-prospect']) {
        const refused = await request(stack().app)
          .post('/api/scans')
          .set(globexAuth)
          .send({ url: 'http://127.0.0.1:9/trend', prospectId })
          .expect(400);
        expect(refused.body).toMatchObject({ error: 'bad_request', message: 'prospectId: no such prospect for this client' });
      }
      // A row claiming the prospect for another client (written before that check existed) is not part of its history.
      const strayId = randomUUID();
      await stack().prisma.scan.create({
        data: {
          id: strayId,
          workflowId: `scan-${strayId}`,
          url: 'http://127.0.0.1:9/trend',
          targetHost: '127.0.0.1',
          clientId: globex,
          prospectId: p.body.id,
          queue: 'low',
          priority: 5,
          options: {},
        },
      });
      await finish(strayId, { status: 'completed', score: 1, finishedAt: day(6) });

      const res = await request(stack().app).get(path).set(acmeAuth).expect(200);
      expect(res.body.latestScore).toBe(65);
      expect(res.body.delta).toBe(-7);
      expect(res.body.trend).toEqual([
        { scanId: ids[0], finishedAt: day(1).toISOString(), score: 60 },
        { scanId: ids[2], finishedAt: day(3).toISOString(), score: 72 },
        { scanId: ids[4], finishedAt: day(5).toISOString(), score: 65 },
      ]);
      expect(res.body.scans.map((s: { scanId: string }) => s.scanId)).toEqual([...ids].reverse());
      expect(res.body.scans[1]).toMatchObject({ scanId: ids[3], status: 'failed', score: null, failureReason: 'timeout' });
      expect(res.body.scans[3]).toMatchObject({ scanId: ids[1], inconclusive: true, inconclusiveReason: 'bot wall', score: null });

      const limited = await request(stack().app).get(path).query({ limit: 2 }).set(adminAuth).expect(200);
      expect(limited.body.scans).toHaveLength(2);
      expect(limited.body.trend.map((t: { score: number }) => t.score)).toEqual([72, 65]);

      // The prospect itself and the listing show the newest scan, whatever its state.
      const got = await request(stack().app).get(`/api/prospects/${p.body.id}`).set(adminAuth).expect(200);
      expect(got.body.latestScan).toEqual({ scanId: ids[4], status: 'completed', score: 65, finishedAt: day(5).toISOString() });
      const listed = await request(stack().app).get('/api/prospects').query({ clientId: acme, q: '/trend' }).set(adminAuth).expect(200);
      expect(listed.body.prospects[0].latestScan).toMatchObject({ scanId: ids[4], score: 65 });
    });

    it('has no delta with a single scored scan', async () => {
      const p = await create({ clientId: acme, url: 'http://127.0.0.1:9/single' }).expect(201);
      const scan = await request(stack().app).post(`/api/prospects/${p.body.id}/scans`).set(adminAuth).send({}).expect(202);
      await stack().prisma.scan.update({
        where: { id: scan.body.scanId },
        data: { status: 'completed', score: 90, finishedAt: new Date() },
      });
      const res = await request(stack().app).get(`/api/prospects/${p.body.id}/scans`).set(adminAuth).expect(200);
      expect(res.body.latestScore).toBe(90);
      expect(res.body).not.toHaveProperty('delta');
    });
  });
});

describe('prospect scan end to end (API → Temporal → Chromium → Postgres)', () => {
  const stack = useStack();
  const site = useFixtureServer();

  it("scans a prospect's page and links the result to the prospect", async () => {
    const p = await request(stack().app)
      .post('/api/prospects')
      .set(adminAuth)
      .send({ clientId: unique('e2e'), url: site().url('/violations.html'), name: 'Fixture shop' })
      .expect(201);
    const submitted = await request(stack().app)
      .post(`/api/prospects/${p.body.id}/scans`)
      .set(adminAuth)
      .send({ queue: 'high' })
      .expect(202);

    const scan = await eventually(async () => {
      const res = await request(stack().app).get(`/api/scans/${submitted.body.scanId}`).set(adminAuth);
      return ['completed', 'failed', 'cancelled'].includes(res.body.status) ? res.body : undefined;
    }, 120_000);
    expect(scan).toMatchObject({ status: 'completed', prospectId: p.body.id, inconclusive: false });
    expect(scan.score).toBeLessThan(100);

    const history = await request(stack().app).get(`/api/prospects/${p.body.id}/scans`).set(adminAuth).expect(200);
    expect(history.body).toMatchObject({
      prospectId: p.body.id,
      latestScore: scan.score,
      trend: [{ scanId: scan.scanId, score: scan.score }],
      scans: [{ scanId: scan.scanId, status: 'completed', score: scan.score }],
    });
    const got = await request(stack().app).get(`/api/prospects/${p.body.id}`).set(adminAuth).expect(200);
    expect(got.body.latestScan).toMatchObject({ scanId: scan.scanId, status: 'completed', score: scan.score });
  });
});
