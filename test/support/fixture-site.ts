// A generated website for site-audit tests: deterministic, on 127.0.0.1, with templates and planted violations
// (shared header/footer, per template, per page), robots.txt and gzip sitemaps, crawl traps, an off-site redirect,
// SSRF bait, non-HTML links and optional 429 throttling. It measures what the crawler did to it (requests, pages
// in flight at once), and `expectedPages` says which pages an audit must scan, from the same page generator.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { useResource } from './hooks';

export interface FixtureSiteOptions {
  /** Finite HTML pages (the endless calendar aside); products make up the bulk. Default 300, at least 20. */
  pages?: number;
  /** Product pages whose number is divisible by 10 answer their first request with 429 and `Retry-After: 1`. */
  throttled?: boolean;
  /** How long each HTML page response is held, so overlapping requests are measurable. Default 150 ms. */
  delayMs?: number;
}

/** What a test's audit does, for `expectedPages`; the defaults are an audit's (maxPerPattern assumed large enough). */
export interface ExpectedAudit {
  maxDepth?: number;
  /** false: links only (sitemap "off"). */
  sitemap?: boolean;
  respectRobots?: boolean;
}

export interface SiteRequest {
  method: string;
  /** Path and query as requested. */
  path: string;
  host: string;
  time: number;
  status: number;
}

export interface FixtureSite {
  origin: string;
  /** The same server under the name localhost: another host, so off-site for an audit of `origin`. */
  offSiteOrigin: string;
  url(path: string): string;
  requests: SiteRequest[];
  /** Most HTML page requests in flight at once since start (or resetStats). */
  readonly maxInFlight: number;
  /** Requests for `path`: its pathname, or pathname and query when `path` has a query. */
  hits(path: string): number;
  /** Absolute URLs of `expectedPages(opts, audit)` on this server. */
  expectedUrls(audit?: ExpectedAudit): string[];
  /** Product pages that answer 429 first (throttled mode), else []. */
  throttledPaths: string[];
  resetStats(): void;
  close(): Promise<void>;
}

/**
 * The violations planted, by where they are fixed (axe rule ids, WCAG rules only, so default wcagTags find them):
 * every page's header and footer, each template's own, and single pages. No other violation is on the site.
 */
export const PLANTED = {
  shared: {
    /** The logo: an image without alt inside a link that therefore has no name. */
    header: ['image-alt', 'link-name'],
    /** Light grey small print. */
    footer: ['color-contrast'],
  },
  templates: {
    /** /products/p-<n>: quantity input without label, a slider without its value. */
    product: ['label', 'aria-required-attr'],
    /** /products/ and /products/?page=<n>: a div directly in the product list. */
    category: ['list'],
    /** /blog/<slug>: a quote with an invalid lang, a dl with a paragraph in it. */
    article: ['valid-lang', 'definition-list'],
  },
  pages: {
    '/about': ['button-name'],
    '/contact': ['select-name'],
    '/products/p-5': ['input-image-alt'],
  },
} as const;

/** Every template's pattern (audits/url-pattern.ts spelling). */
export const TEMPLATE_PATTERNS = {
  home: '/',
  category: '/products',
  product: '/products/*',
  blogIndex: '/blog',
  article: '/blog/*',
  calendar: '/calendar?month',
} as const;

/** Where the endless calendar starts (linked from the home page). */
export const CALENDAR_START = '2026-01';
const PER_CATEGORY_PAGE = 50;
const DEFAULT_PAGES = 300;
const MIN_PAGES = 20;
const SSRF_LINKS = ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.5/admin'];
const NON_HTML = ['/files/brochure.pdf', '/img/photo.jpg', '/download'];
const TOPICS = [
  'accessible-forms',
  'colour-contrast',
  'headings',
  'alt-text',
  'keyboard',
  'focus',
  'motion',
  'captions',
  'tables',
  'landmarks',
];
// A 1×1 transparent PNG, for the logo.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);

export interface SiteShape {
  products: number;
  articles: string[];
  categoryPages: number;
}

