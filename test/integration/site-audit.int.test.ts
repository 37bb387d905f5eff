// Site audits end to end: one POST /api/audits on a generated site (test/support/fixture-site.ts) served from
// 127.0.0.1, real workers, Chromium, Temporal and Postgres, under the strict target rules (only 127.0.0.1 allowed).
import request from 'supertest';
import { eventually, useStack, type Stack } from '../support/stack';
import { adminAuth, TERMINAL_STATUSES } from '../support/scan-client';
import { PLANTED, startFixtureSite, type FixtureSite } from '../support/fixture-site';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const stack = useStack({ env: { SCAN_ALLOW_PRIVATE_TARGETS: 'false', SCAN_ALLOWED_HOSTS: '127.0.0.1' } });

async function submitAudit(s: Stack, body: Body): Promise<string> {
  const res = await request(s.app)
    .post('/api/audits')
    .set(adminAuth)
    .send({ clientId: 'audit-tests', ...body })
    .expect(202);
  expect(res.headers.location).toBe(`/api/audits/${res.body.auditId}`);
  return res.body.auditId as string;
}

async function auditToEnd(s: Stack, auditId: string, timeoutMs = 420_000): Promise<Body> {
  return eventually(
    async () => {
      const r = await request(s.app).get(`/api/audits/${auditId}`).set(adminAuth).expect(200);
      return TERMINAL_STATUSES.includes(r.body.status) ? (r.body as Body) : undefined;
    },
    timeoutMs,
    1_000,
  );
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

async function pagesOf(s: Stack, auditId: string) {
  return s.prisma.auditPage.findMany({ where: { auditId }, orderBy: { id: 'asc' } });
}

describe('a 100-page site audited from one POST /api/audits', () => {
  let site: FixtureSite;
  let full: Body;
  let fullId: string;

  beforeAll(async () => {
    site = await startFixtureSite({ pages: 100 });
    fullId = await submitAudit(stack(), { url: `${site.origin}/`, maxPages: 500, maxPerPattern: 500, politeness: { concurrency: 2 } });
    full = await auditToEnd(stack(), fullId);
    if (process.env.DEBUG_AUDIT)
      console.log(
        JSON.stringify({ ...full, report: undefined }, null, 1),
        JSON.stringify(await pagesOf(stack(), fullId), (_k, v) => (typeof v === 'bigint' ? String(v) : v)).slice(0, 3000),
      );
  }, 600_000);
  afterAll(() => site?.close());

  it('scans exactly the pages the site has within the limits, each once', async () => {
    expect(full.status).toBe('completed');
    const pages = await pagesOf(stack(), fullId);
    const scanned = pages.filter((p) => p.status === 'scanned').map((p) => pathOf(p.url));
    expect(scanned.sort()).toEqual(site.expectedUrls().map(pathOf).sort());
    // Each scanned page was requested once (no attempt was cut off here) and has one scan row.
    const requestsOf = (p: string) => site.requests.filter((r: { path: string }) => r.path === p).length;
    const twice = scanned.filter((p) => requestsOf(p) !== 1);
    expect(twice).toEqual([]);
    const scans = await stack().prisma.scan.groupBy({ by: ['url'], where: { auditId: fullId }, _count: { _all: true } });
    expect(scans.filter((g) => g._count._all > 1)).toEqual([]);
    expect(full.progress).toMatchObject({ scanned: scanned.length, queued: 0, scanning: 0, failed: 0 });
  });

  it('never fetches SSRF bait, robots-disallowed pages, non-HTML by extension, or the off-site redirect target', async () => {
    const pages = await pagesOf(stack(), fullId);
    const reasonOf = (url: string) => pages.find((p) => p.url === url)?.skipReason;
    expect(reasonOf('http://169.254.169.254/latest/meta-data/')).toBe('off_site');
    expect(reasonOf('http://10.0.0.5/admin')).toBe('off_site');
    expect(reasonOf(site.url('/private/secret'))).toBe('robots');
    expect(reasonOf(site.url('/files/brochure.pdf'))).toBe('non_html');
    expect(reasonOf(site.url('/download'))).toBe('non_html'); // only its content type says so
    expect(reasonOf(site.url('/go/partner'))).toBe('off_site_redirect');
    expect(site.hits('/private/secret')).toBe(0);
    expect(site.hits('/files/brochure.pdf')).toBe(0);
    expect(site.requests.filter((r: { host: string }) => r.host.startsWith('localhost'))).toEqual([]);
    // No scan of the audit ever targeted another host, and no page tried to reach one of the bait addresses.
    const hosts = await stack().prisma.scan.groupBy({ by: ['targetHost'], where: { auditId: fullId } });
    expect(hosts.map((h) => h.targetHost)).toEqual(['127.0.0.1']);
    // The egress proxy's record of each page scan: no page of the audit even tried to reach a bait address.
    const results = await stack().prisma.scanResult.findMany({ where: { scan: { auditId: fullId } }, select: { blockedRequests: true } });
    expect(results.length).toBeGreaterThanOrEqual(full.progress.scanned);
    expect(JSON.stringify(results.map((r) => r.blockedRequests))).not.toMatch(/169\.254\.169\.254|10\.0\.0\.5/);
    // Fragments and tracking parameters never make a second page.
    expect(pages.filter((p) => p.url.includes('#') || /[?&]utm_/.test(p.url))).toEqual([]);
    // Discovery read the sitemap index and both gzip sitemaps, and left the bait sitemap alone.
    const files = (full.discovery.sitemaps as Body[]).map((f) => pathOf(f.url));
    expect(files).toEqual(expect.arrayContaining(['/sitemap_index.xml', '/sitemaps/products.xml.gz', '/sitemaps/blog.xml.gz']));
  });

  it('keeps at most politeness.concurrency pages of the site in flight', () => {
    expect(site.maxInFlight).toBeGreaterThanOrEqual(1);
    expect(site.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('reports a shared-header issue once, with the number of pages it is on', () => {
    const report = full.report as Body;
    const scanned = full.progress.scanned as number;
    for (const ruleId of [...PLANTED.shared.header, ...PLANTED.shared.footer]) {
      const rows = (report.issues as Body[]).filter((i) => i.ruleId === ruleId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ scope: 'site-wide', pages: scanned, ofPages: scanned });
    }
    const header = (report.issues as Body[]).find((i) => i.ruleId === 'image-alt');
    expect(header?.where).toMatch(/header/);
    const products = (report.pageTable as Body[]).filter((p) => /\/products\/p-\d+$/.test(p.url) && p.status === 'scanned').length;
    const label = (report.issues as Body[]).filter((i) => i.ruleId === 'label');
    expect(label).toHaveLength(1);
    expect(label[0]).toMatchObject({ scope: 'template', pages: products });
    const about = (report.issues as Body[]).find((i) => i.ruleId === 'button-name');
    expect(about).toMatchObject({ scope: 'page', pages: 1 });
    // Every planted rule is reported, and nothing else.
    const planted = new Set<string>(
      [PLANTED.shared, PLANTED.templates, PLANTED.pages].flatMap((group) => Object.values(group).flat() as string[]),
    );
    expect(new Set((report.issues as Body[]).map((i) => i.ruleId))).toEqual(planted);
  });

  it('sampling finds every distinct issue of the full audit while scanning at most a third of its pages', async () => {
    site.resetStats();
    const sampledId = await submitAudit(stack(), {
      url: `${site.origin}/`,
      maxPages: 500,
      maxPerPattern: 500,
      sampling: { perTemplate: 5 },
      politeness: { concurrency: 2 },
    });
    const sampled = await auditToEnd(stack(), sampledId);
    expect(sampled.status).toBe('completed');
    expect(sampled.progress.scanned).toBeLessThanOrEqual(full.progress.scanned / 3);
    const fingerprints = (r: Body) => new Set((r.report.issues as Body[]).map((i) => i.fingerprint));
    expect(fingerprints(sampled)).toEqual(fingerprints(full));
    expect(sampled.report.sampling).toMatchObject({ perTemplate: 5, extrapolated: true });
    expect(sampled.progress.skippedByReason.sampled_out).toBeGreaterThan(0);
    // Compared with the previous audit of the same site: nothing new, nothing fixed.
    expect(sampled.report.comparison).toMatchObject({ previousAuditId: fullId, new: [], fixed: [] });
  }, 600_000);
});

describe('politeness across audits', () => {
  it('two audits of the same site at once (two clients) share its concurrency: never more pages in flight than that', async () => {
    const site = await startFixtureSite({ pages: 30, delayMs: 400 });
    try {
      const body = { url: `${site.origin}/`, maxPages: 12, politeness: { concurrency: 2 } };
      const [a, b] = await Promise.all([
        submitAudit(stack(), { ...body, clientId: 'audit-tests-a' }),
        submitAudit(stack(), { ...body, clientId: 'audit-tests-b' }),
      ]);
      const [endA, endB] = await Promise.all([auditToEnd(stack(), a), auditToEnd(stack(), b)]);
      expect([endA.status, endB.status]).toEqual(['completed', 'completed']);
      expect([endA.progress.scanned, endB.progress.scanned]).toEqual([12, 12]);
      // Each audit alone keeps 2 in flight (the 100-page audit above reaches 2): together they still keep 2.
      expect(site.maxInFlight).toBeLessThanOrEqual(2);
      // ...and they did run at the same time: their page scans overlap.
      const spans = await stack().prisma.scan.groupBy({
        by: ['auditId'],
        where: { auditId: { in: [a, b] } },
        _min: { startedAt: true },
        _max: { finishedAt: true },
      });
      const [x, y] = spans.map((s) => [s._min.startedAt!.getTime(), s._max.finishedAt!.getTime()]);
      expect(Math.min(x[1], y[1])).toBeGreaterThan(Math.max(x[0], y[0]));
    } finally {
      await site.close();
    }
  }, 300_000);
});

describe('politeness under throttling', () => {
  it('honours Retry-After on a 429: the page is retried after the time the site asked for, then scanned', async () => {
    const site = await startFixtureSite({ pages: 20, throttled: true, delayMs: 20 });
    try {
      const auditId = await submitAudit(stack(), { url: `${site.origin}/`, sitemap: 'off', maxPages: 60 });
      const audit = await auditToEnd(stack(), auditId);
      expect(audit.status).toBe('completed');
      expect(site.throttledPaths.length).toBeGreaterThan(0);
      for (const path of site.throttledPaths) {
        const hits = site.requests.filter((r) => r.path === path);
        const scan = await stack().prisma.scan.findFirst({ where: { auditId, url: site.url(path) }, include: { attemptsLog: true } });
        expect({ path, statuses: hits.map((h) => h.status), scan: scan?.status }).toEqual({
          path,
          statuses: [429, 200],
          scan: 'completed',
        });
        // Retry-After: 1 (the test stack's own retry backoff starts at 200 ms)
        expect(hits[1].time - hits[0].time).toBeGreaterThanOrEqual(1_000);
      }
      const pages = await pagesOf(stack(), auditId);
      expect(pages.filter((p) => site.throttledPaths.includes(pathOf(p.url))).map((p) => p.status)).toEqual(
        site.throttledPaths.map(() => 'scanned'),
      );
    } finally {
      await site.close();
    }
  }, 300_000);
});

describe('cancelling an audit', () => {
  it('ends every page and scan: nothing is left pending, scanning or running', async () => {
    const site = await startFixtureSite({ pages: 60, delayMs: 300 });
    try {
      const auditId = await submitAudit(stack(), { url: `${site.origin}/`, maxPages: 200 });
      await eventually(
        async () => ((await stack().prisma.scan.count({ where: { auditId, status: 'completed' } })) >= 3 ? true : undefined),
        180_000,
      );
      await request(stack().app).post(`/api/audits/${auditId}/cancel`).set(adminAuth).expect(202);
      const audit = await auditToEnd(stack(), auditId);
      expect(audit.status).toBe('cancelled');
      const pages = await pagesOf(stack(), auditId);
      expect(pages.filter((p) => p.status === 'pending' || p.status === 'scanning')).toEqual([]);
      expect(pages.filter((p) => p.skipReason === 'cancelled').length).toBeGreaterThan(0);
      const scans = await stack().prisma.scan.findMany({ where: { auditId }, select: { status: true } });
      expect(scans.filter((s) => !TERMINAL_STATUSES.includes(s.status))).toEqual([]);
      const described = await stack().client.workflow.getHandle(audit.workflowId).describe();
      expect(described.status.name).toBe('CANCELLED');
    } finally {
      await site.close();
    }
  }, 300_000);
});
