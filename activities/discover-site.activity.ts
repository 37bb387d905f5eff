import { Context } from '@temporalio/activity';
import type { PrismaClient, Prisma } from '../lib/prisma';
import type { UrlPolicy } from '../targets/url-safety';
import { fetchWithinPolicy } from '../targets/safe-fetch';
import type { AuditOptions } from '../core/audit';
import { auditScope, planPages } from '../audits/frontier';
import { isOnSite } from '../audits/normalise-url';
import { parseRobots, ROBOTS_USER_AGENT, type RobotsRules } from '../audits/robots';
import { readSitemaps } from '../audits/sitemaps';
import { insertPlannedPages, patternCounts } from './audit-records.activity';

export interface DiscoverSiteDeps {
  prisma: PrismaClient;
  urlPolicy: UrlPolicy;
  userAgent?: string;
}

/** robots.txt beyond this is cut (Google reads 500 KiB of it). */
const ROBOTS_MAX_BYTES = 512 * 1024;
const FETCH_TIMEOUT_MS = 15_000;
/** robots.txt Crawl-delay honoured at most this long between page starts. */
const MAX_CRAWL_DELAY_MS = 30_000;

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
    fetchWithinPolicy(url, deps.urlPolicy, { maxBytes, timeoutMs: FETCH_TIMEOUT_MS, userAgent: deps.userAgent });

  return {
    async discoverSite({ auditId }: { auditId: string }): Promise<DiscoveryResult> {
      const audit = await deps.prisma.audit.findUniqueOrThrow({ where: { id: auditId } });
      const options = audit.options as unknown as AuditOptions;
      const start = new URL(audit.startUrl);
      const notes: string[] = [];
      const heartbeat = () => Context.current().heartbeat();

      const robotsUrl = new URL('/robots.txt', start).href;
      const robotsFetch = await fetchText(robotsUrl, ROBOTS_MAX_BYTES);
      let robots: RobotsRules | null = null;
      let robotsText: string | null = null;
      if (robotsFetch.ok && robotsFetch.status === 200) {
        robotsText = robotsFetch.body.toString('utf8');
        robots = parseRobots(robotsUrl, robotsText, ROBOTS_USER_AGENT);
        if (robotsFetch.truncated) notes.push(`robots.txt: read its first ${ROBOTS_MAX_BYTES} bytes`);
      } else {
        notes.push(`robots.txt: ${robotsFetch.ok ? `HTTP ${robotsFetch.status}` : robotsFetch.reason} (no rules applied)`);
      }
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
            : (robots?.sitemaps.filter((u) => isOnSite(u, audit.siteHosts)) ?? []).concat(
                robots?.sitemaps.some((u) => isOnSite(u, audit.siteHosts)) ? [] : [new URL('/sitemap.xml', start).href],
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

      const crawlDelayMs = options.respectRobots && robots?.crawlDelayMs ? Math.min(MAX_CRAWL_DELAY_MS, robots.crawlDelayMs) : 0;
      const discovery = {
        robots: {
          url: robotsUrl,
          found: robotsText !== null,
          respected: options.respectRobots,
          crawlDelayMs: robots?.crawlDelayMs ?? null,
          sitemaps: robots?.sitemaps ?? [],
        },
        sitemaps: sitemapReport?.files ?? [],
        sitemapEntries: sitemapReport?.entries.length ?? 0,
        notes,
      };
      await deps.prisma.audit.update({
        where: { id: auditId },
        data: {
          robotsTxt: options.respectRobots && robotsText !== null ? robotsText.slice(0, ROBOTS_MAX_BYTES) : null,
          discovery: discovery as unknown as Prisma.InputJsonValue,
        },
      });
      return { crawlDelayMs, pages };
    },
  };
}
