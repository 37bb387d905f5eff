// audits/page-structure.ts's collectAuditFacts inside real Chromium (it runs through page.evaluate, so only a real
// page proves it is self-contained): links as the crawler needs them, template skeletons, landmark regions.
import type { ServerResponse } from 'node:http';
import { collectAuditFacts, type AuditPageFacts } from '../../audits/page-structure';
import type { BrowserPool } from '../../activities/browser/browser-pool';
import { testBrowserPool } from '../support/browser';
import { useFixtureServer } from '../support/fixture-server';
import { useResource } from '../support/hooks';

const html =
  (body: string, head = '') =>
  (_req: unknown, res: ServerResponse) =>
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end(`<!doctype html><html lang="en"><head><title>t</title>${head}</head><body>${body}</body></html>`);

const header = `<header><a href="/"><img src="/logo.png"></a><nav><ul><li><a href="/products/">Products</a></li><li><a href="/blog/">Blog</a></li></ul></nav></header>`;
const footer = `<footer><p class="fine">© Shop</p><a href="/about">About</a></footer>`;
const items = (n: number, prefix: string) =>
  Array.from(
    { length: n },
    (_, i) => `<li><a href="/products/p-${i}"><img src="/i/${i}.jpg" alt="${prefix} ${i}"> ${prefix} ${i}</a></li>`,
  ).join('');
const product = (n: number, name: string) =>
  `${header}<main><h1>${name}</h1><p>${name} is great.</p><form><input name="qty"><button>Add</button></form><ul class="related">${items(n, name)}</ul></main>${footer}`;
const article = (paragraphs: string[]) =>
  `${header}<main><article><header><h1>Post</h1></header>${paragraphs.join('')}</article></main><aside><p>Related</p></aside>${footer}`;

const site = useFixtureServer({
  '/products/p-1': html(product(3, 'Kettle')),
  '/products/p-2': html(product(30, 'Toaster')),
  '/blog/a': html(article(['<p>One.</p>', '<h2>Why</h2>', '<p>Two.</p>'])),
  '/blog/b': html(article(['<p>Only.</p>', '<p>More.</p>', '<h2>So</h2>', '<p>End.</p>', '<p>End.</p>'])),
  '/home': html(
    `${header}<main><section class="hero"><h1>Welcome</h1><a class="cta" href="/products/">Shop</a></section><section><h2>New</h2><ul>${items(4, 'New')}</ul></section></main>${footer}`,
  ),
  '/links': html(
    `<a href="/a">a</a><a href="a#top">a again</a><a href="${'http'}://127.0.0.1:1/abs">abs</a><a href="/b?utm_source=x#f">b</a>` +
      `<a href="javascript:void(0)">js</a><a href="mailto:x@example.com">m</a><a href="tel:+1">t</a><a href="data:text/html,x">d</a>` +
      `<a>no href</a><map name="m"><area href="/area" alt="area"></map><svg><a href="/svg-link"><text>s</text></a></svg>` +
      `<link rel="next" href="/next">`,
    '<base href="/dir/">',
  ),
  '/regions': html(
    `${header}<div role="banner"><span id="rb">x</span></div>` +
      `<main><header><h1 id="mh">Main heading</h1></header><section><footer id="sf">s</footer></section><p id="mp">p</p>` +
      `<aside><p id="ma">m</p></aside></main><aside><p id="ap">a</p></aside>${footer}<p id="outside">o</p><iframe id="fr" srcdoc="<p>x</p>"></iframe>`,
  ),
});
const pool = useResource<BrowserPool>(
  'browser pool',
  async () => testBrowserPool(),
  (p) => p.close(),
);

async function factsOf(path: string, targets: string[][] = [], maxLinks = 100): Promise<AuditPageFacts> {
  const lease = await pool().acquire();
  try {
    await lease.page.goto(site().url(path), { waitUntil: 'load' });
    return await lease.page.evaluate(collectAuditFacts, targets, maxLinks);
  } finally {
    await lease.release();
  }
}

describe('collectAuditFacts in Chromium', () => {
  it('collects absolute links once, without fragments or non-page schemes, up to maxLinks', async () => {
    const origin = site().origin;
    const facts = await factsOf('/links');
    expect(facts.links).toEqual([
      `${origin}/a`,
      `${origin}/dir/a`,
      'http://127.0.0.1:1/abs',
      `${origin}/b?utm_source=x`,
      `${origin}/area`,
      `${origin}/svg-link`,
    ]);
    expect((await factsOf('/links', [], 2)).links).toEqual([`${origin}/a`, `${origin}/dir/a`]);
  });

  it('gives pages of one template the same skeleton and other layouts another', async () => {
    const [p1, p2, a, b, home] = await Promise.all(
      ['/products/p-1', '/products/p-2', '/blog/a', '/blog/b', '/home'].map((p) => factsOf(p)),
    );
    expect(p1.skeleton).toMatch(/^[0-9a-f]{16}$/);
    expect(p2.skeleton).toBe(p1.skeleton); // 3 vs 30 related products
    expect(b.skeleton).toBe(a.skeleton); // other paragraphs, in another order
    expect(new Set([p1.skeleton, a.skeleton, home.skeleton]).size).toBe(3);
  });

  it('names the landmark each target sits in', async () => {
    const targets = [
      ['header img'],
      ['header nav a'],
      ['#rb'],
      ['#mh'],
      ['#sf'],
      ['#mp'],
      ['#ma'],
      ['#ap'],
      ['footer .fine'],
      ['#outside'],
      ['#nowhere'],
      ['!!not a selector'],
      [],
      ['#fr', 'p'],
    ];
    const { regions } = await factsOf('/regions', targets);
    expect(regions).toEqual([
      'header', // the page header's logo
      'header', // its navigation: fixed in the shared header
      'header', // role=banner
      'main', // a header inside main is not the banner
      'main', // nor a footer inside a section
      'main',
      'complementary',
      'complementary',
      'footer',
      null,
      null,
      null,
      null,
      null, // an iframe outside any landmark: its first selector decides
    ]);
  });
});
