import type { SiteIssue, SiteReport } from '../../../audits/site-report';
import {
  auditListPage,
  auditPage,
  auditProgressRegion,
  auditSummary,
  printableAuditPage,
  prospectAuditsSection,
  type AuditView,
} from './audits';

const ID = '0b6d1c1e-5b1e-4a53-9d5e-8f0a3c2b1a00';
const PREV = '1c7e2d2f-6c2f-4b64-8e6f-9a1b4d3c2b11';
const SCAN = '2d8f3e3a-7d3a-4c75-9f7a-ab2c5e4d3c22';
const admin = { principal: { kind: 'admin' as const }, csrfToken: 'tok' };

const issue = (over: Partial<SiteIssue> = {}): SiteIssue => ({
  fingerprint: 'image-alt|header img|abc',
  ruleId: 'image-alt',
  impact: 'critical',
  help: 'Images must have alternative text',
  helpUrl: 'https://dequeuniversity.com/rules/axe/4.10/image-alt',
  wcag: ['1.1.1'],
  selector: 'header > a > img',
  html: '<img src="/logo.png">',
  region: 'header',
  pages: 287,
  ofPages: 300,
  elements: 287,
  scope: 'site-wide',
  where: 'in the shared header, on 287 of 300 pages',
  templates: ['t1', 't2'],
  examplePages: ['https://shop.example/', 'https://shop.example/p/1'],
  ...over,
});

const report = (over: Partial<SiteReport> = {}): SiteReport => ({
  score: 72,
  pages: { discovered: 310, scanned: 300, failed: 0, skipped: 10, skippedByReason: { max_pages: 8, robots: 2 } },
  totals: {
    byImpact: { critical: 287, serious: 12, moderate: 0, minor: 1 },
    byCriterion: [{ criterion: '1.1.1', elements: 287, pages: 287, issues: 1 }],
  },
  templates: [{ id: 't1', label: '/p/*', pages: 290, scanned: 290, sampledOut: 0 }],
  issues: [issue(), issue({ fingerprint: 'label|x', ruleId: 'label', impact: 'serious', where: 'on 1 page', scope: 'page', pages: 1 })],
  pageTable: [
    {
      url: 'https://shop.example/',
      status: 'scanned',
      score: 70,
      counts: { critical: 1, serious: 0, moderate: 0, minor: 0 },
      template: '/',
      scanId: SCAN,
      reason: null,
    },
    { url: 'https://shop.example/private', status: 'skipped', score: null, counts: null, template: null, scanId: null, reason: 'robots' },
  ],
  sampling: null,
  comparison: null,
  ...over,
});

const audit = (over: Partial<AuditView> = {}): AuditView =>
  ({
    auditId: ID,
    workflowId: `audit-${ID}`,
    status: 'completed',
    url: 'https://shop.example/',
    clientId: 'acme',
    prospectId: null,
    queue: 'low',
    priority: 5,
    options: {},
    progress: {
      discovered: 310,
      queued: 0,
      scanning: 0,
      scanned: 300,
      failed: 0,
      skipped: 10,
      skippedByReason: { max_pages: 8, robots: 2 },
    },
    discovery: {
      robots: { url: 'https://shop.example/robots.txt', found: true, respected: true, crawlDelayMs: null, sitemaps: [] },
      sitemaps: [{ url: 'https://shop.example/sitemap.xml', entries: 300 }],
      sitemapEntries: 300,
      notes: ['the sitemap entry limit was reached'],
    },
    failureReason: null,
    failureMessage: null,
    createdAt: new Date('2026-12-01T10:00:00Z'),
    startedAt: new Date('2026-12-01T10:00:01Z'),
    finishedAt: new Date('2026-12-01T10:20:00Z'),
    report: report(),
    ...over,
  }) as AuditView;

