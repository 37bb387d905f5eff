// The benchmark corpora, generated from a seed, each page with the exact set of axe rules it violates, so every
// benchmark run also checks that what was measured found the right things:
// - realistic: small-business pages (header/nav/main/footer, forms, tables, images, 20-150 KB, DOM sizes from a
//   few hundred to several thousand elements);
// - light: documentation-style pages (20-100 KB of prose and code samples, a small DOM, little CSS, no frames),
//   where a scan's fixed costs dominate.

/** Violations the generator can plant, by the axe rule that reports them (all in the WCAG A/AA tags we run). */
export const VIOLATION_KINDS = [
  'image-alt',
  'label',
  'button-name',
  'link-name',
  'html-has-lang',
  'document-title',
  'color-contrast',
  'list',
  'select-name',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];

export interface CorpusPage {
  /** Path on the corpus server, e.g. /p/007.html */
  path: string;
  html: string;
  bytes: number;
  /** Elements in the generated markup (the DOM the browser builds has about as many). */
  elements: number;
  /** The axe rule ids this page must violate, and no others. Empty for a clean page. */
  expected: ViolationKind[];
}

export interface CorpusOptions {
  pages: number;
  seed?: number;
  /** Share of pages without any violation (default 0.15). */
  cleanShare?: number;
  minBytes?: number;
  maxBytes?: number;
}

/** mulberry32: a small deterministic PRNG, so a seed always gives the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'bakery order delivery fresh bread local service quality garden repair plumbing friendly team quote ' +
  'booking appointment opening hours family owned since pastry coffee catering wedding event price estimate ' +
  'warranty installation customer review city center parking weekend special offer contact seasonal menu'
).split(' ');
const IMG = (w: number, h: number, hue: number) =>
  `data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='${w}' height='${h}'%3E%3Crect width='100%25' height='100%25' fill='hsl(${hue},50%25,60%25)'/%3E%3C/svg%3E`;

function sentence(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(r() * WORDS.length)]);
  const s = out.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

/** The markup that makes axe report `kind` once. */
function plant(kind: ViolationKind, i: number): string {
  switch (kind) {
    case 'image-alt':
      return `<img src="${IMG(120, 80, i * 37)}" width="120" height="80">`;
    case 'label':
      // No placeholder: axe accepts one as the field's name.
      return `<input type="text" name="promo-${i}">`;
    case 'button-name':
      return `<button type="button" class="icon-only"></button>`;
    case 'link-name':
      return `<a href="/cart-${i}" class="icon-only"></a>`;
    case 'color-contrast':
      return `<p style="color:#bbbbbb;background:#ffffff">Prices include VAT where applicable.</p>`;
    case 'list':
      return `<ul class="perks"><div>Free delivery over 50</div><li>Same-day pickup</li></ul>`;
    case 'select-name':
      return `<select name="size-${i}"><option>Small</option><option>Large</option></select>`;
    case 'html-has-lang':
    case 'document-title':
      return ''; // planted in the document head instead
  }
}

/** Pick k distinct items. */
function pick<T>(r: () => number, items: readonly T[], k: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < k && pool.length) out.push(pool.splice(Math.floor(r() * pool.length), 1)[0]);
  return out;
}

function count(html: string): number {
  return (html.match(/<[a-z][a-z0-9]*/gi) ?? []).length;
}

