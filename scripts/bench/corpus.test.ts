import { createHash } from 'node:crypto';
import { checkCorrectness, compareViolations, describeCorpus, generateCorpus, generateLightCorpus, VIOLATION_KINDS } from './corpus';
import { FAIL_ONCE_MARKER, loopbackHosts, markFailOnce } from './corpus-server';

describe('generateCorpus', () => {
  const corpus = generateCorpus({ pages: 40, seed: 7 });

  it('is deterministic for a seed', () => {
    expect(generateCorpus({ pages: 40, seed: 7 }).map((p) => p.html)).toEqual(corpus.map((p) => p.html));
    expect(generateCorpus({ pages: 40, seed: 8 })[1].html).not.toBe(corpus[1].html);
  });

  it('makes realistic pages of 20-150 KB with landmarks, forms, tables and images', () => {
    for (const p of corpus) {
      expect(p.bytes).toBeGreaterThanOrEqual(20_000 * 0.9);
      expect(p.bytes).toBeLessThanOrEqual(150_000);
      for (const tag of ['<header', '<nav', '<main', '<footer', '<form', '<img']) expect(p.html).toContain(tag);
    }
    expect(corpus.some((p) => p.html.includes('<table'))).toBe(true);
    const elements = corpus.map((p) => p.elements);
    expect(Math.max(...elements)).toBeGreaterThan(3 * Math.min(...elements));
  });

  it('has 15 % clean pages (rounded) and only known violation kinds', () => {
    const d = describeCorpus(corpus);
    expect(d.clean).toBe(6);
    for (const p of corpus) for (const k of p.expected) expect(VIOLATION_KINDS).toContain(k);
    expect(Object.keys(d.byRule).sort()).toEqual([...VIOLATION_KINDS].sort());
  });

  it('plants exactly what it lists', () => {
    const noLang = corpus.find((p) => p.expected.includes('html-has-lang'))!;
    expect(noLang.html).toMatch(/<html>/);
    const withLang = corpus.find((p) => !p.expected.includes('html-has-lang'))!;
    expect(withLang.html).toContain('<html lang="en">');
    const untitled = corpus.find((p) => p.expected.includes('document-title'))!;
    expect(untitled.html).not.toContain('<title>');
    const clean = corpus.find((p) => p.expected.length === 0)!;
    expect(clean.html).not.toContain('class="icon-only"');
    expect(clean.html).not.toMatch(/<img(?![^>]*alt=)[^>]*>/);
  });
});

describe('generateLightCorpus', () => {
  const light = generateLightCorpus({ pages: 40, seed: 7 });

  it('is deterministic for a seed and differs from the realistic corpus', () => {
    expect(generateLightCorpus({ pages: 40, seed: 7 }).map((p) => p.html)).toEqual(light.map((p) => p.html));
    expect(generateLightCorpus({ pages: 40, seed: 8 })[1].html).not.toBe(light[1].html);
    expect(light[1].html).not.toBe(generateCorpus({ pages: 40, seed: 7 })[1].html);
  });

  it('leaves the realistic corpus as it was for the same seed', () => {
    // The light corpus draws from its own stream: adding it must not change today's pages (hash of the pages
    // before it was added).
    const html = generateCorpus({ pages: 40, seed: 7 })
      .map((p) => p.html)
      .join('');
    expect(createHash('sha256').update(html).digest('hex').slice(0, 16)).toBe('2f27a406ea1a2620');
  });

  it('makes documentation pages of 20-100 KB: text-heavy, small DOM, little CSS, no frames', () => {
    for (const p of light) {
      expect(p.path).toMatch(/^\/d\/\d{3}\.html$/);
      expect(p.bytes).toBeGreaterThanOrEqual(20_000);
      expect(p.bytes).toBeLessThanOrEqual(100_000);
      expect(p.elements).toBeLessThan(400);
      expect(p.html).not.toMatch(/<iframe|<frame/);
      const css = /<style>([^<]*)<\/style>/.exec(p.html)![1];
      expect(css.length).toBeLessThan(400);
      const text = p.html.replace(/<[^>]*>/g, '');
      expect(text.length / p.bytes).toBeGreaterThan(0.8);
    }
  });

  it('plants the same kinds, with clean pages spread through', () => {
    const d = describeCorpus(light);
    expect(d.clean).toBe(6);
    expect(Object.keys(d.byRule).sort()).toEqual([...VIOLATION_KINDS].sort());
    const untitled = light.find((p) => p.expected.includes('document-title'))!;
    expect(untitled.html).not.toContain('<title>');
    const clean = light.find((p) => p.expected.length === 0)!;
    expect(clean.html).not.toContain('class="icon-only"');
    expect(clean.html).toContain('<html lang="en">');
  });
});

describe('loopbackHosts', () => {
  it('lists 127.0.0.1 and then the extra sites', () => {
    expect(loopbackHosts(0)).toEqual(['127.0.0.1']);
    const hosts = loopbackHosts(20);
    expect(hosts).toHaveLength(21);
    expect(hosts[1]).toBe('127.0.0.2');
    expect(hosts[20]).toBe('127.0.0.21');
    expect(() => loopbackHosts(254)).toThrow(/at most/);
  });
});

describe('expected-violation bookkeeping', () => {
  it('reports missing and unexpected rules', () => {
    expect(compareViolations(['label', 'image-alt'], ['image-alt', 'list'])).toEqual({ missing: ['label'], unexpected: ['list'] });
    expect(compareViolations([], [])).toEqual({ missing: [], unexpected: [] });
  });

  it('counts only scanned pages and lists each mismatch', () => {
    const pages = generateCorpus({ pages: 3, seed: 1 });
    const found = new Map<string, string[]>([
      [pages[0].path, [...pages[0].expected]],
      [pages[1].path, [...pages[1].expected, 'region']],
    ]);
    const r = checkCorrectness(pages, found);
    expect(r).toEqual({ checked: 2, correct: 1, mismatches: [{ path: pages[1].path, missing: [], unexpected: ['region'] }] });
  });
});

describe('markFailOnce', () => {
  it('marks exactly the requested share of URLs, every k-th one', () => {
    const urls = Array.from({ length: 50 }, (_, i) => `/p/001.html?t=${i}`);
    const marked = markFailOnce(urls, 0.1);
    expect(marked.filter((u) => u.includes(FAIL_ONCE_MARKER))).toHaveLength(5);
    expect(marked[9]).toBe(`/p/001.html?t=9&${FAIL_ONCE_MARKER}`);
    expect(markFailOnce(['/a'], 1)).toEqual([`/a?${FAIL_ONCE_MARKER}`]);
    expect(markFailOnce(urls, 0)).toEqual(urls);
  });
});