describe('audit page', () => {
  it('shows the site report: score, totals, grouped issues with where and help links, pages linking to their scans', () => {
    const page = auditPage(audit(), admin);
    expect(page).toContain('<strong>72</strong> / 100');
    expect(page).toContain('<caption>Failing elements by impact</caption>');
    expect(page).toContain('<caption>Findings by WCAG success criterion</caption>');
    expect(page).toContain('<caption>Issues</caption>');
    expect(page).toContain('in the shared header, on 287 of 300 pages');
    expect(page).toContain('href="https://dequeuniversity.com/rules/axe/4.10/image-alt"');
    expect(page).toContain(`href="/scans/${SCAN}"`);
    expect(page).toContain('disallowed by robots.txt');
    expect(page).toContain('Limit reached: 8 pages over the page limit (maxPages).');
    expect(page).toContain('the sitemap entry limit was reached');
    expect(page).toContain(`href="/audits/${ID}/report.pdf"`);
    expect(page).toContain(`href="/audits/${ID}/report.csv"`);
    // Finished: no live updates, no script, no cancel button.
    expect(page).not.toContain('data-live');
    expect(page).not.toContain('ui.js');
    expect(page).not.toContain('Cancel this audit');
  });

  it('escapes what the crawled site controls', () => {
    const page = auditPage(
      audit({
        report: report({ issues: [issue({ selector: '<script>alert(1)</script>', examplePages: ['https://x.example/"><img src=x>'] })] }),
      }),
      admin,
    );
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('"><img src=x>');
  });

  it('says when figures are extrapolated by sampling, and compares with the previous audit', () => {
    const page = auditPage(
      audit({
        report: report({
          sampling: { perTemplate: 3, extrapolated: true },
          issues: [issue({ estimatedPages: 280, pages: 3, ofPages: 9 })],
          comparison: { previousAuditId: PREV, new: [issue({ ruleId: 'label' })], fixed: [], open: [issue()] },
        }),
      }),
      admin,
    );
    expect(page).toContain('at most 3 pages per template were scanned');
    expect(page).toContain('3 of 9 (about 280 estimated)');
    expect(page).toContain('1 new</span>');
    expect(page).toContain('0 fixed</span>');
    expect(page).toContain(`href="/audits/${PREV}"`);
  });

  it('while running: live progress in a polite status region, a refreshable region and a cancel form with the CSRF token', () => {
    const running = audit({
      status: 'running',
      report: null,
      progress: { discovered: 12, queued: 5, scanning: 2, scanned: 4, failed: 1, skipped: 0, skippedByReason: {} },
    });
    const page = auditPage(running, admin);
    expect(page).toContain(`data-live="/audits/${ID}/live"`);
    expect(page).toMatch(
      /<p id="live-status" role="status" aria-live="polite">Audit running: 4 of 12 discovered pages scanned, 1 failed, 0 skipped, 2 scanning, 5 queued\.<\/p>/,
    );
    expect(page).toContain('<div data-region="progress">');
    expect(page).toContain('/ui/assets/ui.js');
    const region = auditProgressRegion(running, 'tok');
    expect(region).toContain(`action="/audits/${ID}/cancel"`);
    expect(region).toContain('name="_csrf" value="tok"');
    expect(region).toContain('5 of 12 pages to scan done');
  });

  it('once finished, the live region links to the report and the summary says so', () => {
    expect(auditSummary(audit())).toBe(
      'Audit completed: 300 of 310 discovered pages scanned, 0 failed, 10 skipped. The site report is ready.',
    );
    expect(auditProgressRegion(audit(), 'tok')).toContain(`<a href="/audits/${ID}">Show the site report</a>`);
  });
});

describe('printable audit page (the PDF)', () => {
  const a = audit({ comparison: null } as Partial<AuditView>);
  const page = printableAuditPage(
    { ...a, report: report({ comparison: { previousAuditId: PREV, new: [], fixed: [], open: [issue()] } }) },
    'h1{color:red}',
  );

  it('is a self-contained document: lang, title, inlined CSS, a CSP that allows no request, no script, form or nav', () => {
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain('<title>Site audit of shop.example</title>');
    expect(page).toContain('<style>h1{color:red}</style>');
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    for (const absent of ['<script', '<form', '<nav', 'rel="stylesheet"', '<details', 'href="/']) expect(page).not.toContain(absent);
  });

  it('has the same report sections as the page', () => {
    expect(page).toContain('<h2 id="h-score">Site score</h2>');
    expect(page).toContain('in the shared header, on 287 of 300 pages');
    expect(page).toContain('<caption>Still open since the previous audit</caption>');
  });
});

describe('audit lists', () => {
  const item = {
    auditId: ID,
    url: 'https://shop.example/',
    workflowId: `audit-${ID}`,
    status: 'running',
    clientId: 'acme',
    prospectId: null,
    createdAt: new Date('2026-12-01T10:00:00Z'),
    startedAt: null,
    finishedAt: null,
    progress: { discovered: 10, queued: 4, scanning: 2, scanned: 3, failed: 1, skipped: 0, skippedByReason: {} },
  };

  it('lists audits with status, progress and a filter by client for operators, and pages on', () => {
    const page = auditListPage({ audits: [item], next: 'abc' }, { clientId: 'acme' }, admin);
    expect(page).toContain('<caption>Site audits, newest first</caption>');
    expect(page).toContain('3 of 10 scanned, 1 failed');
    expect(page).toContain('id="f-client"');
    expect(page).toContain('href="/audits?clientId=acme&amp;cursor=abc"');
    expect(page).toContain('href="/audits" aria-current="page"');
    const client = auditListPage({ audits: [item], next: null }, {}, { principal: { kind: 'client', clientId: 'acme' } as never });
    expect(client).not.toContain('id="f-client"');
  });

  it("the prospect's section: its audits and a start form that shows a refusal on the fields it names", () => {
    const ok = prospectAuditsSection('p1', [item], { url: 'https://shop.example/' }, 'tok', 100).value;
    expect(ok).toContain('action="/prospects/p1/audits"');
    expect(ok).toContain('value="https://shop.example/"');
    expect(ok).toContain('name="maxPages" type="number" min="1" inputmode="numeric" value="100"');
    expect(ok).not.toContain('aria-invalid');
    const refused = prospectAuditsSection(
      'p1',
      [],
      { url: 'x', maxPages: '5000', error: 'maxPages: too many', fields: ['maxPages'] },
      'tok',
      100,
    ).value;
    expect(refused).toContain('role="alert" id="audit-error">maxPages: too many</div>');
    expect(refused).toMatch(/name="maxPages"[^>]*value="5000" aria-invalid="true" aria-describedby="audit-error"/);
    expect(refused).toContain('No site audit yet.');
  });
});
