import { createGzip, gzipSync } from 'node:zlib';
import type { SafeFetchResult } from '../targets/safe-fetch';
import { readSitemaps, SITEMAP_LIMITS, type SitemapDeps } from './sitemaps';

const SITE = 'https://example.com';

const urlset = (urls: Array<{ loc: string; lastmod?: string }>): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
  urls.map((u) => `<url><loc>${u.loc}</loc>${u.lastmod ? `<lastmod>${u.lastmod}</lastmod>` : ''}</url>`).join('') +
  `</urlset>`;

const index = (locs: string[]): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
  locs.map((loc) => `<sitemap><loc>${loc}</loc><lastmod>2026-01-01</lastmod></sitemap>`).join('') +
  `</sitemapindex>`;

const served = (body: Buffer | string, status = 200, truncated = false): SafeFetchResult => ({
  ok: true,
  status,
  contentType: 'application/xml',
  body: typeof body === 'string' ? Buffer.from(body) : body,
  finalUrl: '',
  truncated,
});

/** A fake site: a table of URL → response; unknown URLs are 404s. Records what was fetched. */
function site(files: Record<string, SafeFetchResult | string | Buffer>): SitemapDeps & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    fetch: async (url) => {
      fetched.push(url);
      const file = files[url];
      if (file === undefined) return served('not found', 404);
      return typeof file === 'string' || Buffer.isBuffer(file) ? served(file) : file;
    },
    isAllowedSitemapUrl: (url) => url.startsWith(`${SITE}/`),
  };
}