/** How many pages of each kind: 5 one-offs (/, /about, /contact, /products/, /blog/), articles, category pages, products. */
export function siteShape(opts: FixtureSiteOptions = {}): SiteShape {
  const pages = opts.pages ?? DEFAULT_PAGES;
  if (pages < MIN_PAGES) throw new Error(`a fixture site has at least ${MIN_PAGES} pages`);
  const articleCount = Math.max(2, Math.round(pages / 30));
  const rest = pages - 5 - articleCount; // products + extra category pages
  let products = rest;
  while (products + Math.ceil(products / PER_CATEGORY_PAGE) - 1 > rest) products--;
  return {
    products,
    articles: Array.from({ length: articleCount }, (_, i) => `${TOPICS[i % TOPICS.length]}-${i + 1}`),
    categoryPages: Math.ceil(products / PER_CATEGORY_PAGE),
  };
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const link = (href: string, text: string) => `<a href="${escapeAttr(href)}">${text}</a>`;

function monthAfter(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

interface Page {
  title: string;
  main: string;
}

/** The page at `path` + `query`, or null (404). Links use every spelling a real site does: relative, absolute, with fragments and tracking parameters. */
function pageAt(pathname: string, query: URLSearchParams, shape: SiteShape, origin: string): Page | null {
  const productLinks = (from: number, to: number) =>
    Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => `<li>${link(`/products/p-${from + i}`, `Product ${from + i}`)}</li>`).join(
      '',
    );
  if (pathname === '/') {
    return {
      title: 'Home',
      main: `<h1>Fixture shop</h1><p>Everything for accessible websites.</p>
<ul>
<li>${link('/products/p-1?utm_source=home&utm_medium=banner#buy', 'Our best seller')}</li>
<li>${link('about', 'About us')}</li>
<li>${link(`${origin}/contact`, 'Contact')}</li>
<li>${link(`/calendar?month=${CALENDAR_START}`, 'Events')}</li>
<li>${link('/private/secret', 'Staff area')}</li>
<li>${link('/go/partner', 'Our partner')}</li>
<li>${link(SSRF_LINKS[0], 'Server status')}</li>
<li>${link(SSRF_LINKS[1], 'Admin')}</li>
<li>${link('/files/brochure.pdf', 'Brochure (PDF)')}</li>
<li>${link('/img/photo.jpg', 'Photo of the shop')}</li>
<li>${link('/download', 'Download the catalogue')}</li>
</ul>`,
    };
  }
  if (pathname === '/about') {
    return { title: 'About', main: `<h1>About us</h1><p>We sell things.</p><button class="contact-us"></button>` };
  }
  if (pathname === '/contact') {
    return {
      title: 'Contact',
      main: `<h1>Contact</h1><form><p><label for="email">Email</label> <input id="email" type="email"></p><select name="topic"><option>Sales</option><option>Support</option></select> <button type="submit">Send</button></form>`,
    };
  }
  if (pathname === '/products/') {
    const page = query.has('page') ? Number(query.get('page')) : 1;
    if (!Number.isInteger(page) || page < 1 || page > shape.categoryPages || query.get('page') === '1') return null;
    const first = (page - 1) * PER_CATEGORY_PAGE + 1;
    const last = Math.min(shape.products, page * PER_CATEGORY_PAGE);
    const pager = Array.from({ length: shape.categoryPages }, (_, i) =>
      i + 1 === page
        ? `<li aria-current="page">${i + 1}</li>`
        : `<li>${link(i === 0 ? '/products/' : `/products/?page=${i + 1}`, `Page ${i + 1}`)}</li>`,
    ).join('');
    return {
      title: `Products, page ${page}`,
      main: `<h1>Products</h1><ul class="products"><div class="promo">Sale this week</div>${productLinks(first, last)}</ul><nav aria-label="Pages"><ul>${pager}</ul></nav>`,
    };
  }
  const product = /^\/products\/p-(\d+)$/.exec(pathname);
  if (product) {
    const n = Number(product[1]);
    if (n < 1 || n > shape.products || String(n) !== product[1]) return null;
    const related = [
      n < shape.products ? `<li>${link(`p-${n + 1}`, 'Next product')}</li>` : '',
      n > 1 ? `<li>${link(`/products/p-${n - 1}?utm_source=x&utm_medium=y#reviews`, 'Previous product')}</li>` : '',
      `<li>${link('/products/#top', 'All products')}</li>`,
    ].join('');
    // p-5 adds an image button without alt; the form keeps its shape, so the page stays of the product template.
    const buy = `${n === 5 ? '<input type="image" src="/img/logo.png"> ' : ''}<button type="submit">Add to basket</button>`;
    return {
      title: `Product ${n}`,
      main: `<h1>Product ${n}</h1><p>Product ${n} is a fine product${', really'.repeat(n % 4)}.</p>
<form><input type="number" name="qty" value="1"> <div role="slider" tabindex="0" aria-label="Rating"></div> ${buy}</form>
<h2>Related</h2><ul>${related}</ul>`,
    };
  }
  if (pathname === '/blog/') {
    return {
      title: 'Blog',
      main: `<h1>Blog</h1><ul>${shape.articles.map((slug) => `<li>${link(`/blog/${slug}`, slug.replace(/-/g, ' '))}</li>`).join('')}</ul>`,
    };
  }
  const article = /^\/blog\/([a-z0-9-]+)$/.exec(pathname);
  if (article) {
    const i = shape.articles.indexOf(article[1]);
    if (i < 0) return null;
    const next = shape.articles[(i + 1) % shape.articles.length];
    return {
      title: article[1],
      main: `<article><h1>${article[1].replace(/-/g, ' ')}</h1>${'<p>Some thoughts on accessibility.</p>'.repeat(1 + (i % 3))}
<blockquote lang="english"><p>Accessibility is for everyone.</p></blockquote>
<dl><p>Term and definition</p></dl>
<p>${link(`${next}#comments`, 'Next post')} · ${link('../about', 'About the author')} · ${link('/blog/', 'All posts')}</p></article>`,
    };
  }
  if (pathname === '/calendar') {
    const month = query.get('month') ?? '';
    if (!/^\d{4}-\d{2}$/.test(month)) return null;
    return {
      title: `Events ${month}`,
      main: `<h1>Events in ${month}</h1><p>No events.</p><p>${link(`?month=${monthAfter(month, -1)}`, 'Previous month')} ${link(`?month=${monthAfter(month, 1)}`, 'Next month')}</p>`,
    };
  }
  if (pathname === '/private/secret') return { title: 'Staff', main: '<h1>Staff only</h1><p>Robots keep out.</p>' };
  return null;
}

// Targets of at least 24×24 px (WCAG 2.2 target-size): only the planted violations are on the site.
const STYLE = 'a{display:inline-block;min-width:24px;min-height:24px;line-height:24px}input,button,select{min-width:24px;min-height:24px}';

/** The same header and footer on every page, with the shared planted violations. */
function htmlDocument(page: Page, origin: string): string {
  const header = `<header><a href="/" class="logo"><img src="/img/logo.png"></a>
<nav aria-label="Main"><ul><li>${link('/products/#top', 'Products')}</li><li>${link(`${origin}/blog/?utm_source=x&utm_medium=y`, 'Blog')}</li><li>${link('/about', 'About')}</li></ul></nav></header>`;
  const footer = `<footer><p style="color:#c4c4c4;background:#fff">© 2026 Fixture shop. All rights reserved.</p><p>${link(`${origin}/contact#form`, 'Contact us')}</p></footer>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${page.title} · Fixture shop</title><style>${STYLE}</style></head><body>${header}<main>${page.main}</main>${footer}</body></html>`;
}

function sitemaps(shape: SiteShape, origin: string): Record<string, Buffer> {
  const urlset = (entries: string[]) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${entries
      .map((loc) => `<url><loc>${escapeAttr(loc)}</loc><lastmod>2026-11-01</lastmod></url>`)
      .join('\n')}\n</urlset>\n`;
  const products = [
    `${origin}/products/`,
    ...Array.from({ length: shape.categoryPages - 1 }, (_, i) => `${origin}/products/?page=${i + 2}`),
    ...Array.from({ length: shape.products }, (_, i) => `${origin}/products/p-${i + 1}`),
    'http://169.254.169.254/',
  ];
  const blog = [`${origin}/blog/`, ...shape.articles.map((slug) => `${origin}/blog/${slug}`)];
  const index = `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${[
    `${origin}/sitemaps/products.xml.gz`,
    `${origin}/sitemaps/blog.xml.gz`,
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.5/',
  ]
    .map((loc) => `<sitemap><loc>${loc}</loc><lastmod>2026-11-01</lastmod></sitemap>`)
    .join('\n')}\n</sitemapindex>\n`;
  return {
    '/sitemap_index.xml': Buffer.from(index),
    '/sitemaps/products.xml.gz': gzipSync(urlset(products)),
    '/sitemaps/blog.xml.gz': gzipSync(urlset(blog)),
  };
}

/** The page URLs in a sitemap, gunzipped or not (for expectedPages and tests). */
export function sitemapLocs(xml: string): string[] {
  return [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1].replace(/&amp;/g, '&'));
}

/** A link as an audit spells it (no fragment, no utm_* parameters) if it is on `origin`, else null. */
function onSitePath(href: string, from: string, origin: string): string | null {
  const url = new URL(href, `${origin}${from}`);
  if (url.origin !== origin) return null;
  url.hash = '';
  for (const name of [...url.searchParams.keys()]) if (name.startsWith('utm_')) url.searchParams.delete(name);
  url.searchParams.sort();
  return `${url.pathname}${url.search}`;
}

/**
 * The pages (path and query) an audit of the site's home page scans: every HTML page within `maxDepth` links of the
 * home page or a sitemap entry (depth 0), except robots-disallowed ones (respectRobots), non-HTML, the off-site
 * redirect and other hosts. Sorted. Assumes maxPages and the per-pattern cap are not reached.
 */
export function expectedPages(opts: FixtureSiteOptions = {}, audit: ExpectedAudit = {}): string[] {
  const { maxDepth = 5, sitemap = true, respectRobots = true } = audit;
  const origin = 'http://fixture.invalid';
  const shape = siteShape(opts);
  const depth = new Map<string, number>([['/', 0]]);
  if (sitemap) {
    const files = sitemaps(shape, origin);
    for (const file of ['/sitemaps/products.xml.gz', '/sitemaps/blog.xml.gz']) {
      for (const loc of sitemapLocs(gunzipSync(files[file]).toString('utf8'))) {
        const path = onSitePath(loc, '/', origin);
        if (path) depth.set(path, 0);
      }
    }
  }
  const queue = [...depth.keys()];
  const scanned: string[] = [];
  while (queue.length) {
    const path = queue.shift()!;
    const url = new URL(path, origin);
    if (NON_HTML.includes(url.pathname) || url.pathname === '/go/partner') continue;
    if (respectRobots && url.pathname.startsWith('/private/')) continue;
    const page = pageAt(url.pathname, url.searchParams, shape, origin);
    if (!page) throw new Error(`fixture site links to a missing page: ${path}`);
    scanned.push(path);
    const d = depth.get(path)!;
    if (d >= maxDepth) continue;
    for (const [, raw] of htmlDocument(page, origin).matchAll(/<a\s[^>]*href="([^"]*)"/g)) {
      const next = onSitePath(raw.replace(/&quot;/g, '"').replace(/&amp;/g, '&'), path, origin);
      if (next === null || depth.has(next)) continue;
      depth.set(next, d + 1);
      queue.push(next);
    }
  }
  return scanned.sort();
}

/** Starts the site on 127.0.0.1 (random port). */
export async function startFixtureSite(opts: FixtureSiteOptions = {}): Promise<FixtureSite> {
  const shape = siteShape(opts);
  const delayMs = opts.delayMs ?? 150;
  const throttledPaths = opts.throttled
    ? Array.from({ length: Math.floor(shape.products / 10) }, (_, i) => `/products/p-${(i + 1) * 10}`)
    : [];
  const throttledOnce = new Set<string>();
  const requests: SiteRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let origin = '';
  let offSiteOrigin = '';
  let files: Record<string, Buffer> = {};

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    headers: Record<string, string | number>,
    body: Buffer | string,
  ) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', host: req.headers.host ?? '', time: Date.now(), status });
    res.writeHead(status, headers).end(req.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const file = files[path];
    if (file) return send(req, res, 200, { 'Content-Type': path.endsWith('.gz') ? 'application/gzip' : 'application/xml' }, file);
    if (path === '/robots.txt') {
      return send(
        req,
        res,
        200,
        { 'Content-Type': 'text/plain' },
        `User-agent: *\nDisallow: /private/\n\nSitemap: ${origin}/sitemap_index.xml\n`,
      );
    }
    if (path === '/files/brochure.pdf' || path === '/download') return send(req, res, 200, { 'Content-Type': 'application/pdf' }, PDF);
    if (path === '/img/photo.jpg') return send(req, res, 200, { 'Content-Type': 'image/jpeg' }, JPEG);
    if (path === '/img/logo.png') return send(req, res, 200, { 'Content-Type': 'image/png' }, PNG);
    if (path === '/go/partner') return send(req, res, 302, { Location: `${offSiteOrigin}/` }, '');
    const page = pageAt(path, url.searchParams, shape, origin);
    if (!page) {
      return send(
        req,
        res,
        404,
        { 'Content-Type': 'text/html; charset=utf-8' },
        '<!doctype html><html lang="en"><title>Not found</title><main><h1>Not found</h1></main></html>',
      );
    }
    // An HTML page: held for delayMs so requests that overlap are counted as such.
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      if (throttledPaths.includes(path) && !throttledOnce.has(path)) {
        throttledOnce.add(path);
        return send(req, res, 429, { 'Content-Type': 'text/plain', 'Retry-After': '1' }, 'Too many requests');
      }
      send(req, res, 200, { 'Content-Type': 'text/html; charset=utf-8' }, htmlDocument(page, origin));
    }, delayMs);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  offSiteOrigin = `http://localhost:${port}`;
  files = sitemaps(shape, origin);

  return {
    origin,
    offSiteOrigin,
    url: (p) => `${origin}${p}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    hits: (p) => requests.filter((r) => (p.includes('?') ? r.path === p : r.path.split('?')[0] === p)).length,
    expectedUrls: (audit) => expectedPages(opts, audit).map((p) => `${origin}${p}`),
    throttledPaths,
    resetStats: () => {
      requests.length = 0;
      maxInFlight = inFlight;
      throttledOnce.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A fixture site for the enclosing describe (or file): started before its tests, closed after them. */
export function useFixtureSite(opts: FixtureSiteOptions = {}): () => FixtureSite {
  return useResource(
    'fixture site',
    () => startFixtureSite(opts),
    (site) => site.close(),
  );
}
