// The site report of an audit: pure, computed from what Postgres holds (pages, their scans' stored rules).
// Issues are grouped where they are fixed: one row per fingerprint (core/issues.ts) across pages, placed in the
// shared layout, one template or one page; templates are pages with the same DOM skeleton (audits/page-structure.ts).
import { SkipReason as SkipReasons, type AuditPageStatus, type SkipReason } from '../core/audit';
import type { Impact, ImpactCounts } from '../core/contracts';
import { fingerprintedNodes, selectorText, siteFingerprint } from '../core/issues';
import { IMPACTS, impactRank, type StoredNode } from '../core/scoring';

export interface ReportPageInput {
  pageId: string;
  url: string;
  status: AuditPageStatus;
  skipReason: SkipReason | null;
  detail: string | null;
  depth: number;
  /** URL pattern (audits/url-pattern.ts). */
  pattern: string;
  scanId: string | null;
  score: number | null;
  counts: ImpactCounts | null;
  /** DOM skeleton hash of the rendered page (audit scans store it). */
  skeleton: string | null;
  failureReason: string | null;
}

export interface ReportRuleInput {
  scanId: string;
  kind: string; // violation | incomplete
  ruleId: string;
  impact: string | null;
  wcag: string[];
  help: string;
  helpUrl: string;
  nodeCount: number;
  /** Stored nodes; audit scans add `region` (the landmark the element sits in: header, nav, main, footer, aside...). */
  nodes: Array<StoredNode & { region?: string | null }>;
}

export interface SiteIssue {
  fingerprint: string;
  ruleId: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  wcag: string[];
  /** One representative element. */
  selector: string;
  html: string;
  region: string | null;
  /** Scanned pages it was found on, of all scanned pages. */
  pages: number;
  ofPages: number;
  /** Elements across those pages. */
  elements: number;
  /** 'site-wide' (shared layout), 'template' (one template's pages) or 'page'. */
  scope: 'site-wide' | 'template' | 'page';
  /** Where to fix it, for people: "in the shared header, on 287 of 300 pages". */
  where: string;
  templates: string[];
  /** Up to 5 page URLs it was found on. */
  examplePages: string[];
  /** With sampling: pages of its templates it is estimated to affect. */
  estimatedPages?: number;
}

export interface SiteTemplate {
  id: string;
  /** The most common URL pattern of its pages. */
  label: string;
  pages: number;
  scanned: number;
  /** Pages discovered with its URL pattern but not scanned (sampling). */
  sampledOut: number;
}

export interface SiteReport {
  /** Mean page score of scanned pages (weighted by template size when sampled); null before any page is scanned. */
  score: number | null;
  pages: { discovered: number; scanned: number; failed: number; skipped: number; skippedByReason: Record<string, number> };
  totals: { byImpact: ImpactCounts; byCriterion: Array<{ criterion: string; elements: number; pages: number; issues: number }> };
  templates: SiteTemplate[];
  issues: SiteIssue[];
  pageTable: Array<{
    url: string;
    status: AuditPageStatus;
    score: number | null;
    counts: ImpactCounts | null;
    template: string | null;
    scanId: string | null;
    reason: string | null;
  }>;
  sampling: { perTemplate: number; extrapolated: true } | null;
  comparison: { previousAuditId: string; new: SiteIssue[]; fixed: SiteIssue[]; open: SiteIssue[] } | null;
}

export interface SiteReportInput {
  pages: ReportPageInput[];
  rules: ReportRuleInput[];
  sampling?: { perTemplate: number };
  /** The previous completed audit of the same site (and client/prospect), for new / fixed / still open. */
  previous?: { auditId: string; pages: ReportPageInput[]; rules: ReportRuleInput[] };
}

/** An issue is in the shared layout when it is on pages of 2+ templates and on at least this share of pages. */
export const SITE_WIDE_SHARE = 0.5;
const EXAMPLE_PAGES = 5;

const REGION_NAMES: Record<string, string> = {
  header: 'header',
  navigation: 'navigation',
  footer: 'footer',
  complementary: 'sidebar',
  main: 'main content',
};

const STATUS_ORDER: readonly AuditPageStatus[] = ['scanned', 'scanning', 'pending', 'failed', 'skipped'];

interface Template {
  id: string;
  /** URL pattern → pages of this template with it (label = the most common). */
  patterns: Map<string, number>;
  scanned: ReportPageInput[];
  failed: number;
  sampledOut: number;
}

