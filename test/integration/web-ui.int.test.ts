// The Web UI in real Chromium against the real stack: keyboard sign-in, live dashboard while a scan runs, cancel
// and retry from the keyboard, our own axe run on every page (WCAG 2.2 AA, no violations), plus login/CSRF,
// client isolation and export contents over HTTP. Page screenshots are saved as test artifacts
// (test-artifacts/ui, or UI_SCREENSHOT_DIR: scripts/ui-screenshots.ts points it at docs/screenshots).
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import request from 'supertest';
import { buildLaunchOptions } from '../../activities/browser/launch-options';
import { runAxe } from '../../activities/browser/run-axe';
import pino from 'pino';
import { startWorkerTelemetry, type TelemetryPublisher } from '../../monitoring/telemetry';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { adminAuth, bearer, createClientKey, TERMINAL_STATUSES, waitForTerminal, type ScanView } from '../support/scan-client';
import { ADMIN_KEY, eventually, startStack, type Stack } from '../support/stack';

const WCAG22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const ARTIFACTS = process.env.UI_SCREENSHOT_DIR ?? join(__dirname, '..', '..', 'test-artifacts', 'ui');

describe('web UI', () => {
  let stack: Stack;
  let site: FixtureServer;
  let server: Server;
  let base: string;
  let browser: Browser;
  let userDataDir: string;
  const acme = `acme-${randomUUID().slice(0, 8)}`;
  const globex = `globex-${randomUUID().slice(0, 8)}`;
  let acmeKey: string;
  let globexKey: string;
  let prospectId: string;
  let scanId: string;
  let previousId: string;
  let failedId: string;
  let telemetry: TelemetryPublisher | undefined;
  let auditSite: FixtureSite;
  let auditId: string;

  beforeAll(async () => {
    site = await startFixtureServer({ '/hang': () => undefined });
    // Many tests sign in from 127.0.0.1 within a minute; the throttle test reads the limit from the env.
    stack = await startStack({ env: { UI_LOGIN_RATE_LIMIT_PER_IP: '30' } });
    server = stack.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    acmeKey = (await createClientKey(stack, acme)).key;
    globexKey = (await createClientKey(stack, globex)).key;

    // A real scan of a page with known violations, for a prospect of acme's.
    const acmeAuth = bearer(acmeKey);
    prospectId = (
      await request(stack.app)
        .post('/api/prospects')
        .set(acmeAuth)
        .send({ url: site.url('/violations.html'), name: 'Acme Plumbing' })
        .expect(201)
    ).body.id;
    scanId = (await request(stack.app).post(`/api/prospects/${prospectId}/scans`).set(acmeAuth).send({}).expect(202)).body.scanId;
    await seedHistory(stack);
    await seedHealthSnapshots(stack);
    // A small site audit of the prospect (3 pages of the generated site), finished before the pages are checked.
    auditSite = await startFixtureSite({ pages: 20, delayMs: 0 });
    auditId = (
      await request(stack.app)
        .post('/api/audits')
        .set(acmeAuth)
        .send({ url: `${auditSite.origin}/`, prospectId, maxPages: 3 })
        .expect(202)
    ).body.auditId;
    const done = await waitForTerminal(stack.app, scanId);
    expect(done.status).toBe('completed');
    const audited = await auditToEnd(auditId);
    expect(audited.status).toBe('completed');
    // The test's workers publish their telemetry as a worker process does, so Browsers/Workers health is real.
    telemetry = startWorkerTelemetry({
      prisma: stack.prisma,
      pool: stack.pool!,
      identity: `web-ui-test:${process.pid}`,
      taskQueuePrefix: stack.prefix,
      taskQueues: Object.values(stack.queues),
      intervalMs: 2_000,
      logger: pino({ level: 'silent' }),
    });
    await telemetry.publish();

    // An earlier scan of the same prospect (one issue since fixed, one not yet there), and a failed scan (its retry
    // fails fast with a 404, so it costs the later page checks no Chromium time).
    previousId = randomUUID();
    failedId = randomUUID();
    const dayAgo = new Date(Date.now() - 86_400_000);
    await stack.prisma.scan.create({
      data: {
        id: previousId,
        workflowId: `scan-${previousId}`,
        url: site.url('/violations.html'),
        targetHost: '127.0.0.1',
        clientId: acme,
        prospectId,
        queue: 'high',
        priority: 5,
        status: 'completed',
        stage: 'done',
        score: 60,
        violationCount: 2,
        createdAt: dayAgo,
        startedAt: dayAgo,
        finishedAt: dayAgo,
        durationMs: 4000,
      },
    });
    const current = await stack.prisma.scanViolation.findMany({ where: { scanId, kind: 'violation' }, orderBy: { ruleId: 'asc' } });
    await stack.prisma.scanViolation.createMany({
      data: [
        ...current.slice(1).map(({ id: _id, scanId: _s, ...v }) => ({ ...v, scanId: previousId, nodes: v.nodes as object })),
        {
          scanId: previousId,
          kind: 'violation',
          ruleId: 'meta-viewport',
          impact: 'critical',
          wcag: ['1.4.4'],
          tags: ['wcag2aa', 'wcag144'],
          help: 'Zooming and scaling must not be disabled',
          helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/meta-viewport',
          nodeCount: 1,
          nodes: [{ target: ['meta[name="viewport"]'], html: '<meta name="viewport" content="user-scalable=no">' }],
        },
      ],
    });
    await stack.prisma.scan.create({
      data: {
        id: failedId,
        workflowId: `scan-${failedId}`,
        url: site.url('/gone.html'),
        targetHost: '127.0.0.1',
        clientId: acme,
        queue: 'low',
        priority: 5,
        status: 'failed',
        stage: 'done',
        attempts: 3,
        failureReason: 'timeout',
        failureMessage: 'scan exceeded its 30000 ms limit',
        createdAt: new Date(Date.now() - 60_000),
        finishedAt: new Date(),
        durationMs: 59_000,
      },
    });

    const launch = buildLaunchOptions({
      chromePath: stack.env.CHROME_PATH,
      launchTimeoutMs: 60_000,
      viewport: { width: 1280, height: 900 },
      protocolTimeoutMs: 60_000,
    });
    userDataDir = launch.userDataDir;
    browser = await puppeteer.launch(launch);
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await telemetry?.stop({ clean: true });
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await new Promise((r) => server?.close(r));
    await stack?.stop();
    await site?.close();
    await auditSite?.close();
  });

  const auditToEnd = (id: string) =>
    eventually(
      async () => {
        const r = await request(stack.app).get(`/api/audits/${id}`).set(adminAuth).expect(200);
        return TERMINAL_STATUSES.includes(r.body.status) ? (r.body as ScanView) : undefined;
      },
      180_000,
      500,
    );

  /** supertest buffers a PDF as bytes only with a parser of its own (the response is the raw stream). */
  const bytes = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
    const stream = res as unknown as NodeJS.ReadableStream;
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => cb(null, Buffer.concat(chunks)));
  };

  /** Signs in over HTTP (agent keeps the cookies); returns the agent and the session's CSRF token. */
  async function signIn(key: string) {
    const agent = request.agent(base);
    const form = await agent.get('/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const res = await agent.post('/login').type('form').send({ apiKey: key, _csrf: csrf, next: '/' }).expect(303);
    const page = await agent.get('/').redirects(1).expect(200);
    const sessionCsrf = /name="csrf-token" content="([^"]+)"|name="_csrf" value="([^"]+)"/.exec(page.text)!;
    return { agent, res, csrf: sessionCsrf[1] ?? sessionCsrf[2] };
  }

  // The audit tests share one session per key: sign-ins from 127.0.0.1 are throttled (UI_LOGIN_RATE_LIMIT_PER_IP, raised above).
  const sessions = new Map<string, ReturnType<typeof signIn>>();
  const sessionOf = (key: string) => {
    if (!sessions.has(key)) sessions.set(key, signIn(key));
    return sessions.get(key)!;
  };

  async function expectAccessible(page: Page, name: string) {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) as `${string}.png`, fullPage: false });
    const { results } = await runAxe(page, WCAG22_AA);
    const found = results.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
    expect({ page: name, violations: found }).toEqual({ page: name, violations: [] });
  }

  const focused = (page: Page) =>
    page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      const style = el ? getComputedStyle(el) : null;
      return {
        tag: el?.tagName,
        id: el?.id,
        text: el?.textContent?.trim() ?? '',
        outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : '',
      };
    });

  async function tabTo(page: Page, match: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 80) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (match(f)) return f;
    }
    throw new Error('never reached the control with Tab');
  }

  it('refuses a sign-in or sign-out without its CSRF token, and never puts the key in the page', async () => {
    const agent = request.agent(base);
    await agent.get('/login').expect(200);
    await agent.post('/login').type('form').send({ apiKey: ADMIN_KEY }).expect(403);
    const form = await agent.get('/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const wrong = await agent.post('/login').type('form').send({ apiKey: 'wcag_not-a-key', _csrf: csrf }).expect(401);
    expect(wrong.text).toContain('not valid');
    expect(wrong.text).not.toContain('wcag_not-a-key');

    const { agent: admin, res, csrf: sessionCsrf } = await signIn(ADMIN_KEY);
    const cookie = res.headers['set-cookie'] as unknown as string[];
    expect(cookie.join('\n')).toMatch(/wcag_session=[^;]+;.*HttpOnly.*SameSite=Strict/);
    expect(res.headers.location).toBe('/dashboard');
    const dash = await admin.get('/dashboard').expect(200);
    expect(dash.text).not.toContain(ADMIN_KEY);
    const rows = await stack.prisma.uiSession.findMany();
    expect(JSON.stringify(rows)).not.toContain(ADMIN_KEY);

    // State-changing actions need the session's token.
    await admin.post(`/failed/${failedId}/retry`).type('form').send({}).expect(403);
    await admin.post(`/scans/${scanId}/cancel`).type('form').send({ _csrf: 'forged' }).expect(403);
    await admin.post('/logout').type('form').send({}).expect(403);
    await admin.post('/logout').type('form').send({ _csrf: sessionCsrf }).expect(303);
    await admin.get('/dashboard').expect(303).expect('location', '/login?next=%2Fdashboard');
  });

  it("shows a client only its own reports: another client's scan and prospect are 404", async () => {
    const { agent: a } = await signIn(acmeKey);
    const { agent: b } = await signIn(globexKey);
    for (const path of [
      `/scans/${scanId}`,
      `/prospects/${prospectId}`,
      `/scans/${scanId}/violations.csv`,
      `/scans/${scanId}/earl.jsonld`,
      `/scans/${scanId}/screenshot.jpg`,
      `/prospects/${prospectId}/compare?a=${previousId}&b=${scanId}`,
    ]) {
      await a.get(path).expect(200);
      await b.get(path).expect(404);
    }
    await b.get('/dashboard').expect(403);
    await a.get('/failed').expect(403);
  });

  it('exports the findings as CSV, JSON and EARL, and serves the screenshot', async () => {
    const { agent } = await signIn(acmeKey);
    const csv = await agent
      .get(`/scans/${scanId}/violations.csv`)
      .expect(200)
      .expect('content-type', /text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('scan_id,url,kind,rule_id,impact,wcag,help,help_url,selector,html,failure_summary');
    expect(lines.some((l) => l.includes(',violation,image-alt,critical,1.1.1,'))).toBe(true);

    const json = (await agent.get(`/scans/${scanId}/violations.json`).expect(200)).body;
    expect(json.violations.map((v: { ruleId: string }) => v.ruleId)).toEqual(expect.arrayContaining(['image-alt', 'label']));

    const earl = JSON.parse(
      (
        await agent
          .get(`/scans/${scanId}/earl.jsonld`)
          .expect(200)
          .expect('content-type', /application\/ld\+json/)
      ).text,
    );
    const assertions = earl['@graph'].filter((n: { '@type': string }) => n['@type'] === 'earl:Assertion');
    const failedAlt = assertions.find(
      (a: ScanView) => a['earl:test']['dct:identifier'] === 'image-alt' && a['earl:result']['earl:outcome']['@id'] === 'earl:failed',
    );
    expect(failedAlt['earl:subject']['@id']).toBe(site.url('/violations.html'));
    expect(assertions.some((a: ScanView) => a['earl:result']['earl:outcome']['@id'] === 'earl:passed')).toBe(true);

    const shot = await agent.get(`/scans/${scanId}/screenshot.jpg`).expect(200).expect('content-type', 'image/jpeg').buffer(true);
    expect((shot.body as Buffer).subarray(0, 2).toString('hex')).toBe('ffd8');
    const stored = await stack.prisma.scanScreenshot.findUniqueOrThrow({ where: { scanId } });
    expect((stored.boxes as unknown[]).length).toBeGreaterThan(0);
  });

  it("serves the same exports to API clients with their Bearer key: only their own scans, another client's are 404", async () => {
    const acmeAuth = bearer(acmeKey);
    const globexAuth = bearer(globexKey);
    const csv = await request(stack.app)
      .get(`/api/scans/${scanId}/violations.csv`)
      .set(acmeAuth)
      .expect(200)
      .expect('content-type', /text\/csv/);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="scan-${scanId}-violations.csv"`);
    expect(csv.text.split('\r\n').some((l) => l.includes(',violation,image-alt,critical,1.1.1,'))).toBe(true);
    const json = (
      await request(stack.app)
        .get(`/api/scans/${scanId}/violations.json`)
        .set(adminAuth)
        .expect(200)
        .expect('content-type', /application\/json/)
    ).body;
    expect(json.violations.map((v: { ruleId: string }) => v.ruleId)).toEqual(expect.arrayContaining(['image-alt', 'label']));
    const earl = JSON.parse(
      (
        await request(stack.app)
          .get(`/api/scans/${scanId}/earl.jsonld`)
          .set(acmeAuth)
          .expect(200)
          .expect('content-type', /application\/ld\+json/)
      ).text,
    );
    expect(earl['@graph'].some((n: ScanView) => n['@type'] === 'earl:Assertion' && n['earl:test']['dct:identifier'] === 'image-alt')).toBe(
      true,
    );
    for (const format of ['violations.csv', 'violations.json', 'earl.jsonld']) {
      const other = await request(stack.app).get(`/api/scans/${scanId}/${format}`).set(globexAuth).expect(404);
      expect(other.body.error).toBe('not_found');
      await request(stack.app).get(`/api/scans/${scanId}/${format}`).expect(401);
    }
    await request(stack.app).get(`/api/scans/${randomUUID()}/violations.csv`).set(adminAuth).expect(404);
  });

  it('throttles sign-in attempts per client address with 429, Retry-After and a readable message', async () => {
    // Its own (forwarded, from the trusted loopback proxy) address, so the other tests' sign-ins are not counted.
    const agent = request.agent(base);
    const ip = { 'X-Forwarded-For': '203.0.113.77' };
    const countedBefore = await abuseLimited();
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/login').expect(200)).text)![1];
    for (let i = 0; i < stack.env.UI_LOGIN_RATE_LIMIT_PER_IP; i++) {
      await agent
        .post('/login')
        .set(ip)
        .type('form')
        .send({ apiKey: `wcag_guess-${i}`, _csrf: csrf })
        .expect(401);
    }
    // Even the right key waits now: the limiter runs before the key is looked at.
    const limited = await agent
      .post('/login')
      .set(ip)
      .type('form')
      .send({ apiKey: ADMIN_KEY, _csrf: csrf })
      .expect(429)
      .expect('content-type', /text\/html/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.text).toMatch(/Too many sign-in attempts[^<]*wait \d+ seconds?/);
    expect(String(limited.headers['set-cookie'] ?? '')).not.toContain('wcag_session=');
    expect(limited.text).toContain(`value="${csrf}"`);
    // Counted with the API's abuse refusals (/api/monitoring/safety); written in the background.
    await eventually(async () => ((await abuseLimited()) > countedBefore ? true : undefined), 10_000);
    // Another address is not affected.
    await agent.post('/login').set({ 'X-Forwarded-For': '203.0.113.78' }).type('form').send({ apiKey: ADMIN_KEY, _csrf: csrf }).expect(303);
  });

  it("shows a client its site audits, their report and exports; another client's are 404", async () => {
    const { agent: a } = await sessionOf(acmeKey);
    const { agent: b } = await sessionOf(globexKey);
    const list = await a.get('/audits').expect(200);
    expect(list.text).toContain(`href="/audits/${auditId}"`);
    expect((await b.get('/audits').expect(200)).text).not.toContain(auditId);
    const page = (await a.get(`/audits/${auditId}`).expect(200)).text;
    expect(page).toContain('<h2 id="h-score">Site score</h2>');
    expect(page).toContain('<caption>Failing elements by impact</caption>');
    expect(page).toMatch(/on \d+ of 3 pages/);
    expect(page).not.toContain('data-live');
    const live = (await a.get(`/audits/${auditId}/live`).expect(200)).body;
    expect(live).toMatchObject({ final: true, summary: expect.stringContaining('Audit completed') });

    const csv = await a
      .get(`/audits/${auditId}/report.csv`)
      .expect(200)
      .expect('content-type', /text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('impact,rule,wcag,where,pages,of pages,elements,help,help url,example page');
    const json = (await a.get(`/audits/${auditId}/report.json`).expect(200)).body;
    expect(json.pages.scanned).toBe(3);
    expect(json.issues.length).toBeGreaterThan(0);
    // EARL as for a scan: one graph, the assertor once, every scanned page a subject with its failed assertions.
    const earl = JSON.parse(
      (
        await a
          .get(`/audits/${auditId}/report.earl.jsonld`)
          .expect(200)
          .expect('content-type', /ld\+json/)
      ).text,
    );
    const nodes = earl['@graph'] as Array<Record<string, unknown>>;
    expect(nodes.filter((n) => n['@id'] === '_:platform')).toHaveLength(1);
    const subjects = nodes.filter((n) => Array.isArray(n['@type']) && (n['@type'] as string[]).includes('earl:TestSubject'));
    expect(subjects).toHaveLength(3);
    const failed = nodes.filter(
      (n) => (n['earl:result'] as { 'earl:outcome'?: { '@id': string } })?.['earl:outcome']?.['@id'] === 'earl:failed',
    );
    expect(failed.length).toBeGreaterThanOrEqual(json.issues.length);
    const apiEarl = await request(stack.app).get(`/api/audits/${auditId}/report.earl.jsonld`).set(bearer(acmeKey)).expect(200);
    expect(JSON.parse(apiEarl.text)['@graph']).toHaveLength(nodes.length);
    await request(stack.app).get(`/api/audits/${auditId}/report.earl.jsonld`).set(bearer(globexKey)).expect(404);
    for (const path of [
      `/audits/${auditId}/report.earl.jsonld`,
      `/audits/${auditId}`,
      `/audits/${auditId}/report.csv`,
      `/audits/${auditId}/report.json`,
      `/audits/${auditId}/report.pdf`,
    ]) {
      await b.get(path).expect(404);
    }

    // The prospect page lists its audits, latest first, with the Start audit form prefilled.
    const prospect = (await a.get(`/prospects/${prospectId}`).expect(200)).text;
    expect(prospect).toContain(`href="/audits/${auditId}"`);
    expect(prospect).toContain(`action="/prospects/${prospectId}/audits"`);
    expect(prospect).toContain(`value="${site.url('/violations.html')}"`);
  });

  it('starts an audit from the prospect page, showing a refusal in the form', async () => {
    const { agent, csrf } = await sessionOf(acmeKey);
    await agent
      .post(`/prospects/${prospectId}/audits`)
      .type('form')
      .send({ url: `${auditSite.origin}/`, maxPages: '1' })
      .expect(403);
    const refused = await agent
      .post(`/prospects/${prospectId}/audits`)
      .type('form')
      .send({ _csrf: csrf, url: 'ftp://example.com/', maxPages: '1' })
      .expect(400);
    expect(refused.text).toMatch(/role="alert" id="audit-error">The audit was not started\. [^<]*url/);
    expect(refused.text).toMatch(/id="audit-url"[^>]*value="ftp:\/\/example.com\/" aria-invalid="true"/);
    const tooMany = await agent
      .post(`/prospects/${prospectId}/audits`)
      .type('form')
      .send({ _csrf: csrf, url: `${auditSite.origin}/`, maxPages: String(stack.env.AUDIT_MAX_PAGES + 1) })
      .expect(400);
    expect(tooMany.text).toMatch(/name="maxPages"[^>]*aria-invalid="true"/);

    const started = await agent
      .post(`/prospects/${prospectId}/audits`)
      .type('form')
      .send({ _csrf: csrf, url: `${auditSite.origin}/`, maxPages: '1' })
      .expect(303);
    const id = /^\/audits\/([0-9a-f-]{36})$/.exec(started.headers.location)![1];
    const row = await stack.prisma.audit.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ clientId: acme, prospectId });
    expect((await auditToEnd(id)).status).toBe('completed');
  }, 200_000);

  it('exports the site report as a tagged PDF (API key and session), 409 while an audit has no report', async () => {
    const res = await request(stack.app)
      .get(`/api/audits/${auditId}/report.pdf`)
      .set(bearer(acmeKey))
      .buffer(true)
      .parse(bytes)
      .expect(200)
      .expect('content-type', 'application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="audit-${auditId}.pdf"`);
    const pdf = (res.body as Buffer).toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    // Tagged: a structure tree and the "marked" flag; the outline (from the headings) and the title are plain text.
    expect(pdf).toContain('/StructTreeRoot');
    expect(pdf).toContain('/MarkInfo');
    expect(pdf).toContain(`/Title (Site audit of ${new URL(auditSite.origin).host})`);
    expect(pdf).toContain('/Title (Site score)');
    expect(pdf).toContain('/Title (Issues, grouped where they are fixed)');
    await request(stack.app).get(`/api/audits/${auditId}/report.pdf`).set(bearer(globexKey)).expect(404);

    const { agent } = await sessionOf(acmeKey);
    const viaUi = await agent.get(`/audits/${auditId}/report.pdf`).buffer(true).parse(bytes).expect(200);
    expect((viaUi.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    // No report yet: a queued audit row of acme's (no workflow needed to answer).
    const pending = randomUUID();
    await stack.prisma.audit.create({
      data: {
        id: pending,
        workflowId: `audit-${pending}`,
        clientId: acme,
        submittedBy: 'test',
        startUrl: `${auditSite.origin}/`,
        siteHosts: ['127.0.0.1'],
        options: {},
        queue: 'low',
        priority: 5,
        status: 'queued',
      },
    });
    const conflict = await request(stack.app).get(`/api/audits/${pending}/report.pdf`).set(bearer(acmeKey)).expect(409);
    expect(conflict.body.error).toBe('conflict');
  }, 120_000);

  it('works with the keyboard alone, updates live, and has no WCAG 2.2 AA violations on any page', async () => {
    const page = await browser.newPage();
    await page.setBypassCSP(true); // our axe injection, as the scanner does; the pages' own CSP stays in the headers
    await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
    await page.goto(`${base}/login`);
    await expectAccessible(page, 'login');

    // Skip link first, visibly focused; it moves focus to the main content; then the key field.
    const skip = await tabTo(page, () => true, 1);
    expect(skip.text).toBe('Skip to main content');
    expect(skip.outline).toMatch(/^solid [1-9]/);
    await page.keyboard.press('Enter');
    expect((await focused(page)).id).toBe('main');
    const field = await tabTo(page, (f) => f.id === 'api-key');
    expect(field.outline).toMatch(/^solid [1-9]/);
    await page.keyboard.type(ADMIN_KEY);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(await page.content()).not.toContain(ADMIN_KEY);
    // The published telemetry: the test's worker and its browser are live (not "critical: no worker").
    const health = await page.$eval('ul.health', (u) => u.textContent?.replace(/\s+/g, ' ') ?? '');
    expect(health).toMatch(/(healthy|warning) Browsers:/);
    expect(health).toMatch(/healthy Workers:/);
    await expectAccessible(page, 'dashboard');

    // A scan that never loads shows up in the open dashboard without a reload…
    const hung = (
      await request(stack.app)
        .post('/api/scans')
        .set(adminAuth)
        .send({ clientId: acme, url: site.url('/hang') })
        .expect(202)
    ).body.scanId;
    await page.waitForFunction(
      (url) => document.querySelector('[data-region="active"]')?.textContent?.includes(url),
      { timeout: 60_000 },
      site.url('/hang'),
    );
    await page.waitForFunction(() => /active scan/.test(document.getElementById('live-status')?.textContent ?? ''));
    await expectAccessible(page, 'dashboard-live');
    // …and is cancelled from the keyboard.
    const cancel = await tabTo(page, (f) => f.text.startsWith('Cancel') && f.text.includes('/hang'), 200);
    expect(cancel.outline).toMatch(/^solid [1-9]/);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await page.$eval('[role="status"]', (el) => el.textContent)).toContain('Cancellation requested');
    expect((await waitForTerminal(stack.app, hung)).status).toBe('cancelled');

    await page.goto(`${base}/failed`);
    await expectAccessible(page, 'failed');
    await tabTo(page, (f) => f.text.startsWith('Retry') && f.text.includes('/gone.html'), 200);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await page.$eval('[role="status"]', (el) => el.textContent)).toMatch(/Retry queued as scan [0-9a-f-]{36}/);

    await page.goto(`${base}/scans/${scanId}`);
    expect(await page.$$eval('.shot rect.box', (r) => r.length)).toBeGreaterThan(0);
    expect(await page.$eval('main', (m) => m.textContent)).toContain('Success criterion 1.1.1');
    await expectAccessible(page, 'scan-report');

    await page.goto(`${base}/prospects/${prospectId}`);
    const text = await page.$eval('main', (m) => m.textContent ?? '');
    expect(text).toMatch(/1 new/);
    expect(text).toMatch(/1 fixed/);
    await expectAccessible(page, 'prospect-history');

    await page.goto(`${base}/prospects/${prospectId}/compare?a=${previousId}&b=${scanId}`);
    await expectAccessible(page, 'compare');

    await page.goto(`${base}/audits`);
    await expectAccessible(page, 'audits');
    await page.goto(`${base}/audits/${auditId}`);
    expect(await page.$eval('main', (m) => m.textContent ?? '')).toContain('Issues, grouped where they are fixed');
    await expectAccessible(page, 'audit-report');

    // An audit whose first page never loads: its page shows live progress and cancels from the keyboard.
    const hangingAudit = (
      await request(stack.app)
        .post('/api/audits')
        .set(adminAuth)
        .send({ clientId: acme, url: site.url('/hang'), maxPages: 3, sitemap: 'off' })
        .expect(202)
    ).body.auditId;
    await page.goto(`${base}/audits/${hangingAudit}`);
    expect(await page.$eval('#live-status', (el) => el.getAttribute('aria-live'))).toBe('polite');
    await page.waitForFunction(() => /\b1 scanning\b/.test(document.getElementById('live-status')?.textContent ?? ''), { timeout: 60_000 });
    expect(await page.$eval('[data-region="progress"]', (el) => el.textContent?.replace(/\s+/g, ' ') ?? '')).toMatch(/Scanning\s*1\b/);
    await expectAccessible(page, 'audit-live');
    await request(stack.app).get(`/api/audits/${hangingAudit}/report.pdf`).set(adminAuth).expect(409);
    const cancelAudit = await tabTo(page, (f) => f.text === 'Cancel this audit', 200);
    expect(cancelAudit.outline).toMatch(/^solid [1-9]/);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(await page.$eval('[role="status"]', (el) => el.textContent)).toContain('Cancellation requested');
    expect((await auditToEnd(hangingAudit)).status).toBe('cancelled');

    await page.goto(`${base}/dashboard?range=30d`);
    await expectAccessible(page, 'dashboard-30d');
    await (await page.$('#history'))!.screenshot({ path: join(ARTIFACTS, 'dashboard-charts.png') as `${string}.png` });
    expect(await page.$$eval('#history svg[role="img"]', (s) => s.length)).toBe(5);
    // Memory per worker comes from the stored health reports: both seeded workers, with their data table.
    const memory = await page.$eval('#history svg[aria-label^="Memory per worker"]', (s) => s.getAttribute('aria-label'));
    expect(memory).toMatch(/2 workers, peak 4\d\d MB/);
    const memoryTable = await page.$eval('#history figure:has(svg[aria-label^="Memory per worker"]) table', (t) => t.textContent ?? '');
    expect(memoryTable).toContain('ui-test-worker-a');
    expect(memoryTable).toContain('ui-test-worker-b');
    await page.close();
  }, 240_000);

  const abuseLimited = async () =>
    (
      await stack.prisma.$queryRaw<
        Array<{ n: number }>
      >`SELECT coalesce(sum(count), 0)::int AS n FROM safety_rejections WHERE reason = 'abuse_limited'`
    )[0].n;

  /** A day of health reports (one per 5 min) with two running workers' memory and a lost one's (as the check stores them). */
  async function seedHealthSnapshots(s: Stack) {
    await s.prisma.$executeRaw`
      INSERT INTO health_snapshots (task_queue_prefix, status, trigger, report, created_at)
      SELECT ${s.prefix}, 'healthy', 'schedule', jsonb_build_object('workers', jsonb_build_array(
          jsonb_build_object('identity', 'ui-test-worker-a', 'state', 'running',
            'browser', jsonb_build_object('chromiumMemoryMb', jsonb_build_object('pss', 250 + (g * 7) % 40, 'rss', 400)), 'process', jsonb_build_object('rssMb', 150)),
          jsonb_build_object('identity', 'ui-test-worker-b', 'state', 'running',
            'browser', jsonb_build_object('chromiumMemoryMb', jsonb_build_object('pss', 200, 'rss', 300)), 'process', jsonb_build_object('rssMb', 120)),
          jsonb_build_object('identity', 'ui-test-worker-gone', 'state', 'lost',
            'browser', jsonb_build_object('chromiumMemoryMb', jsonb_build_object('pss', 900, 'rss', 900)), 'process', jsonb_build_object('rssMb', 900)))),
        now() - g * interval '5 minutes'
      FROM generate_series(0, 299) g`;
  }

  /** 10,000 finished scans over 30 days for another client: the pages must still render from bounded queries. */
  async function seedHistory(s: Stack) {
    await s.prisma.$executeRaw`
      INSERT INTO scans (id, workflow_id, url, target_host, client_id, queue, priority, status, stage, attempts, score,
        failure_reason, created_at, started_at, finished_at, duration_ms)
      SELECT gen_random_uuid(), 'scan-hist-' || g, 'https://history.example/p/' || g, 'history.example', 'history', 'low', 5,
        (CASE WHEN g % 9 = 0 THEN 'failed' ELSE 'completed' END)::"ScanStatus", 'done', 1,
        CASE WHEN g % 9 = 0 THEN NULL ELSE 50 + g % 50 END,
        CASE WHEN g % 9 = 0 THEN (ARRAY['timeout','navigation','http_error','crash'])[1 + g % 4] END,
        now() - (g * interval '259 seconds') - interval '5 seconds', now() - (g * interval '259 seconds'),
        now() - (g * interval '259 seconds') + interval '4 seconds', 3000 + (g * 37) % 9000
      FROM generate_series(1, 10000) g`;
  }
});
