// The site report of an audit: pure, computed from what Postgres holds (pages, their scans' stored rules).
// STUB: the types are the contract; the implementation is being written.
import type { AuditPageStatus, SkipReason } from '../core/audit';
import type { ImpactCounts } from '../core/contracts';
import type { StoredNode } from '../core/scoring';

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

export function buildSiteReport(_input: SiteReportInput): SiteReport {
  throw new Error('buildSiteReport: not implemented yet');
}
