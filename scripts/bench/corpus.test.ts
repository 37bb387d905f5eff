import { checkCorrectness, compareViolations, describeCorpus, generateCorpus, VIOLATION_KINDS } from './corpus';
import { FAIL_ONCE_MARKER, markFailOnce } from './corpus-server';

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
