import type { SafeFetchResult } from '../targets/safe-fetch';
import { MAX_CRAWL_DELAY_MS, parseRobots, ROBOTS_USER_AGENT, robotsFromFetch, robotsUrlOf } from './robots';

const ROBOTS_URL = 'https://example.com/robots.txt';
const TEXT = [
  'User-agent: *',
  'Disallow: /private/',
  'Crawl-delay: 1',
  '',
  'User-agent: WCAGScanner',
  'Disallow: /admin/',
  'Disallow: /*.php$',
  'Allow: /admin/public',
  'Crawl-delay: 2.5',
  '',
  'Sitemap: https://example.com/sitemap_index.xml',
  'Sitemap: /relative-sitemap.xml',
].join('\n');

const ok = (status: number, text: string, truncated = false): SafeFetchResult => ({
  ok: true,
  status,
  contentType: 'text/plain',
  body: Buffer.from(text),
  finalUrl: ROBOTS_URL,
  truncated,
});

describe('parseRobots', () => {
  const rules = parseRobots(ROBOTS_URL, TEXT);

  it('matches our user agent group', () => {
    expect(ROBOTS_USER_AGENT).toBe('WCAGScanner');
    expect(rules.isAllowed('https://example.com/admin/x')).toBe(false);
    expect(rules.isAllowed('https://example.com/admin/public')).toBe(true);
    expect(rules.isAllowed('https://example.com/index.php')).toBe(false);
    expect(rules.isAllowed('https://example.com/index.php?x=1')).toBe(true);
    // Our group replaces the * group entirely (RFC 9309 2.2.1).
    expect(rules.isAllowed('https://example.com/private/x')).toBe(true);
  });

  it('falls back to the * group for another agent', () => {
    const other = parseRobots(ROBOTS_URL, TEXT, 'OtherBot');
    expect(other.isAllowed('https://example.com/private/x')).toBe(false);
    expect(other.crawlDelayMs).toBe(1000);
  });

  it('applies the rules to the www twin and the other scheme', () => {
    expect(rules.isAllowed('http://www.example.com/admin/x')).toBe(false);
    expect(rules.isAllowed('http://www.example.com/ok')).toBe(true);
  });

  it('reads the crawl delay and the sitemaps', () => {
    expect(rules.crawlDelayMs).toBe(2500);
    expect(rules.sitemaps).toEqual(['https://example.com/sitemap_index.xml', 'https://example.com/relative-sitemap.xml']);
  });

  it('caps the crawl delay', () => {
    expect(parseRobots(ROBOTS_URL, 'User-agent: *\nCrawl-delay: 86400').crawlDelayMs).toBe(MAX_CRAWL_DELAY_MS);
  });

  it('has no crawl delay when none is given or it is garbage', () => {
    expect(parseRobots(ROBOTS_URL, 'User-agent: *\nDisallow:').crawlDelayMs).toBeNull();
    expect(parseRobots(ROBOTS_URL, 'User-agent: *\nCrawl-delay: soon').crawlDelayMs).toBeNull();
  });

  it('allows everything for an empty file', () => {
    expect(parseRobots(ROBOTS_URL, '').isAllowed('https://example.com/anything')).toBe(true);
  });
});

describe('robotsFromFetch', () => {
  it('parses a 200', () => {
    const { rules, note } = robotsFromFetch(ROBOTS_URL, ok(200, TEXT));
    expect(rules.isAllowed('https://example.com/admin/x')).toBe(false);
    expect(note).toBeNull();
  });

  it('notes a truncated file', () => {
    expect(robotsFromFetch(ROBOTS_URL, ok(200, TEXT, true)).note).toMatch(/only its first/);
  });

  it('allows everything on a 404', () => {
    const { rules, note } = robotsFromFetch(ROBOTS_URL, ok(404, 'not found'));
    expect(rules.isAllowed('https://example.com/admin/x')).toBe(true);
    expect(note).toBeNull();
  });

  it.each([
    ['a 503', ok(503, 'down')],
    ['a network failure', { ok: false, category: 'network', reason: 'timed out' } as SafeFetchResult],
  ])('disallows everything on %s, with a note', (_name, result) => {
    const { rules, note } = robotsFromFetch(ROBOTS_URL, result);
    expect(rules.isAllowed('https://example.com/')).toBe(false);
    expect(note).toMatch(/treated as disallowed/);
  });

  it('finds robots.txt at the root', () => {
    expect(robotsUrlOf('https://example.com:8443/a/b?c')).toBe('https://example.com:8443/robots.txt');
  });
});