describe('readSitemaps', () => {
  it('reads an index pointing at two gzipped sitemaps', async () => {
    const deps = site({
      [`${SITE}/sitemap.xml`]: index([`${SITE}/sitemap-1.xml.gz`, `${SITE}/sitemap-2.xml.gz`]),
      [`${SITE}/sitemap-1.xml.gz`]: gzipSync(urlset([{ loc: `${SITE}/a`, lastmod: '2026-11-01' }, { loc: `${SITE}/b` }])),
      // Gzip is found by its magic bytes: this one's name does not say so.
      [`${SITE}/sitemap-2.xml.gz`]: gzipSync(urlset([{ loc: `${SITE}/c`, lastmod: ' 2026-12-24T10:00:00+00:00 ' }, { loc: `${SITE}/a` }])),
    });
    const reading = await readSitemaps([`${SITE}/sitemap.xml`], deps);
    expect(reading.entries).toEqual([
      { url: `${SITE}/a`, lastmod: '2026-11-01' },
      { url: `${SITE}/b`, lastmod: null },
      { url: `${SITE}/c`, lastmod: '2026-12-24T10:00:00+00:00' },
    ]);
    expect(reading.files).toEqual([
      { url: `${SITE}/sitemap.xml`, entries: 2 },
      { url: `${SITE}/sitemap-1.xml.gz`, entries: 2 },
      { url: `${SITE}/sitemap-2.xml.gz`, entries: 1 },
    ]);
    expect(reading.notes).toEqual([]);
  });

  it('reads a self-referencing index and a loop of indexes once each', async () => {
    const deps = site({
      [`${SITE}/self.xml`]: index([`${SITE}/self.xml`, `${SITE}/other.xml`, `${SITE}/pages.xml`]),
      [`${SITE}/other.xml`]: index([`${SITE}/self.xml`, `${SITE}/other.xml#again`]),
      [`${SITE}/pages.xml`]: urlset([{ loc: `${SITE}/p` }]),
    });
    const reading = await readSitemaps([`${SITE}/self.xml`], deps);
    expect(deps.fetched).toEqual([`${SITE}/self.xml`, `${SITE}/other.xml`, `${SITE}/pages.xml`]);
    expect(reading.entries).toEqual([{ url: `${SITE}/p`, lastmod: null }]);
  });

  it('stops a gzip bomb at the decompressed-bytes cap', async () => {
    // 200 MB of whitespace after a valid start compresses to about 200 KB.
    const bomb = await gzipped(function* () {
      yield Buffer.from(`<urlset><url><loc>${SITE}/first</loc></url>`);
      const spaces = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 200; i++) yield spaces;
      yield Buffer.from(`<url><loc>${SITE}/never</loc></url></urlset>`);
    });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const deps = site({ [`${SITE}/bomb.xml`]: bomb });
    const memoryBefore = process.memoryUsage().rss;
    const reading = await readSitemaps([`${SITE}/bomb.xml`], deps);
    expect(process.memoryUsage().rss - memoryBefore).toBeLessThan(150 * 1024 * 1024);
    expect(reading.entries).toEqual([{ url: `${SITE}/first`, lastmod: null }]);
    expect(reading.notes).toEqual([`sitemap ${SITE}/bomb.xml: stopped after 10 MiB of XML (the per-file limit; it decompresses to more)`]);
  });

  it('refuses a billion-laughs document without expanding it', async () => {
    const laughs = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      ' <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<urlset><url><loc>https://example.com/&lol9;</loc></url></urlset>',
    ].join('\n');
    const reading = await readSitemaps([`${SITE}/lol.xml`], site({ [`${SITE}/lol.xml`]: laughs }));
    expect(reading.entries).toEqual([]);
    expect(reading.files[0]).toMatchObject({ entries: 0, error: expect.stringMatching(/DOCTYPE declares entities/) });
    expect(reading.notes[0]).toMatch(/lol\.xml: its DOCTYPE declares entities/);
  });

  it('never expands an undeclared entity either', async () => {
    const xml = `<urlset><url><loc>${SITE}/a</loc></url><url><loc>${SITE}/&undefined;</loc></url></urlset>`;
    const reading = await readSitemaps([`${SITE}/e.xml`], site({ [`${SITE}/e.xml`]: xml }));
    expect(reading.entries).toEqual([{ url: `${SITE}/a`, lastmod: null }]);
    expect(reading.files[0].error).toMatch(/malformed XML/);
  });

  it('stops at maxEntries in a 100,000-entry sitemap and skips the remaining files', async () => {
    const big = urlset(Array.from({ length: 100_000 }, (_, i) => ({ loc: `${SITE}/page/${i}` })));
    const deps = site({
      [`${SITE}/index.xml`]: index([`${SITE}/big.xml`, `${SITE}/more.xml`]),
      [`${SITE}/big.xml`]: big,
      [`${SITE}/more.xml`]: urlset([{ loc: `${SITE}/more` }]),
    });
    const started = Date.now();
    const reading = await readSitemaps([`${SITE}/index.xml`], deps, { ...SITEMAP_LIMITS, maxEntries: 1000 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(reading.entries).toHaveLength(1000);
    expect(reading.entries[999].url).toBe(`${SITE}/page/999`);
    expect(deps.fetched).toEqual([`${SITE}/index.xml`, `${SITE}/big.xml`]);
    expect(reading.notes).toEqual([
      `sitemap ${SITE}/big.xml: stopped at 1,000 entries (the limit)`,
      '1 more sitemap file was not read: the entry limit was reached',
    ]);
  });

  it('keeps what was parsed before malformed XML and notes the error', async () => {
    const xml = `<urlset><url><loc>${SITE}/a</loc></url><url><loc>${SITE}/b</loc></url><url><loc>${SITE}/c</url></urlset>`;
    const reading = await readSitemaps([`${SITE}/bad.xml`], site({ [`${SITE}/bad.xml`]: xml }));
    expect(reading.entries.map((e) => e.url)).toEqual([`${SITE}/a`, `${SITE}/b`]);
    expect(reading.files[0]).toMatchObject({ entries: 2, error: expect.stringMatching(/malformed XML/) });
    expect(reading.notes[0]).toMatch(/bad\.xml: malformed XML.*kept the 2 entries read before it/);
  });

  it('notes a truncated document (cut download)', async () => {
    const xml = urlset([{ loc: `${SITE}/a` }, { loc: `${SITE}/b` }]).slice(0, -40);
    const deps = site({ [`${SITE}/cut.xml`]: served(xml, 200, true) });
    const reading = await readSitemaps([`${SITE}/cut.xml`], deps);
    expect(reading.entries.map((e) => e.url)).toEqual([`${SITE}/a`]);
    expect(reading.notes[0]).toMatch(/download cut/);
    expect(reading.notes[1]).toMatch(/malformed XML/);
  });

  it('bounds recursion depth', async () => {
    const deps = site({
      [`${SITE}/l0.xml`]: index([`${SITE}/l1.xml`]),
      [`${SITE}/l1.xml`]: index([`${SITE}/l2.xml`]),
      [`${SITE}/l2.xml`]: index([`${SITE}/l3.xml`]),
      [`${SITE}/l3.xml`]: urlset([{ loc: `${SITE}/deep` }]),
    });
    const reading = await readSitemaps([`${SITE}/l0.xml`], deps, { ...SITEMAP_LIMITS, maxDepth: 2 });
    expect(deps.fetched).toEqual([`${SITE}/l0.xml`, `${SITE}/l1.xml`, `${SITE}/l2.xml`]);
    expect(reading.entries).toEqual([]);
    expect(reading.notes).toEqual([`sitemap ${SITE}/l3.xml: not read, it is nested more than 2 index levels deep`]);
  });

  it('bounds the number of files', async () => {
    const children = Array.from({ length: 10 }, (_, i) => `${SITE}/s${i}.xml`);
    const files: Record<string, string> = { [`${SITE}/index.xml`]: index(children) };
    children.forEach((url, i) => (files[url] = urlset([{ loc: `${SITE}/p${i}` }])));
    const deps = site(files);
    const reading = await readSitemaps([`${SITE}/index.xml`], deps, { ...SITEMAP_LIMITS, maxFiles: 4 });
    expect(deps.fetched).toHaveLength(4);
    expect(reading.entries).toHaveLength(3);
    expect(reading.notes).toEqual(['7 more sitemap files were not read: the 4-file limit']);
  });

  it('takes only the direct <loc> of a <url> (not image:loc) and ignores non-http locations', async () => {
    const xml =
      `<urlset xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">` +
      `<url><image:image><image:loc>${SITE}/photo.jpg</image:loc></image:image><loc>${SITE}/gallery</loc></url>` +
      `<url><loc><![CDATA[${SITE}/cdata?a=1&b=2]]></loc></url>` +
      `<url><loc>javascript:alert(1)</loc></url><url><loc>/relative</loc></url>` +
      `</urlset>`;
    const reading = await readSitemaps([`${SITE}/img.xml`], site({ [`${SITE}/img.xml`]: xml }));
    expect(reading.entries.map((e) => e.url)).toEqual([`${SITE}/gallery`, `${SITE}/cdata?a=1&b=2`]);
    expect(reading.notes).toEqual([`sitemap ${SITE}/img.xml: 2 entries were not an http(s) URL and ignored`]);
  });

  it('reports fetch failures, HTTP errors and off-site sitemaps per file', async () => {
    const deps = site({
      [`${SITE}/index.xml`]: index([`${SITE}/gone.xml`, 'https://elsewhere.example/s.xml', `${SITE}/blocked.xml`]),
      [`${SITE}/blocked.xml`]: { ok: false, category: 'blocked_target', reason: 'target address 10.0.0.1 is in a private range' },
    });
    const reading = await readSitemaps([`${SITE}/index.xml`], deps);
    expect(reading.files).toEqual([
      { url: `${SITE}/index.xml`, entries: 3 },
      { url: `${SITE}/gone.xml`, entries: 0, error: 'HTTP 404' },
      { url: 'https://elsewhere.example/s.xml', entries: 0, error: 'not on the audited site' },
      { url: `${SITE}/blocked.xml`, entries: 0, error: 'target address 10.0.0.1 is in a private range' },
    ]);
    expect(deps.fetched).not.toContain('https://elsewhere.example/s.xml');
    expect(reading.notes).toHaveLength(2);
  });

  it('notes a corrupt gzip file and keeps what it decoded', async () => {
    const whole = gzipSync(urlset(Array.from({ length: 2000 }, (_, i) => ({ loc: `${SITE}/x/${i}` }))));
    const corrupt = whole.subarray(0, Math.floor(whole.length / 2));
    const reading = await readSitemaps([`${SITE}/c.xml.gz`], site({ [`${SITE}/c.xml.gz`]: corrupt }));
    expect(reading.entries.length).toBeGreaterThan(0);
    expect(reading.files[0].error).toMatch(/could not decompress/);
  });
});

async function gzipped(parts: () => Generator<Buffer>): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  for (const part of parts()) {
    if (!gzip.write(part)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}
