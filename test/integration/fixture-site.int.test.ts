// The site-audit fixture site answers as designed: robots.txt, gzip sitemaps behind an index, the traps and bait, and
// in real Chromium exactly the planted violations, with pages of one template sharing a DOM skeleton.
import { gunzipSync } from 'node:zlib';
import type { BrowserPool } from '../../activities/browser/browser-pool';
import { runAxe } from '../../activities/browser/run-axe';
import { collectAuditFacts } from '../../audits/page-structure';
import { DEFAULT_WCAG_TAGS } from '../../lib/env';
import { testBrowserPool } from '../support/browser';
import { expectedPages, PLANTED, siteShape, sitemapLocs, useFixtureSite } from '../support/fixture-site';
import { useResource } from '../support/hooks';

const site = useFixtureSite();
const pool = useResource<BrowserPool>(
  'browser pool',
  async () => testBrowserPool(),
  (p) => p.close(),
);

const get = (path: string, init: RequestInit = {}) => fetch(site().url(path), { redirect: 'manual', ...init });

describe('fixture site over HTTP', () => {
  it('serves robots.txt with a Disallow rule and the sitemap index', async () => {
    const res = await get('/robots.txt');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`User-agent: *\nDisallow: /private/\n\nSitemap: ${site().origin}/sitemap_index.xml\n`);
  });

  it('lists two gzip sitemaps and SSRF bait in the index; the sitemaps hold every product and article', async () => {
    const index = sitemapLocs(await (await get('/sitemap_index.xml')).text());
    expect(index).toEqual([
      site().url('/sitemaps/products.xml.gz'),
      site().url('/sitemaps/blog.xml.gz'),
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.5/',
    ]);
    const shape = siteShape();
    const products = await get('/sitemaps/products.xml.gz');
    expect(products.headers.get('content-type')).toBe('application/gzip');
    const productXml = gunzipSync(Buffer.from(await products.arrayBuffer())).toString('utf8');
    expect(productXml).toContain('<lastmod>2026-11-01</lastmod>');
    const productLocs = sitemapLocs(productXml);
    expect(productLocs).toHaveLength(shape.categoryPages + shape.products + 1);
    expect(productLocs).toContain(site().url(`/products/p-${shape.products}`));
    expect(productLocs).toContain('http://169.254.169.254/');
    const blogXml = gunzipSync(Buffer.from(await (await get('/sitemaps/blog.xml.gz')).arrayBuffer())).toString('utf8');
    expect(sitemapLocs(blogXml)).toEqual([site().url('/blog/'), ...shape.articles.map((slug) => site().url(`/blog/${slug}`))]);
  });

  it('answers pages, non-HTML, the off-site redirect and unknown paths as designed', async () => {
    expect((await get('/products/p-7')).headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await get('/download')).headers.get('content-type')).toBe('application/pdf');
    expect((await get('/files/brochure.pdf')).headers.get('content-type')).toBe('application/pdf');
    expect((await get('/img/photo.jpg')).headers.get('content-type')).toBe('image/jpeg');
    const redirect = await get('/go/partner');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`${site().offSiteOrigin}/`);
    expect((await get('/products/p-99999')).status).toBe(404);
    expect((await get('/products/?page=1')).status).toBe(404); // page 1 is /products/ itself
    const home = await (await get('/')).text();
    for (const bait of [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.5/admin',
      '/private/secret',
      '/calendar?month=2026-01',
    ]) {
      expect(home).toContain(`href="${bait}"`);
    }
    expect(home).toContain('utm_source=home&amp;utm_medium=banner#buy');
  });

  it('measures HTML pages in flight and logs every request', async () => {
    site().resetStats();
    await Promise.all([1, 2, 3, 4].map((n) => get(`/products/p-${n}`)));
    expect(site().maxInFlight).toBe(4);
    await get('/robots.txt');
    expect(site().requests.map((r) => [r.method, r.path, r.host, r.status])).toEqual(
      expect.arrayContaining([['GET', '/robots.txt', new URL(site().origin).host, 200]]),
    );
    expect(site().hits('/products/p-1')).toBe(1);
    expect(site().requests).toHaveLength(5);
  });

  it('expects the finite site plus the calendar months within maxDepth', () => {
    const pages = expectedPages();
    expect(pages).toHaveLength(300 + 9);
    expect(pages).not.toContain('/private/secret');
    expect(pages).not.toContain('/download');
    expect(pages.filter((p) => p.startsWith('/calendar'))).toHaveLength(9);
    expect(expectedPages({}, { respectRobots: false })).toContain('/private/secret');
    expect(expectedPages({}, { maxDepth: 1, sitemap: false })).toEqual([
      '/',
      '/about',
      '/blog/',
      '/calendar?month=2026-01',
      '/contact',
      '/products/',
      '/products/p-1',
    ]);
  });
});

