// Site audits through the API against the real stack, without workers: an accepted audit's workflow stays queued on
// Temporal, which is all the API promises (the crawl is siteAuditWorkflow's, tested on its own).
import request from 'supertest';
import { auditWorkflowId } from '../../core/audit';
import { SearchAttributes } from '../../core/contracts';
import { adminAuth, clientAuth } from '../support/scan-client';
import { eventually, useStack, type Stack } from '../support/stack';

const unique = (name: string) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
// Nothing listens there: without workers nothing is ever fetched anyway.
const SITE = 'http://127.0.0.1:9/';

describe('site audits API (no workers: workflows stay queued)', () => {
  const started: string[] = [];

  // Declared before the stacks, so it runs while they are still up.
  afterAll(async () => {
    // Nothing polls these stacks' queues: close the workflows instead of leaving them open on the shared server.
    await Promise.all(
      started.map((id) =>
        stack()
          .client.workflow.getHandle(id)
          .terminate('test cleanup')
          .catch(() => undefined),
      ),
    );
  });

  const stack = useStack({ workers: false });
  // The production default: private and loopback targets are refused.
  const strict = useStack({ workers: false, env: { SCAN_ALLOW_PRIVATE_TARGETS: 'false' } });

  const post = (s: Stack, body: object, auth: Record<string, string> = adminAuth) =>
    request(s.app).post('/api/audits').set(auth).send(body);

  async function submit(body: object, auth: Record<string, string> = adminAuth): Promise<string> {
    const res = await post(stack(), body, auth).expect(202);
    started.push(res.body.workflowId);
    return res.body.auditId as string;
  }

  /** A refused submission left nothing behind: no audit row (the workflow is only ever started after its row). */
  async function expectNothingStarted(s: Stack, clientId: string) {
    expect(await s.prisma.audit.count({ where: { clientId } })).toBe(0);
  }

  it('accepts an audit: 202 + Location, the row with defaults applied, the workflow on the low queue', async () => {
    const clientId = unique('acme');
    const res = await post(stack(), { url: SITE, clientId, maxPages: 20, include: ['/blog/*'], sitemap: 'off' }).expect(202);
    started.push(res.body.workflowId);
    const { auditId } = res.body;
    expect(res.body).toEqual({ auditId: expect.any(String), workflowId: auditWorkflowId(auditId), status: 'queued' });
    expect(res.headers.location).toBe(`/api/audits/${auditId}`);

    const row = await stack().prisma.audit.findUniqueOrThrow({ where: { id: auditId } });
    expect(row).toMatchObject({
      clientId,
      submittedBy: '@operator',
      startUrl: SITE,
      status: 'queued',
      queue: 'low',
      priority: 5,
      workflowId: auditWorkflowId(auditId),
    });
    expect(row.siteHosts).toContain('127.0.0.1:9');
    expect(row.options).toMatchObject({
      maxPages: 20,
      maxDepth: 5,
      include: ['/blog/*'],
      exclude: [],
      sitemap: 'off',
      respectRobots: true,
      politeness: { concurrency: 2, delayMs: 0 },
      maxPerPattern: 50,
      wcagTags: expect.arrayContaining(['wcag2aa']),
    });

    const description = await stack().client.workflow.getHandle(auditWorkflowId(auditId)).describe();
    expect(description.type).toBe('siteAuditWorkflow');
    expect(description.status.name).toBe('RUNNING');
    expect(description.taskQueue).toBe(stack().queues.low);
    expect(description.typedSearchAttributes.get(SearchAttributes.ClientId)).toBe(clientId);
    expect(description.typedSearchAttributes.get(SearchAttributes.TargetHost)).toBe('127.0.0.1');

    const view = await request(stack().app).get(`/api/audits/${auditId}`).set(adminAuth).expect(200);
    expect(view.body).toMatchObject({
      auditId,
      status: 'queued',
      url: SITE,
      clientId,
      prospectId: null,
      progress: { discovered: 0, queued: 0, scanning: 0, scanned: 0, failed: 0, skipped: 0, skippedByReason: {} },
      report: null,
    });
    // No report before the audit has one.
    await request(stack().app).get(`/api/audits/${auditId}/report.json`).set(adminAuth).expect(409);
  });

  it('shows progress and pages from audit_pages, pending counted as queued', async () => {
    const auditId = await submit({ url: SITE, clientId: unique('progress') });
    const page = (url: string, status: string, skipReason: string | null = null) => ({
      auditId,
      url,
      depth: 1,
      source: 'link',
      pattern: '/p/*',
      status,
      skipReason,
    });
    await stack().prisma.auditPage.createMany({
      data: [
        page(`${SITE}a`, 'pending'),
        page(`${SITE}b`, 'pending'),
        page(`${SITE}c`, 'scanning'),
        page(`${SITE}d`, 'skipped', 'robots'),
        page(`${SITE}e`, 'skipped', 'robots'),
        page(`${SITE}f`, 'skipped', 'off_site'),
      ],
    });
    const view = await request(stack().app).get(`/api/audits/${auditId}`).set(adminAuth).expect(200);
    expect(view.body.progress).toEqual({
      discovered: 6,
      queued: 2,
      scanning: 1,
      scanned: 0,
      failed: 0,
      skipped: 3,
      skippedByReason: { robots: 2, off_site: 1 },
    });

    const first = await request(stack().app).get(`/api/audits/${auditId}/pages?limit=4`).set(adminAuth).expect(200);
    expect(first.body.pages.map((p: { url: string }) => p.url)).toEqual([`${SITE}a`, `${SITE}b`, `${SITE}c`, `${SITE}d`]);
    expect(first.body.pages[3]).toEqual({
      url: `${SITE}d`,
      depth: 1,
      source: 'link',
      status: 'skipped',
      skipReason: 'robots',
      detail: null,
      scanId: null,
      score: null,
    });
    const rest = await request(stack().app)
      .get(`/api/audits/${auditId}/pages?limit=4&cursor=${first.body.next}`)
      .set(adminAuth)
      .expect(200);
    expect(rest.body.pages.map((p: { url: string }) => p.url)).toEqual([`${SITE}e`, `${SITE}f`]);
    expect(rest.body.next).toBeNull();
    const queued = await request(stack().app).get(`/api/audits/${auditId}/pages?status=queued`).set(adminAuth).expect(200);
    expect(queued.body.pages).toHaveLength(2);
  });

  describe('bad input gets a clear 4xx and starts nothing', () => {
    it.each([
      ['a non-http URL', { url: 'ftp://example.com/' }, 'url', /only http and https/],
      ['maxPages over AUDIT_MAX_PAGES', { url: SITE, maxPages: 1001 }, 'maxPages', /at most 1000/],
      ['concurrency over AUDIT_MAX_CONCURRENCY', { url: SITE, politeness: { concurrency: 5 } }, 'politeness.concurrency', /at most 4/],
      ['an impossible include regex', { url: SITE, include: ['/ok/*', '/fine', 're:('] }, 'include[2]', /./],
      ['an impossible exclude regex', { url: SITE, exclude: ['re:[z-a]'] }, 'exclude[0]', /./],
      ['a sitemap that is not a URL', { url: SITE, sitemap: 'sitemap.xml' }, 'sitemap', /auto.*off.*URL/],
      ['a sitemap of another scheme', { url: SITE, sitemap: 'ftp://example.com/sitemap.xml' }, 'sitemap', /./],
      ['sampling out of range', { url: SITE, sampling: { perTemplate: 0 } }, 'sampling.perTemplate', /./],
      ['an unknown prospect', { url: SITE, prospectId: '00000000-0000-4000-8000-000000000000' }, 'prospectId', /no such prospect/],
    ])('%s', async (_name, body, field, message) => {
      const clientId = unique('refused');
      const res = await post(stack(), { clientId, ...body }).expect(400);
      expect(res.body.error).toBe('bad_request');
      const problem = res.body.details.fields.find((f: { field: string }) => f.field === field);
      expect(problem).toBeDefined();
      expect(problem.message).toMatch(message);
      await expectNothingStarted(stack(), clientId);
    });

    it('refuses a private target without the allowance, like a scan', async () => {
      const clientId = unique('strict');
      const res = await post(strict(), { url: 'http://10.1.2.3/', clientId }).expect(400);
      expect(res.body.message).toMatch(/^url: .*private/);
      expect(res.body.details).toMatchObject({ field: 'url', category: 'blocked_target' });
      await expectNothingStarted(strict(), clientId);
    });

    it("refuses another client's prospect with the same answer as a missing one", async () => {
      const owner = unique('owner');
      const other = unique('other');
      const p = await request(stack().app).post('/api/prospects').set(adminAuth).send({ clientId: owner, url: SITE }).expect(201);
      const res = await post(stack(), { url: SITE, clientId: other, prospectId: p.body.id }).expect(400);
      expect(res.body.details.fields).toEqual([{ field: 'prospectId', message: 'no such prospect for this client' }]);
      const asOther = await clientAuth(stack(), other);
      await post(stack(), { url: SITE, prospectId: p.body.id }, asOther).expect(400);
      await expectNothingStarted(stack(), other);
      // Its own client may audit it.
      const id = await submit({ url: SITE, clientId: owner, prospectId: p.body.id });
      expect((await stack().prisma.audit.findUniqueOrThrow({ where: { id } })).prospectId).toBe(p.body.id);
    });

    it("caps a client key's maxPages at its hourly quota, and refuses with 429 when none is left", async () => {
      const clientId = unique('quota');
      const auth = await clientAuth(stack(), clientId);
      await request(stack().app).put(`/api/monitoring/rate-limit/${clientId}`).set(adminAuth).send({ scansPerHour: 5 }).expect(200);
      const over = await post(stack(), { url: SITE, maxPages: 6 }, auth).expect(400);
      expect(over.body.details.fields).toEqual([expect.objectContaining({ field: 'maxPages', ceiling: 5 })]);
      await expectNothingStarted(stack(), clientId);
      // The default (100) is lowered to the ceiling rather than refused; the admin is capped by AUDIT_MAX_PAGES only.
      const own = await submit({ url: SITE }, auth);
      expect((await stack().prisma.audit.findUniqueOrThrow({ where: { id: own } })).options).toMatchObject({ maxPages: 5 });
      await submit({ url: SITE, clientId, maxPages: 6 });

      await request(stack().app).put(`/api/monitoring/rate-limit/${clientId}`).set(adminAuth).send({ scansPerHour: 0 }).expect(200);
      const before = await stack().prisma.audit.count({ where: { clientId } });
      const refused = await post(stack(), { url: SITE }, auth).expect(429);
      expect(refused.headers['retry-after']).toMatch(/^\d+$/);
      expect(await stack().prisma.audit.count({ where: { clientId } })).toBe(before);
    });
  });

  it("hides another client's audit: 404 to read, list, page, cancel or export", async () => {
    const a = unique('tenant-a');
    const b = unique('tenant-b');
    const authA = await clientAuth(stack(), a);
    const authB = await clientAuth(stack(), b);
    const auditId = await submit({ url: SITE }, authA);
    expect((await stack().prisma.audit.findUniqueOrThrow({ where: { id: auditId } })).submittedBy).toBe(a);
    await request(stack().app).get(`/api/audits/${auditId}`).set(authA).expect(200);
    for (const path of ['', '/pages', '/report.json', '/report.csv']) {
      const res = await request(stack().app).get(`/api/audits/${auditId}${path}`).set(authB).expect(404);
      expect(res.body.message).toBe('audit not found');
    }
    await request(stack().app).post(`/api/audits/${auditId}/cancel`).set(authB).expect(404);
    await request(stack().app).get('/api/audits/not-a-uuid').set(authB).expect(404);
    const listed = await request(stack().app).get('/api/audits').set(authB).expect(200);
    expect(listed.body.audits).toEqual([]);
    await request(stack().app).get('/api/audits').query({ clientId: a }).set(authB).expect(403);
    await post(stack(), { url: SITE, clientId: a }, authB).expect(403);
  });

  it('lists newest first with a compound cursor and filters', async () => {
    const clientId = unique('lister');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submit({ url: `${SITE}?i=${i}`, clientId }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(stack().app)
        .get('/api/audits')
        .query({ clientId, limit: 2, ...(cursor && { cursor }) })
        .set(adminAuth)
        .expect(200);
      for (const a of res.body.audits) {
        expect(a).toMatchObject({ clientId, status: 'queued', progress: { discovered: 0 } });
        seen.push(a.auditId);
      }
      cursor = res.body.next;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const none = await request(stack().app).get('/api/audits').query({ clientId, status: 'completed' }).set(adminAuth).expect(200);
    expect(none.body).toEqual({ audits: [], next: null });
    const bad = await request(stack().app).get('/api/audits').query({ cursor: 'yesterday' }).set(adminAuth).expect(400);
    expect(bad.body.details.fields[0].field).toBe('cursor');
  });

  it('cancels: 202, the workflow gets the cancellation; a finished audit is a 409', async () => {
    const clientId = unique('cancel');
    const auth = await clientAuth(stack(), clientId);
    const auditId = await submit({ url: SITE }, auth);
    const res = await request(stack().app).post(`/api/audits/${auditId}/cancel`).set(auth).expect(202);
    expect(res.body).toEqual({ auditId, status: 'cancelling' });
    const handle = stack().client.workflow.getHandle(auditWorkflowId(auditId));
    await eventually(async () => {
      const history = await handle.fetchHistory();
      return history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes) ? true : undefined;
    }, 10_000);

    await stack().prisma.audit.update({ where: { id: auditId }, data: { status: 'cancelled', finishedAt: new Date() } });
    const again = await request(stack().app).post(`/api/audits/${auditId}/cancel`).set(auth).expect(409);
    expect(again.body.message).toBe('audit is already cancelled');
  });

  it('replays a retried submission with the same Idempotency-Key', async () => {
    const clientId = unique('idem');
    const body = { url: SITE, clientId };
    const first = await post(stack(), body).set('Idempotency-Key', `k-${clientId}`).expect(202);
    started.push(first.body.workflowId);
    const second = await post(stack(), body).set('Idempotency-Key', `k-${clientId}`).expect(202);
    expect(second.body).toEqual(first.body);
    expect(await stack().prisma.audit.count({ where: { clientId } })).toBe(1);
  });
});
