// robots.txt for a site audit, through the maintained `robots-parser` package (RFC 9309 matching, wildcards, $).
import robotsParser from 'robots-parser';
import type { SafeFetchResult } from '../targets/safe-fetch';

/** The product token we obey rules for (`User-agent: WCAGScanner`, else `*`). */
export const ROBOTS_USER_AGENT = 'WCAGScanner';
// RFC 9309 2.5 lets crawlers stop at 500 KiB; Google does the same. Fetch robots.txt with this cap.
export const ROBOTS_MAX_BYTES = 500 * 1024;
// A hostile or mistaken Crawl-delay: 86400 would stall the audit for a day per page; 30 s is already very slow.
export const MAX_CRAWL_DELAY_MS = 30_000;

export interface RobotsRules {
  /** May we fetch `url` (absolute)? Judged by its path and query against the site's rules. */
  isAllowed(url: string): boolean;
  /** Crawl-delay for our user agent, capped at 30 s; null when absent. A politeness floor, not a target. */
  crawlDelayMs: number | null;
  /** Sitemap: lines, as absolute URLs. */
  sitemaps: string[];
}

/**
 * Parse robots.txt `text` served at `robotsUrl` for `userAgent`. The rules are applied to every URL of the audited
 * site by path and query: the www. twin and the http/https variant of the start URL are the same site, and their own
 * robots.txt files are not read.
 */
export function parseRobots(robotsUrl: string, text: string, userAgent: string = ROBOTS_USER_AGENT): RobotsRules {
  const robots = robotsParser(robotsUrl, text);
  const origin = new URL(robotsUrl).origin;
  const delaySeconds = robots.getCrawlDelay(userAgent);
  const crawlDelayMs =
    typeof delaySeconds === 'number' && Number.isFinite(delaySeconds) && delaySeconds >= 0
      ? Math.min(Math.round(delaySeconds * 1000), MAX_CRAWL_DELAY_MS)
      : null;
  const sitemaps = robots
    .getSitemaps()
    .map((line) => {
      try {
        return new URL(line, robotsUrl).href;
      } catch {
        return null;
      }
    })
    .filter((href): href is string => href !== null);
  return {
    isAllowed(url: string): boolean {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return false;
      }
      return robots.isAllowed(`${origin}${parsed.pathname}${parsed.search}`, userAgent) ?? true;
    },
    crawlDelayMs,
    sitemaps,
  };
}

/** Where the robots.txt of the site at `siteUrl` lives. */
export function robotsUrlOf(siteUrl: string): string {
  return new URL('/robots.txt', siteUrl).href;
}

/**
 * The rules from a robots.txt fetch, per RFC 9309 2.3.1: a 2xx body is parsed; 4xx (no robots.txt) and an unfollowed
 * 3xx allow everything; a 5xx, a network failure or a refused target makes the file "unreachable", which means complete
 * disallow. `note` says which case applied when it is not the ordinary one.
 */
export function robotsFromFetch(
  robotsUrl: string,
  result: SafeFetchResult,
  userAgent: string = ROBOTS_USER_AGENT,
): { rules: RobotsRules; note: string | null; text: string } {
  if (result.ok && result.status >= 200 && result.status < 300) {
    const note = result.truncated ? `robots.txt ${robotsUrl}: only its first ${result.body.length} bytes were read` : null;
    const text = result.body.toString('utf8');
    return { rules: parseRobots(robotsUrl, text, userAgent), note, text };
  }
  if (result.ok && result.status < 500) {
    return { rules: parseRobots(robotsUrl, '', userAgent), note: null, text: '' };
  }
  const why = result.ok ? `HTTP ${result.status}` : result.reason;
  const disallowAll = 'User-agent: *\nDisallow: /';
  return {
    text: disallowAll,
    rules: parseRobots(robotsUrl, disallowAll, userAgent),
    note: `robots.txt ${robotsUrl} could not be read (${why}): the site is treated as disallowed (RFC 9309)`,
  };
}