describe('throttled fixture site', () => {
  const throttled = useFixtureSite({ pages: 40, throttled: true, delayMs: 0 });

  it('answers the first request of every tenth product with 429 and Retry-After, then 200', async () => {
    expect(throttled().throttledPaths).toEqual(['/products/p-10', '/products/p-20', '/products/p-30']);
    const first = await fetch(throttled().url('/products/p-10'));
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect((await fetch(throttled().url('/products/p-10'))).status).toBe(200);
    expect((await fetch(throttled().url('/products/p-11'))).status).toBe(200);
    expect(throttled().hits('/products/p-10')).toBe(2);
  });
});

describe('fixture site in Chromium', () => {
  async function inspect(path: string) {
    const lease = await pool().acquire();
    try {
      await lease.page.goto(site().url(path), { waitUntil: 'load' });
      const { results } = await runAxe(lease.page, DEFAULT_WCAG_TAGS);
      const nodes = results.violations.flatMap((v) => v.nodes.map((n) => ({ rule: v.id, target: n.target as string[] })));
      const facts = await lease.page.evaluate(
        collectAuditFacts,
        nodes.map((n) => n.target),
        1000,
      );
      const regionOf = (rule: string) => [...new Set(nodes.flatMap((n, i) => (n.rule === rule ? [facts.regions[i]] : [])))];
      return { rules: [...new Set(nodes.map((n) => n.rule))].sort(), skeleton: facts.skeleton, regionOf };
    } finally {
      await lease.release();
    }
  }
  const shared = [...PLANTED.shared.header, ...PLANTED.shared.footer];
  const slug = () => siteShape().articles[0];
  const cases: Array<[string, () => string, readonly string[]]> = [
    ['home', () => '/', []],
    ['about', () => '/about', PLANTED.pages['/about']],
    ['contact', () => '/contact', PLANTED.pages['/contact']],
    ['category', () => '/products/', PLANTED.templates.category],
    ['category page 2', () => '/products/?page=2', PLANTED.templates.category],
    ['product', () => '/products/p-1', PLANTED.templates.product],
    ['product 2', () => '/products/p-2', PLANTED.templates.product],
    ['product 5', () => '/products/p-5', [...PLANTED.templates.product, ...PLANTED.pages['/products/p-5']]],
    ['blog', () => '/blog/', []],
    ['article', () => `/blog/${slug()}`, PLANTED.templates.article],
    ['calendar', () => '/calendar?month=2026-01', []],
  ];
  const seen = new Map<string, string>();

  it.each(cases)('has exactly the planted violations: %s', async (name, path, own) => {
    const { rules, skeleton, regionOf } = await inspect(path());
    expect(rules).toEqual([...new Set([...shared, ...own])].sort());
    // The shared violations sit in the landmarks the site report names.
    for (const rule of PLANTED.shared.header) expect(regionOf(rule)).toEqual(['header']);
    for (const rule of PLANTED.shared.footer) expect(regionOf(rule)).toEqual(['footer']);
    seen.set(name, skeleton);
  });

  it('gives pages of one template one skeleton, and templates different ones', () => {
    expect(seen.get('product 2')).toBe(seen.get('product'));
    expect(seen.get('product 5')).toBe(seen.get('product'));
    expect(seen.get('category page 2')).toBe(seen.get('category'));
    const templates = ['home', 'about', 'contact', 'category', 'product', 'blog', 'article', 'calendar'].map((n) => seen.get(n));
    expect(new Set(templates).size).toBe(templates.length);
  });
});