/** One page: `dense` pages fill their size with table rows (many elements), others with prose (few). */
function page(index: number, r: () => number, expected: ViolationKind[], targetBytes: number): CorpusPage {
  const name = `${sentence(r, 2).slice(0, -1)} ${['Bakery', 'Plumbing', 'Garden Care', 'Catering', 'Repairs'][index % 5]}`;
  const dense = r() < 0.4;
  const lang = expected.includes('html-has-lang') ? '' : ' lang="en"';
  const title = expected.includes('document-title') ? '' : `<title>${name}</title>`;
  const planted = expected.map((k, i) => plant(k, index * 10 + i)).filter(Boolean);
  const head =
    `<!doctype html><html${lang}><head><meta charset="utf-8">${title}` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<style>body{font-family:sans-serif;margin:0;color:#222;background:#fff}header,footer{background:#1a3d5c;color:#fff;padding:1em}` +
    `nav a{color:#fff;margin-right:1em}main{padding:1em;max-width:960px}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}` +
    `.card{display:inline-block;width:200px;margin:8px;vertical-align:top}.icon-only{width:24px;height:24px}</style></head><body>`;
  const nav =
    `<header><p class="brand">${name}</p><nav aria-label="Main"><a href="/">Home</a><a href="/services">Services</a>` +
    `<a href="/prices">Prices</a><a href="/about">About us</a><a href="/contact">Contact</a></nav></header>`;
  const cards: string[] = [];
  const products = 3 + Math.floor(r() * 10);
  for (let c = 0; c < products; c++) {
    cards.push(
      `<div class="card"><img src="${IMG(200, 120, (index * 13 + c * 29) % 360)}" alt="${sentence(r, 3)}" width="200" height="120">` +
        `<h3>${sentence(r, 2)}</h3><p>${sentence(r, 12)}</p><p><strong>${(5 + r() * 95).toFixed(2)} EUR</strong></p></div>`,
    );
  }
  const form =
    `<section aria-labelledby="contact-h"><h2 id="contact-h">Request a quote</h2><form action="/quote" method="post">` +
    `<p><label for="n${index}">Your name</label> <input id="n${index}" name="name" autocomplete="name"></p>` +
    `<p><label for="e${index}">Email</label> <input id="e${index}" type="email" name="email" autocomplete="email"></p>` +
    `<p><label for="s${index}">Service</label> <select id="s${index}" name="service"><option>Repair</option><option>Install</option></select></p>` +
    `<p><label for="m${index}">Message</label> <textarea id="m${index}" name="message" rows="3"></textarea></p>` +
    `<p><button type="submit">Send request</button></p></form></section>`;
  const footer = `<footer><p>${name}, 12 Market Street. Open Monday to Saturday.</p><p><a href="/privacy" style="color:#fff">Privacy</a></p></footer></body></html>`;

  const fixed =
    head + nav + '<main><h1>' + name + '</h1>' + planted.join('') + '<section><h2>Our offers</h2>' + cards.join('') + '</section>' + form;
  const budget = targetBytes - fixed.length - footer.length - 300;
  const filler: string[] = [];
  let size = 0;
  if (dense) {
    // A price list of 40-400 rows (5 elements each), then prose: DOM sizes from ~300 to ~2,500 elements.
    const rows = 40 + Math.floor(r() * 360);
    filler.push(
      `<section><h2>Price list</h2><table><caption>Prices</caption><thead><tr><th scope="col">Item</th><th scope="col">Size</th><th scope="col">Price</th><th scope="col">Stock</th></tr></thead><tbody>`,
    );
    for (let row = 0; row < rows && size < budget; row++) {
      const tr = `<tr><td>${sentence(r, 6)}</td><td>${1 + (row % 9)} kg</td><td>${(r() * 80).toFixed(2)}</td><td>${row % 3 ? 'yes' : 'no'}</td></tr>`;
      filler.push(tr);
      size += tr.length;
    }
    filler.push('</tbody></table></section>');
  }
  filler.push('<section><h2>About us</h2>');
  while (size < budget) {
    const p = `<p>${sentence(r, 20 + Math.floor(r() * 60))}</p>`;
    filler.push(p);
    size += p.length;
  }
  filler.push('</section>');
  const html = fixed + filler.join('') + '</main>' + footer;
  return {
    path: `/p/${String(index).padStart(3, '0')}.html`,
    html,
    bytes: Buffer.byteLength(html),
    elements: count(html),
    expected: [...expected].sort(),
  };
}

type PageMaker = (index: number, r: () => number, expected: ViolationKind[], targetBytes: number) => CorpusPage;

/** N pages from `make`: clean pages spread through (every k-th, so any prefix has some), the rest 1-5 planted kinds. */
function buildCorpus(o: CorpusOptions, make: PageMaker, seedSalt: number, sizes: { min: number; max: number }): CorpusPage[] {
  const r = rng((o.seed ?? 42) ^ seedSalt);
  const minBytes = o.minBytes ?? sizes.min;
  const maxBytes = o.maxBytes ?? sizes.max;
  const clean = Math.round(o.pages * (o.cleanShare ?? 0.15));
  const out: CorpusPage[] = [];
  for (let i = 0; i < o.pages; i++) {
    const isClean = clean > 0 && i % Math.max(1, Math.round(o.pages / clean)) === 0 && out.filter((p) => !p.expected.length).length < clean;
    const expected = isClean ? [] : pick(r, VIOLATION_KINDS, 1 + Math.floor(r() * 5));
    out.push(make(i, r, expected, minBytes + Math.floor(r() * (maxBytes - minBytes))));
  }
  return out;
}

/** The realistic corpus for `pages` and `seed`: the same options always give the same pages. */
export function generateCorpus(o: CorpusOptions): CorpusPage[] {
  return buildCorpus(o, page, 0, { min: 20_000, max: 150_000 });
}

const DOC_WORDS = (
  'request response parameter returns configuration option default value client server endpoint token example ' +
  'install package version release migration database query index field record schema error retry timeout ' +
  'header body status page list create update delete read permission account project user guide section'
).split(' ');

function docSentence(r: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(DOC_WORDS[Math.floor(r() * DOC_WORDS.length)]);
  const s = out.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

/**
 * One documentation page: a short header, prose sections with an occasional code sample or bullet list, a
 * footer. Code lines stay short and nothing scrolls on its own (a scrollable <pre> would be an axe finding).
 */
function docPage(index: number, r: () => number, expected: ViolationKind[], targetBytes: number): CorpusPage {
  const topic = docSentence(r, 3).slice(0, -1);
  const lang = expected.includes('html-has-lang') ? '' : ' lang="en"';
  const title = expected.includes('document-title') ? '' : `<title>${topic} - Docs</title>`;
  const planted = expected.map((k, i) => plant(k, index * 10 + i)).filter(Boolean);
  const head =
    `<!doctype html><html${lang}><head><meta charset="utf-8">${title}` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<style>body{font-family:Georgia,serif;line-height:1.5;color:#222;background:#fff;max-width:46em;margin:0 auto;padding:0 1em}` +
    `pre{background:#f5f5f5;padding:.5em;white-space:pre-wrap}.icon-only{width:24px;height:24px}</style></head><body>`;
  const nav =
    `<header><p>Product documentation</p><nav aria-label="Docs"><a href="/docs">Guides</a> <a href="/docs/api">API reference</a> ` +
    `<a href="/docs/faq">FAQ</a> <a href="/changelog">Changelog</a></nav></header>`;
  const footer = `<footer><p>Last updated in release ${1 + (index % 9)}.${index % 20}. <a href="/docs/license">License</a></p></footer></body></html>`;
  const fixed = head + nav + `<main><h1>${topic}</h1><p>${docSentence(r, 40)}</p>` + planted.join('');
  const budget = targetBytes - fixed.length - footer.length - 20;
  const body: string[] = [];
  let size = 0;
  for (let s = 0; size < budget; s++) {
    const parts = [`<section><h2>${docSentence(r, 4).slice(0, -1)}</h2>`];
    const paragraphs = 2 + Math.floor(r() * 4);
    for (let q = 0; q < paragraphs; q++) parts.push(`<p>${docSentence(r, 60 + Math.floor(r() * 140))}</p>`);
    const extra = r();
    if (extra < 0.3) {
      const lines = Array.from(
        { length: 3 + Math.floor(r() * 8) },
        (_, l) => `  ${DOC_WORDS[(s + l * 7) % DOC_WORDS.length]}: ${Math.floor(r() * 1000)}`,
      );
      parts.push(`<pre><code>config_${s}:\n${lines.join('\n')}</code></pre>`);
    } else if (extra < 0.5) {
      parts.push(`<ul>${Array.from({ length: 3 + Math.floor(r() * 4) }, () => `<li>${docSentence(r, 8)}</li>`).join('')}</ul>`);
    }
    parts.push('</section>');
    const section = parts.join('');
    body.push(section);
    size += section.length;
  }
  const html = fixed + body.join('') + '</main>' + footer;
  return {
    path: `/d/${String(index).padStart(3, '0')}.html`,
    html,
    bytes: Buffer.byteLength(html),
    elements: count(html),
    expected: [...expected].sort(),
  };
}

/** The light (documentation-style) corpus: 20-100 KB pages, same planted kinds, its own paths (/d/…). */
export function generateLightCorpus(o: CorpusOptions): CorpusPage[] {
  return buildCorpus(o, docPage, 0x5bd1e995, { min: 20_000, max: 100_000 });
}

export interface Mismatch {
  path: string;
  missing: string[];
  unexpected: string[];
}

/** What a scan found against what the page holds: rules missing from the result, and rules it should not report. */
export function compareViolations(expected: readonly string[], found: readonly string[]): { missing: string[]; unexpected: string[] } {
  const want = new Set(expected);
  const got = new Set(found);
  return { missing: [...want].filter((r) => !got.has(r)).sort(), unexpected: [...got].filter((r) => !want.has(r)).sort() };
}

export interface CorrectnessReport {
  checked: number;
  correct: number;
  mismatches: Mismatch[];
}

/** Every scanned page's violated rules against the corpus; pages without a result are not counted. */
export function checkCorrectness(pages: readonly CorpusPage[], foundByPath: ReadonlyMap<string, readonly string[]>): CorrectnessReport {
  const mismatches: Mismatch[] = [];
  let checked = 0;
  for (const p of pages) {
    const found = foundByPath.get(p.path);
    if (!found) continue;
    checked++;
    const diff = compareViolations(p.expected, found);
    if (diff.missing.length || diff.unexpected.length) mismatches.push({ path: p.path, ...diff });
  }
  return { checked, correct: checked - mismatches.length, mismatches };
}

/** Corpus facts for the report. */
export function describeCorpus(pages: readonly CorpusPage[]) {
  const kinds: Record<string, number> = {};
  for (const p of pages) for (const k of p.expected) kinds[k] = (kinds[k] ?? 0) + 1;
  const sizes = pages.map((p) => p.bytes).sort((a, b) => a - b);
  const elements = pages.map((p) => p.elements).sort((a, b) => a - b);
  return {
    pages: pages.length,
    clean: pages.filter((p) => p.expected.length === 0).length,
    expectedViolations: pages.reduce((n, p) => n + p.expected.length, 0),
    byRule: kinds,
    kb: {
      min: Math.round(sizes[0] / 1024),
      median: Math.round(sizes[Math.floor(sizes.length / 2)] / 1024),
      max: Math.round(sizes[sizes.length - 1] / 1024),
    },
    elements: { min: elements[0], median: elements[Math.floor(elements.length / 2)], max: elements[elements.length - 1] },
  };
}