/** An issue while it is being gathered: the pages and templates it was found on, its regions. */
interface Gathered {
  issue: Omit<SiteIssue, 'pages' | 'ofPages' | 'elements' | 'scope' | 'where' | 'templates' | 'examplePages' | 'region'>;
  pageIds: Set<string>;
  urls: Set<string>;
  /** template id → pages of it the issue is on */
  byTemplate: Map<string, number>;
  regions: Map<string, number>;
  elements: number;
}

const byCount = <K>(counts: Map<K, number>, tieBreak: (a: K, b: K) => number): K | undefined =>
  [...counts.entries()].sort(([a, x], [b, y]) => y - x || tieBreak(a, b))[0]?.[0];
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** "/products/p-3?color=red" of a page URL: what a person recognises. */
function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

/** Criteria like '1.4.10' in numeric order. */
function byCriterion(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return byText(a, b);
}

/**
 * Templates from the scanned pages' skeletons (pages without one by URL pattern), and a URL pattern → template map
 * so pages that were not scanned (sampled out, failed) count towards the template their pattern mostly belongs to.
 */
function templatesOf(pages: readonly ReportPageInput[]): { templates: Map<string, Template>; ofPattern: Map<string, string> } {
  const templates = new Map<string, Template>();
  const patternVotes = new Map<string, Map<string, number>>();
  const scanned = pages.filter((p) => p.status === 'scanned').sort((a, b) => byText(a.url, b.url));
  for (const page of scanned) {
    const id = page.skeleton ?? `pattern:${page.pattern}`;
    const t: Template = templates.get(id) ?? { id, patterns: new Map(), scanned: [], failed: 0, sampledOut: 0 };
    templates.set(id, t);
    t.scanned.push(page);
    t.patterns.set(page.pattern, (t.patterns.get(page.pattern) ?? 0) + 1);
    const votes = patternVotes.get(page.pattern) ?? new Map<string, number>();
    patternVotes.set(page.pattern, votes);
    votes.set(id, (votes.get(id) ?? 0) + 1);
  }
  const ofPattern = new Map([...patternVotes].map(([pattern, votes]) => [pattern, byCount(votes, byText)!]));
  for (const page of pages) {
    const sampledOut = page.status === 'skipped' && page.skipReason === SkipReasons.SampledOut;
    if (page.status !== 'failed' && !sampledOut) continue;
    let id = ofPattern.get(page.pattern);
    if (!id && sampledOut) {
      // A pattern sampled out entirely (no scanned page): a template of its own, so its pages are still counted.
      id = `pattern:${page.pattern}`;
      ofPattern.set(page.pattern, id);
      templates.set(id, { id, patterns: new Map([[page.pattern, 0]]), scanned: [], failed: 0, sampledOut: 0 });
    }
    if (!id) continue;
    const t = templates.get(id)!;
    if (sampledOut) t.sampledOut++;
    else t.failed++;
    t.patterns.set(page.pattern, (t.patterns.get(page.pattern) ?? 0) + 1);
  }
  return { templates, ofPattern };
}

const labelOf = (t: Template): string => byCount(t.patterns, byText) ?? t.id;
const sizeOf = (t: Template): number => t.scanned.length + t.failed + t.sampledOut;

/** Where to fix it, in words: "in the shared header, on 287 of 300 pages". */
function whereOf(g: Gathered, scope: SiteIssue['scope'], region: string | null, ofPages: number, templates: Map<string, Template>): string {
  const pages = g.pageIds.size;
  const place = region ? (REGION_NAMES[region] ?? region) : null;
  if (scope === 'site-wide')
    return place
      ? `in the shared ${place}, on ${pages} of ${ofPages} pages`
      : `on ${pages} of ${ofPages} pages, across ${g.byTemplate.size} templates`;
  if (scope === 'template') {
    const t = templates.get([...g.byTemplate.keys()][0])!;
    const label = labelOf(t);
    const scanned = t.scanned.length;
    if (pages === scanned) return `${place ? `in the ${place} of` : 'on'} every ${label} page (${pages} of ${scanned})`;
    return `${place ? `in the ${place} of` : 'on'} ${pages} of ${scanned} ${label} pages`;
  }
  if (pages === 1) return `${place ? `in the ${place}, ` : ''}on ${pathOf([...g.urls][0])} only`;
  return `on ${pages} of ${ofPages} pages, across ${g.byTemplate.size} templates`;
}

