import type { ImpactCounts } from '../core/contracts';
import { buildSiteReport, type ReportPageInput, type ReportRuleInput } from './site-report';

const ORIGIN = 'https://shop.example';
const counts: ImpactCounts = { critical: 0, serious: 1, moderate: 0, minor: 0 };

let nextId = 0;
function page(path: string, pattern: string, skeleton: string | null, over: Partial<ReportPageInput> = {}): ReportPageInput {
  const id = `page-${++nextId}`;
  return {
    pageId: id,
    url: `${ORIGIN}${path}`,
    status: 'scanned',
    skipReason: null,
    detail: null,
    depth: 1,
    pattern,
    scanId: over.status && over.status !== 'scanned' ? null : `scan-${id}`,
    score: 80,
    counts,
    skeleton,
    failureReason: null,
    ...over,
  };
}

type Node = [selector: string, html: string, region: string | null];
function rule(p: ReportPageInput, ruleId: string, nodes: Node[], over: Partial<ReportRuleInput> = {}): ReportRuleInput {
  return {
    scanId: p.scanId!,
    kind: 'violation',
    ruleId,
    impact: 'serious',
    wcag: [],
    help: `${ruleId} help`,
    helpUrl: `https://dequeuniversity.com/rules/axe/4.14/${ruleId}`,
    nodeCount: nodes.length,
    nodes: nodes.map(([selector, html, region]) => ({ target: [selector], html, region })),
    ...over,
  };
}

const logo: Node = ['header > a > img', '<img src="/logo.png">', 'header'];
const fine: Node = ['footer > p.fine', '<p class="fine">© 2026 Shop</p>', 'footer'];

/** 6 product pages, 3 blog posts, the home page and /about; shared header and footer issues on every page. */
function site() {
  const products = Array.from({ length: 6 }, (_, i) => page(`/products/p-${i + 1}`, '/products/*', 'sk-product'));
  const posts = ['a', 'b', 'c'].map((slug) => page(`/blog/${slug}`, '/blog/*', 'sk-post'));
  const home = page('/', '/', 'sk-home');
  const about = page('/about', '/about', 'sk-about');
  const scanned = [...products, ...posts, home, about];
  const rules: ReportRuleInput[] = [
    ...scanned.map((p) => rule(p, 'image-alt', [logo], { impact: 'critical', wcag: ['1.1.1'] })),
    ...scanned.map((p) => rule(p, 'color-contrast', [fine], { wcag: ['1.4.3'] })),
    ...products.map((p, i) =>
      rule(p, 'label', [[`main > form > input:nth-child(${i + 2})`, `<input name="qty-${i}">`, 'main']], {
        impact: 'critical',
        wcag: ['4.1.2', '1.3.1'],
      }),
    ),
    ...posts.slice(0, 2).map((p) => rule(p, 'heading-order', [['article > h4', '<h4>Details</h4>', null]], { impact: 'moderate' })),
    rule(about, 'button-name', [['#contact-us', '<button id="contact-us"></button>', 'main']], { impact: 'critical', wcag: ['4.1.2'] }),
    // On two templates but few pages: neither the shared layout nor one template.
    rule(products[0], 'link-name', [['.promo > a', '<a class="promo" href="/sale"></a>', 'main']]),
    rule(posts[0], 'link-name', [['.promo > a', '<a class="promo" href="/sale"></a>', 'main']]),
    // Needs review: not an issue.
    rule(home, 'color-contrast', [['.hero', '<div class="hero">', 'main']], { kind: 'incomplete' }),
  ];
  const others = [
    page('/private/secret', '/private/*', null, { status: 'skipped', skipReason: 'robots' }),
    page('/go/partner', '/go/*', null, { status: 'skipped', skipReason: 'off_site_redirect', detail: 'http://localhost/' }),
    page('/files/brochure.pdf', '/files/*', null, { status: 'skipped', skipReason: 'non_html' }),
    page('/products/p-7', '/products/*', null, { status: 'failed', failureReason: 'Timeout', score: null, counts: null }),
    page('/blog/d', '/blog/*', null, { status: 'pending', score: null, counts: null }),
  ];
  return { products, posts, home, about, scanned, rules, pages: [...others, ...scanned] };
}

