import { SkipReason } from '../core/audit';
import { siteHostsOf } from './normalise-url';
import { parseRobots } from './robots';
import { compilePatterns, isNonHtmlByExtension, scopeVerdict, type Matcher } from './scope';

function matchers(patterns: string[]): Matcher[] {
  const compiled = compilePatterns(patterns);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return compiled.matchers;
}

const matches = (pattern: string, input: string): boolean => matchers([pattern])[0].test(input);

describe('compilePatterns: globs', () => {
  it.each([
    ['/blog/*', '/blog/post', true],
    ['/blog/*', '/blog/post?page=2', true],
    ['/blog/*', '/blog/a/b', false],
    ['/blog/*', '/blog', false],
    ['/blog/**', '/blog/a/b/c', true],
    ['/blog/**', '/blog/', true],
    ['/blog/**', '/blogs/x', false],
    ['blog/*', '/blog/x', true],
    ['/search?q=*', '/search?q=shoes', true],
    ['/search?q=*', '/searchXq=shoes', false],
    ['/a.html', '/aXhtml', false],
    ['/a.html', '/a.html', true],
    ['/**/print', '/docs/x/print', true],
    ['/**/print', '/docs/x/print/more', false],
    ['**/*.pdf', '/files/a/report.pdf', true],
    ['/p/*/edit', '/p/12/edit', true],
    ['/p/*/edit', '/p/12/13/edit', false],
    ['/(a)+[b]', '/(a)+[b]', true],
  ])('%s on %s → %s', (pattern, input, expected) => {
    expect(matches(pattern, input)).toBe(expected);
  });

  it('matches in linear time where a backtracking RegExp would not', () => {
    const started = Date.now();
    expect(matches(`/${'*a'.repeat(20)}*b`, `/${'a'.repeat(2000)}`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('compilePatterns: regular expressions', () => {
  it.each([
    ['re:^/blog/\\d+$', '/blog/12', true],
    ['re:^/blog/\\d+$', '/blog/x', false],
    ['re:print', '/docs/print?x', true],
    ['re:[?&]sort=', '/shop?sort=price', true],
  ])('%s on %s → %s', (pattern, input, expected) => {
    expect(matches(pattern, input)).toBe(expected);
  });

  it('reports every bad pattern with its index', () => {
    const compiled = compilePatterns(['/ok/*', 're:(', 're:(a+)+$', `re:${'a'.repeat(201)}`, '', 're:', 're:(x*)*y']);
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.errors.map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(compiled.errors[0].message).toMatch(/invalid regular expression/);
    expect(compiled.errors[1].message).toMatch(/nested quantifiers/);
    expect(compiled.errors[2].message).toMatch(/200 characters/);
    expect(compiled.errors[3].message).toMatch(/empty/);
    expect(compiled.errors[5].message).toMatch(/nested quantifiers/);
  });

  it('accepts a regex of exactly 200 characters', () => {
    expect(compilePatterns([`re:${'a'.repeat(200)}`]).ok).toBe(true);
  });

  it('refuses an over-long glob', () => {
    expect(compilePatterns([`/${'a'.repeat(600)}`]).ok).toBe(false);
  });
});

describe('isNonHtmlByExtension', () => {
  it.each([
    ['https://e.com/report.pdf', true],
    ['https://e.com/report.PDF?dl=1', true],
    ['https://e.com/a/photo.jpeg', true],
    ['https://e.com/site.css', true],
    ['https://e.com/app.js', true],
    ['https://e.com/data.json', true],
    ['https://e.com/feed.xml', true],
    ['https://e.com/file.docx', true],
    ['https://e.com/cal.ics', true],
    ['https://e.com/archive.tar.gz', true],
    ['https://e.com/page.html', false],
    ['https://e.com/page.php', false],
    ['https://e.com/v1.2/docs', false],
    ['https://e.com/blog/', false],
    ['https://e.com/.well-known', false],
    ['https://e.com/a?file=x.pdf', false],
  ])('%s → %s', (url, expected) => {
    expect(isNonHtmlByExtension(url)).toBe(expected);
  });
});

describe('scopeVerdict', () => {
  const siteHosts = siteHostsOf('https://example.com/');
  const robots = parseRobots('https://example.com/robots.txt', 'User-agent: *\nDisallow: /private/\n');
  const scope = { siteHosts, include: matchers(['/docs/**', '/blog/*']), exclude: matchers(['/docs/old/**']), robots };

  it.each([
    ['https://example.com/docs/a', null],
    ['https://www.example.com/blog/post', null],
    ['https://other.example/docs/a', SkipReason.OffSite],
    ['https://example.com/docs/old/x', SkipReason.Excluded],
    ['https://example.com/shop', SkipReason.NotIncluded],
    ['https://example.com/docs/manual.pdf', SkipReason.NonHtml],
    ['mailto:x@example.com', SkipReason.InvalidUrl],
    ['::', SkipReason.InvalidUrl],
  ])('%s → %s', (url, verdict) => {
    expect(scopeVerdict(url, scope)).toBe(verdict);
  });

  it('applies robots.txt when given', () => {
    const open = { siteHosts, include: [], exclude: [] };
    expect(scopeVerdict('https://example.com/private/a', { ...open, robots })).toBe(SkipReason.Robots);
    expect(scopeVerdict('https://example.com/private/a', open)).toBeNull();
    expect(scopeVerdict('https://example.com/private/a', { ...open, robots: null })).toBeNull();
  });

  it('scans everything on the site without include patterns', () => {
    expect(scopeVerdict('https://example.com/anything?x=1', { siteHosts, include: [], exclude: [] })).toBeNull();
  });
});