/** Violations grouped by fingerprint across the scanned pages. */
function siteIssuesOf(
  pages: readonly ReportPageInput[],
  rules: readonly ReportRuleInput[],
  templates: Map<string, Template>,
  sampled: boolean,
): { issues: SiteIssue[]; pageSets: Map<string, Set<string>> } {
  const scannedByScan = new Map<string, ReportPageInput>();
  for (const p of pages) if (p.status === 'scanned' && p.scanId) scannedByScan.set(p.scanId, p);
  const templateOf = new Map<string, string>();
  for (const t of templates.values()) for (const p of t.scanned) templateOf.set(p.pageId, t.id);
  const ofPages = scannedByScan.size;

  // Pages in URL order, so the representative element and example pages do not depend on the order rows came in.
  const ordered = [...rules].sort((a, b) => {
    const pa = scannedByScan.get(a.scanId)?.url ?? '';
    const pb = scannedByScan.get(b.scanId)?.url ?? '';
    return byText(pa, pb) || byText(a.ruleId, b.ruleId);
  });
  const gathered = new Map<string, Gathered>();
  for (const rule of ordered) {
    const page = scannedByScan.get(rule.scanId);
    if (!page) continue;
    for (const { fingerprint, node, count } of fingerprintedNodes(rule, (ruleId, n) => siteFingerprint(ruleId, n?.region, n?.html ?? ''))) {
      let g = gathered.get(fingerprint);
      if (!g) {
        g = {
          issue: {
            fingerprint,
            ruleId: rule.ruleId,
            impact: rule.impact,
            help: rule.help,
            helpUrl: rule.helpUrl,
            wcag: rule.wcag,
            selector: node ? selectorText(node.target) : '',
            html: node?.html ?? '',
          },
          pageIds: new Set(),
          urls: new Set(),
          byTemplate: new Map(),
          regions: new Map(),
          elements: 0,
        };
        gathered.set(fingerprint, g);
      }
      g.elements += count;
      const region = node?.region;
      if (region) g.regions.set(region, (g.regions.get(region) ?? 0) + count);
      if (!g.pageIds.has(page.pageId)) {
        g.pageIds.add(page.pageId);
        g.urls.add(page.url);
        const t = templateOf.get(page.pageId)!;
        g.byTemplate.set(t, (g.byTemplate.get(t) ?? 0) + 1);
      }
    }
  }

  const pageSets = new Map<string, Set<string>>();
  const issues = [...gathered.values()].map((g): SiteIssue => {
    const pagesFound = g.pageIds.size;
    const scope: SiteIssue['scope'] =
      g.byTemplate.size >= 2 && pagesFound >= SITE_WIDE_SHARE * ofPages
        ? 'site-wide'
        : pagesFound >= 2 && g.byTemplate.size === 1
          ? 'template'
          : 'page';
    const region = byCount(g.regions, byText) ?? null;
    const issueTemplates = [...g.byTemplate.keys()].map((id) => templates.get(id)!);
    pageSets.set(g.issue.fingerprint, g.pageIds);
    const issue: SiteIssue = {
      ...g.issue,
      region,
      pages: pagesFound,
      ofPages,
      elements: g.elements,
      scope,
      where: whereOf(g, scope, region, ofPages, templates),
      templates: issueTemplates.map(labelOf).sort(byText),
      examplePages: [...g.urls].slice(0, EXAMPLE_PAGES),
    };
    if (sampled) {
      issue.estimatedPages = issueTemplates.reduce(
        (sum, t) => sum + Math.round((g.byTemplate.get(t.id)! / t.scanned.length) * sizeOf(t)),
        0,
      );
    }
    return issue;
  });
  issues.sort((a, b) => impactRank(a.impact) - impactRank(b.impact) || b.pages - a.pages || byText(a.fingerprint, b.fingerprint));
  return { issues, pageSets };
}

/** Mean page score; with sampling, each template's mean weighted by its size including the pages not scanned. */
function siteScore(templates: Map<string, Template>, sampled: boolean): number | null {
  let total = 0;
  let weight = 0;
  for (const t of templates.values()) {
    const scores = t.scanned.map((p) => p.score).filter((s): s is number => s !== null);
    if (!scores.length) continue;
    const sum = scores.reduce((a, b) => a + b, 0);
    if (sampled) {
      total += (sum / scores.length) * sizeOf(t);
      weight += sizeOf(t);
    } else {
      total += sum;
      weight += scores.length;
    }
  }
  return weight ? Math.round(total / weight) : null;
}

