// Pure: which discovered URLs join an audit's frontier, and which are recorded as skipped (and why).
import { SkipReason, type AuditOptions, type PageSource } from '../core/audit';
import { normaliseUrl } from './normalise-url';
import { compilePatterns, scopeVerdict, type Matcher } from './scope';
import type { RobotsRules } from './robots';
import { urlPattern } from './url-pattern';

export interface AuditScope {
  siteHosts: string[];
  include: Matcher[];
  exclude: Matcher[];
  robots: RobotsRules | null;
  maxDepth: number;
  maxPerPattern: number;
}

/** One row for audit_pages: pending (to scan) or skipped with its reason. */
export interface PlannedPage {
  url: string;
  depth: number;
  source: PageSource;
  foundOn: string | null;
  pattern: string;
  status: 'pending' | 'skipped';
  skipReason: SkipReason | null;
  lastmod: Date | null;
}

/** Skipped rows kept per call: an audit records why it left URLs out, but a page of 5,000 off-site links is not 5,000 rows. */
export const MAX_SKIPPED_PER_BATCH = 200;

/** The scope of an audit from its stored options (patterns were validated by the API; a bad one here is a bug). */
export function auditScope(options: AuditOptions, siteHosts: string[], robots: RobotsRules | null): AuditScope {
  const include = compilePatterns(options.include);
  const exclude = compilePatterns(options.exclude);
  if (!include.ok || !exclude.ok) throw new Error('stored audit patterns do not compile');
  return {
    siteHosts,
    include: include.matchers,
    exclude: exclude.matchers,
    robots: options.respectRobots ? robots : null,
    maxDepth: options.maxDepth,
    maxPerPattern: options.maxPerPattern,
  };
}

/**
 * Plans the rows for URLs found at `depth` (links of a page at depth-1, or sitemap entries at 0). `seen` holds URLs the
 * audit already has (they are left out); `patternCounts` the admitted pages per URL pattern so far, updated in place.
 */
export function planPages(
  found: ReadonlyArray<{ url: string; lastmod?: string | null }>,
  ctx: {
    scope: AuditScope;
    depth: number;
    source: PageSource;
    foundOn: string | null;
    base?: string;
    seen: ReadonlySet<string>;
    patternCounts: Map<string, number>;
  },
): PlannedPage[] {
  const out: PlannedPage[] = [];
  const planned = new Set<string>();
  let skipped = 0;
  for (const item of found) {
    const url = normaliseUrl(item.url, ctx.base);
    if (url === null || ctx.seen.has(url) || planned.has(url)) continue;
    planned.add(url);
    const pattern = urlPattern(url);
    let reason: SkipReason | null = scopeVerdict(url, ctx.scope);
    if (reason === null && ctx.depth > ctx.scope.maxDepth) reason = SkipReason.MaxDepth;
    if (reason === null && (ctx.patternCounts.get(pattern) ?? 0) >= ctx.scope.maxPerPattern) reason = SkipReason.PatternCap;
    if (reason !== null && ++skipped > MAX_SKIPPED_PER_BATCH) continue;
    if (reason === null) ctx.patternCounts.set(pattern, (ctx.patternCounts.get(pattern) ?? 0) + 1);
    const lastmod = item.lastmod ? new Date(item.lastmod) : null;
    out.push({
      url,
      depth: ctx.depth,
      source: ctx.source,
      foundOn: ctx.foundOn,
      pattern,
      status: reason === null ? 'pending' : 'skipped',
      skipReason: reason,
      lastmod: lastmod && !Number.isNaN(lastmod.getTime()) ? lastmod : null,
    });
  }
  return out;
}
