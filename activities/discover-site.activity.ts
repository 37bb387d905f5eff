import { Context } from '@temporalio/activity';
import type { PrismaClient, Prisma } from '../lib/prisma';
import type { UrlPolicy } from '../targets/url-safety';
import { fetchWithinPolicy } from '../targets/safe-fetch';
import type { AuditOptions } from '../core/audit';
import { auditScope, planPages } from '../audits/frontier';
import { isOnSite } from '../audits/normalise-url';
import { MAX_CRAWL_DELAY_MS, ROBOTS_MAX_BYTES, ROBOTS_USER_AGENT, robotsFromFetch, robotsUrlOf, type RobotsRules } from '../audits/robots';
import { readSitemaps } from '../audits/sitemaps';
import { insertPlannedPages, patternCounts } from './audit-records.activity';

export interface DiscoverSiteDeps {
  prisma: PrismaClient;
  urlPolicy: UrlPolicy;
  userAgent?: string;
}

const FETCH_TIMEOUT_MS = 15_000;
/** What discovery says it is when SCAN_USER_AGENT is not set: robots.txt rules for WCAGScanner apply to it. */
export const DISCOVERY_USER_AGENT = `${ROBOTS_USER_AGENT}/1.0 (+accessibility audit)`;

export interface DiscoveryResult {
  /** robots.txt Crawl-delay (respectRobots), as a floor for the audit's delay between page starts. */
  crawlDelayMs: number;
  pages: number;
}

/**
 * Seeds an audit's frontier: the start page, then robots.txt and the sitemaps it names (or /sitemap.xml). Every
 * fetch goes through the target-safety rules and connects to the address it checked; sitemaps are only read from
 * the audited site (or the sitemap URL the user gave), so a sitemap cannot point discovery at another host.
 */
export function createDiscoverSiteActivity(deps: DiscoverSiteDeps) {
  const fetchText = (url: string, maxBytes: number) =>
    fetchWithinPolicy(url, deps.urlPolicy, { maxBytes, timeoutMs: FETCH_TIMEOUT_MS, userAgent: deps.userAgent ?? DISCOVERY_USER_AGENT });

  return {
    async discoverSite({ auditId }: { auditId: string }): Promise<DiscoveryResult> {
      const audit = await deps.prisma.audit.findUniqueOrThrow({ where: { id: auditId } });
      const options = audit.options as unknown as AuditOptions;
      const start = new URL(audit.startUrl);
      const notes: string[] = [];
      const heartbeat = () => Context.current().heartbeat();

      const robotsUrl = robotsUrlOf(audit.startUrl);
      // RFC 9309: a 4xx means no rules, an unreachable robots.txt (5xx, network) means the whole site is disallowed.
      const robotsRead = robotsFromFetch(robotsUrl, await fetchText(robotsUrl, ROBOTS_MAX_BYTES), ROBOTS_USER_AGENT);
      const robots: RobotsRules = robotsRead.rules;
      const robotsText: string = robotsRead.text;
      if (robotsRead.note) notes.push(robotsRead.note);
      heartbeat();

      const scope = auditScope(options, audit.siteHosts, robots);
      const counts = await patternCounts(deps.prisma, auditId);
      const startRows = planPages([{ url: audit.startUrl }], {
        scope: { ...scope, maxDepth: Number.MAX_SAFE_INTEGER },
        depth: 0,
        source: 'start',
        foundOn: null,
        seen: new Set(),
        patternCounts: counts,
      });
      let pages = await insertPlannedPages(deps.prisma, auditId, startRows);

      const explicit = options.sitemap !== 'auto' && options.sitemap !== 'off' ? options.sitemap : null;
      const sitemapUrls =
        options.sitemap === 'off'
          ? []
          : explicit
            ? [explicit]
            : (robots.sitemaps.filter((u: string) => isOnSite(u, audit.siteHosts)) ?? []).concat(
                robots.sitemaps.some((u: string) => isOnSite(u, audit.siteHosts)) ? [] : [new URL('/sitemap.xml', start).href],
              );
      let sitemapReport: Awaited<ReturnType<typeof readSitemaps>> | null = null;
      if (sitemapUrls.length > 0) {
        const explicitHost = explicit ? new URL(explicit).hostname : null;
        sitemapReport = await readSitemaps(sitemapUrls, {
          fetch: (url) => {
            heartbeat();
            return fetchText(url, 10 * 1024 * 1024);
          },
          isAllowedSitemapUrl: (url) => isOnSite(url, audit.siteHosts) || (explicitHost !== null && new URL(url).hostname === explicitHost),
        });
        notes.push(...sitemapReport.notes);
        const seen = new Set<string>(startRows.map((r) => r.url));
        const rows = planPages(sitemapReport.entries, { scope, depth: 0, source: 'sitemap', foundOn: null, seen, patternCounts: counts });
        pages += await insertPlannedPages(deps.prisma, auditId, rows);
      }

      const crawlDelayMs = options.respectRobots && robots.crawlDelayMs ? Math.min(MAX_CRAWL_DELAY_MS, robots.crawlDelayMs) : 0;
      const discovery = {
        robots: {
          url: robotsUrl,
          found: robotsText !== '',
          respected: options.respectRobots,
          crawlDelayMs: robots.crawlDelayMs,
          sitemaps: robots.sitemaps,
        },
        sitemaps: sitemapReport?.files ?? [],
        sitemapEntries: sitemapReport?.entries.length ?? 0,
        notes,
      };
      await deps.prisma.audit.update({
        where: { id: auditId },
        data: {
          robotsTxt: options.respectRobots ? robotsText.slice(0, ROBOTS_MAX_BYTES) : null,
          discovery: discovery as unknown as Prisma.InputJsonValue,
        },
      });
      return { crawlDelayMs, pages };
    },
  };
}