function totalsOf(issues: readonly SiteIssue[], pageSets: Map<string, Set<string>>): SiteReport['totals'] {
  const byImpact: ImpactCounts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  const criteria = new Map<string, { elements: number; pages: Set<string>; issues: number }>();
  for (const issue of issues) {
    if (issue.impact && IMPACTS.includes(issue.impact as Impact)) byImpact[issue.impact as Impact] += issue.elements;
    for (const criterion of new Set(issue.wcag)) {
      const c = criteria.get(criterion) ?? { elements: 0, pages: new Set<string>(), issues: 0 };
      criteria.set(criterion, c);
      c.elements += issue.elements;
      c.issues++;
      for (const p of pageSets.get(issue.fingerprint) ?? []) c.pages.add(p);
    }
  }
  return {
    byImpact,
    byCriterion: [...criteria.entries()]
      .sort(([a], [b]) => byCriterion(a, b))
      .map(([criterion, c]) => ({ criterion, elements: c.elements, pages: c.pages.size, issues: c.issues })),
  };
}

/**
 * The site report: score, totals by impact and WCAG success criterion (rules without one, best practices, are in
 * the impact totals only), templates, issues grouped where they are fixed, every page, and the comparison with the
 * previous audit by issue fingerprint.
 */
export function buildSiteReport(input: SiteReportInput): SiteReport {
  const sampled = input.sampling !== undefined;
  const { templates, ofPattern } = templatesOf(input.pages);
  const { issues, pageSets } = siteIssuesOf(input.pages, input.rules, templates, sampled);

  const skippedByReason: Record<string, number> = {};
  const count = (status: AuditPageStatus) => input.pages.filter((p) => p.status === status).length;
  for (const p of input.pages) {
    if (p.status !== 'skipped') continue;
    const reason = p.skipReason ?? 'unknown';
    skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1;
  }

  const templateLabelOf = new Map<string, string>();
  for (const t of templates.values()) for (const p of t.scanned) templateLabelOf.set(p.pageId, labelOf(t));
  const pageTemplate = (p: ReportPageInput): string | null => {
    const known = templateLabelOf.get(p.pageId);
    if (known) return known;
    const counted = p.status === 'failed' || (p.status === 'skipped' && p.skipReason === SkipReasons.SampledOut);
    const id = counted ? ofPattern.get(p.pattern) : undefined;
    return id ? labelOf(templates.get(id)!) : null;
  };

  let comparison: SiteReport['comparison'] = null;
  if (input.previous) {
    const before = buildSiteReport({ pages: input.previous.pages, rules: input.previous.rules, sampling: input.sampling }).issues;
    const had = new Set(before.map((i) => i.fingerprint));
    const has = new Set(issues.map((i) => i.fingerprint));
    comparison = {
      previousAuditId: input.previous.auditId,
      new: issues.filter((i) => !had.has(i.fingerprint)),
      fixed: before.filter((i) => !has.has(i.fingerprint)),
      open: issues.filter((i) => had.has(i.fingerprint)),
    };
  }

  return {
    score: siteScore(templates, sampled),
    pages: {
      discovered: input.pages.length,
      scanned: count('scanned'),
      failed: count('failed'),
      skipped: count('skipped'),
      skippedByReason,
    },
    totals: totalsOf(issues, pageSets),
    templates: [...templates.values()]
      .map((t) => ({ id: t.id, label: labelOf(t), pages: sizeOf(t), scanned: t.scanned.length, sampledOut: t.sampledOut }))
      .sort((a, b) => b.pages - a.pages || byText(a.label, b.label)),
    issues,
    pageTable: [...input.pages]
      .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || byText(a.url, b.url))
      .map((p) => ({
        url: p.url,
        status: p.status,
        score: p.score,
        counts: p.counts,
        template: pageTemplate(p),
        scanId: p.scanId,
        reason: p.skipReason ?? p.failureReason ?? null,
      })),
    sampling: input.sampling ? { perTemplate: input.sampling.perTemplate, extrapolated: true } : null,
    comparison,
  };
}