describe('buildSiteReport', () => {
  it('reports a shared header issue on every page once, with the right page count', () => {
    const { pages, rules } = site();
    const report = buildSiteReport({ pages, rules });
    const logoIssues = report.issues.filter((i) => i.ruleId === 'image-alt');
    expect(logoIssues).toHaveLength(1);
    expect(logoIssues[0]).toMatchObject({
      pages: 11,
      ofPages: 11,
      elements: 11,
      scope: 'site-wide',
      region: 'header',
      where: 'in the shared header, on 11 of 11 pages',
      selector: 'header > a > img',
      templates: ['/', '/about', '/blog/*', '/products/*'],
    });
    expect(logoIssues[0].examplePages).toHaveLength(5);
    expect(report.issues.find((i) => i.ruleId === 'color-contrast')).toMatchObject({
      scope: 'site-wide',
      where: 'in the shared footer, on 11 of 11 pages',
    });
    expect(report.issues.find((i) => i.estimatedPages !== undefined)).toBeUndefined();
  });

  it('places issues of one template, of one page, and of a few unrelated pages', () => {
    const { pages, rules } = site();
    const { issues } = buildSiteReport({ pages, rules });
    expect(issues.find((i) => i.ruleId === 'label')).toMatchObject({
      pages: 6,
      elements: 6,
      scope: 'template',
      templates: ['/products/*'],
      where: 'in the main content of every /products/* page (6 of 6)',
    });
    expect(issues.find((i) => i.ruleId === 'heading-order')).toMatchObject({
      pages: 2,
      scope: 'template',
      region: null,
      where: 'on 2 of 3 /blog/* pages',
    });
    expect(issues.find((i) => i.ruleId === 'button-name')).toMatchObject({
      pages: 1,
      scope: 'page',
      where: 'in the main content, on /about only',
      examplePages: [`${ORIGIN}/about`],
    });
    expect(issues.find((i) => i.ruleId === 'link-name')).toMatchObject({
      pages: 2,
      scope: 'page',
      where: 'on 2 of 11 pages, across 2 templates',
    });
    // Impact first, then the most pages.
    expect(issues.map((i) => i.ruleId)).toEqual(['image-alt', 'label', 'button-name', 'color-contrast', 'link-name', 'heading-order']);
  });

  it('groups pages into templates by skeleton and labels them by their most common URL pattern', () => {
    const { pages, rules, products } = site();
    // One product page was served under another URL shape: still the product template.
    products[5].pattern = '/p/*';
    const report = buildSiteReport({ pages, rules });
    expect(report.templates).toEqual([
      { id: 'sk-product', label: '/products/*', pages: 7, scanned: 6, sampledOut: 0 },
      { id: 'sk-post', label: '/blog/*', pages: 3, scanned: 3, sampledOut: 0 },
      { id: 'sk-home', label: '/', pages: 1, scanned: 1, sampledOut: 0 },
      { id: 'sk-about', label: '/about', pages: 1, scanned: 1, sampledOut: 0 },
    ]);
    // Pages without a skeleton are grouped by URL pattern.
    const bare = buildSiteReport({ pages: [page('/x/1', '/x/*', null), page('/x/2', '/x/*', null)], rules: [] });
    expect(bare.templates).toEqual([{ id: 'pattern:/x/*', label: '/x/*', pages: 2, scanned: 2, sampledOut: 0 }]);
  });

  it('totals elements by impact and by WCAG success criterion', () => {
    const { pages, rules, about } = site();
    rules.push(
      rule(about, 'image-alt', [['main img', '<img src="/team.jpg">', 'main']], { impact: 'critical', wcag: ['1.1.1'], nodeCount: 4 }),
    );
    const { totals } = buildSiteReport({ pages, rules });
    expect(totals.byImpact).toEqual({ critical: 11 + 4 + 6 + 1, serious: 11 + 2, moderate: 2, minor: 0 });
    expect(totals.byCriterion).toEqual([
      { criterion: '1.1.1', elements: 15, pages: 11, issues: 2 },
      { criterion: '1.3.1', elements: 6, pages: 6, issues: 1 },
      { criterion: '1.4.3', elements: 11, pages: 11, issues: 1 },
      { criterion: '4.1.2', elements: 7, pages: 7, issues: 2 },
    ]);
  });

  it('scores the mean of scanned pages and counts pages by status and skip reason', () => {
    const { pages, rules, home } = site();
    home.score = 58;
    const report = buildSiteReport({ pages, rules });
    expect(report.score).toBe(Math.round((10 * 80 + 58) / 11));
    expect(report.pages).toEqual({
      discovered: 16,
      scanned: 11,
      failed: 1,
      skipped: 3,
      skippedByReason: { robots: 1, off_site_redirect: 1, non_html: 1 },
    });
    expect(buildSiteReport({ pages: [page('/', '/', null, { status: 'pending', score: null })], rules: [] }).score).toBeNull();
  });

  it('lists every page by status then URL, with its template and reason', () => {
    const { pages, rules } = site();
    const table = buildSiteReport({ pages, rules }).pageTable;
    expect(table.map((r) => [r.status, r.url.slice(ORIGIN.length)])).toEqual([
      ['scanned', '/'],
      ['scanned', '/about'],
      ['scanned', '/blog/a'],
      ['scanned', '/blog/b'],
      ['scanned', '/blog/c'],
      ...[1, 2, 3, 4, 5, 6].map((n) => ['scanned', `/products/p-${n}`]),
      ['pending', '/blog/d'],
      ['failed', '/products/p-7'],
      ['skipped', '/files/brochure.pdf'],
      ['skipped', '/go/partner'],
      ['skipped', '/private/secret'],
    ]);
    expect(table.find((r) => r.url.endsWith('/products/p-7'))).toMatchObject({ template: '/products/*', reason: 'Timeout', scanId: null });
    expect(table.find((r) => r.url.endsWith('/go/partner'))).toMatchObject({ template: null, reason: 'off_site_redirect' });
    expect(table[0]).toMatchObject({ template: '/', score: 80, counts, scanId: expect.stringMatching(/^scan-/) });
  });

  it('extrapolates a sampled audit to the pages of each template', () => {
    const products = Array.from({ length: 3 }, (_, i) => page(`/products/p-${i + 1}`, '/products/*', 'sk-product', { score: 50 }));
    const sampledOut = Array.from({ length: 7 }, (_, i) =>
      page(`/products/p-${i + 4}`, '/products/*', null, { status: 'skipped', skipReason: 'sampled_out', score: null, counts: null }),
    );
    const home = page('/', '/', 'sk-home', { score: 100 });
    // A pattern none of whose pages was scanned still counts as a template of its own.
    const tags = [1, 2].map((n) => page(`/tags/${n}`, '/tags/*', null, { status: 'skipped', skipReason: 'sampled_out', score: null }));
    const rules = [
      ...[...products, home].map((p) => rule(p, 'image-alt', [logo], { impact: 'critical' })),
      rule(products[0], 'label', [['#qty', '<input id="qty">', 'main']]),
    ];
    const report = buildSiteReport({ pages: [...products, ...sampledOut, home, ...tags], rules, sampling: { perTemplate: 3 } });
    expect(report.sampling).toEqual({ perTemplate: 3, extrapolated: true });
    expect(report.templates).toEqual([
      { id: 'sk-product', label: '/products/*', pages: 10, scanned: 3, sampledOut: 7 },
      { id: 'pattern:/tags/*', label: '/tags/*', pages: 2, scanned: 0, sampledOut: 2 },
      { id: 'sk-home', label: '/', pages: 1, scanned: 1, sampledOut: 0 },
    ]);
    // Each template's mean, weighted by its size (10 product pages at 50, the home page at 100).
    expect(report.score).toBe(Math.round((50 * 10 + 100) / 11));
    expect(report.issues.find((i) => i.ruleId === 'image-alt')).toMatchObject({
      pages: 4,
      ofPages: 4,
      estimatedPages: 11,
      scope: 'site-wide',
    });
    // Found on 1 of 3 sampled product pages: about a third of the 10.
    expect(report.issues.find((i) => i.ruleId === 'label')).toMatchObject({ pages: 1, estimatedPages: 3, scope: 'page' });
    expect(report.pageTable.find((r) => r.url.endsWith('/products/p-9'))).toMatchObject({ template: '/products/*', reason: 'sampled_out' });
  });

  it('compares with the previous audit by fingerprint: new, fixed and still open', () => {
    const before = site();
    const after = site();
    // Fixed: the /about button. New: a missing lang, on the home page. Still open: everything else; the logo issue
    // matches although the new audit's pages are other rows (fingerprints ignore per-element values).
    const rules = after.rules.filter((r) => r.ruleId !== 'button-name');
    rules.push(rule(after.home, 'html-has-lang', [['html', '<html>', null]]));
    const report = buildSiteReport({
      pages: after.pages,
      rules,
      previous: { auditId: 'audit-1', pages: before.pages, rules: before.rules },
    });
    expect(report.comparison?.previousAuditId).toBe('audit-1');
    expect(report.comparison?.new.map((i) => i.ruleId)).toEqual(['html-has-lang']);
    expect(report.comparison?.fixed.map((i) => i.ruleId)).toEqual(['button-name']);
    expect(report.comparison?.open.map((i) => i.ruleId)).toEqual(['image-alt', 'label', 'color-contrast', 'link-name', 'heading-order']);
    expect(buildSiteReport({ pages: after.pages, rules }).comparison).toBeNull();
  });

  it('ignores rules of scans that are not a scanned page of this audit', () => {
    const p = page('/', '/', 'sk');
    const failed = page('/x', '/x', null, { status: 'failed', scanId: 'scan-failed' });
    const report = buildSiteReport({
      pages: [p, failed],
      rules: [rule(failed, 'image-alt', [logo]), rule({ ...p, scanId: 'scan-elsewhere' }, 'label', [['#q', '<input>', null]])],
    });
    expect(report.issues).toEqual([]);
  });
});
