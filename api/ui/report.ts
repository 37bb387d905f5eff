// Pure: groups stored axe rules for the report and fingerprints issues so re-scans can be compared.
import { createHash } from 'node:crypto';
import { impactRank, successCriterionOf } from '../../core/scoring';

export interface ReportNode {
  target: unknown;
  html: string;
  failureSummary?: string;
}

export interface ReportRule {
  kind: string;
  ruleId: string;
  impact: string | null;
  wcag: string[];
  tags: string[];
  help: string;
  helpUrl: string;
  nodeCount: number;
  nodes: ReportNode[];
}

export const PRINCIPLES: Record<string, string> = { '1': 'Perceivable', '2': 'Operable', '3': 'Understandable', '4': 'Robust' };
export { successCriterionOf };

export interface CriterionGroup {
  sc: string;
  rules: ReportRule[];
}
export interface PrincipleGroup {
  principle: string;
  name: string;
  criteria: CriterionGroup[];
}

const byNumber = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

/**
 * Principle → success criterion → rule. A rule mapped to several criteria appears under each; a rule with no
 * WCAG criterion (best practice tags) goes under principle "other".
 */
export function groupByWcag(rules: readonly ReportRule[]): PrincipleGroup[] {
  const principles = new Map<string, Map<string, ReportRule[]>>();
  for (const rule of rules) {
    const scs = [...new Set([...rule.wcag, ...rule.tags.map(successCriterionOf).filter((s): s is string => !!s)])];
    const keys = scs.length ? scs : ['other'];
    for (const sc of keys) {
      const p = sc === 'other' ? 'other' : sc[0];
      const criteria = principles.get(p) ?? new Map<string, ReportRule[]>();
      principles.set(p, criteria);
      criteria.set(sc, [...(criteria.get(sc) ?? []), rule]);
    }
  }
  return [...principles.entries()]
    .sort(([a], [b]) => (a === 'other' ? 1 : b === 'other' ? -1 : a.localeCompare(b)))
    .map(([p, criteria]) => ({
      principle: p,
      name: PRINCIPLES[p] ?? 'Other (no WCAG success criterion)',
      criteria: [...criteria.entries()]
        .sort(([a], [b]) => (a === 'other' ? 1 : b === 'other' ? -1 : byNumber(a, b)))
        .map(([sc, rs]) => ({
          sc,
          rules: [...rs].sort((x, y) => impactRank(x.impact) - impactRank(y.impact) || x.ruleId.localeCompare(y.ruleId)),
        })),
    }));
}

/** An axe target as one readable string: frame paths are joined with " >>> ". */
export function selectorText(target: unknown): string {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) return target.map((t) => (Array.isArray(t) ? t.join(' ') : String(t))).join(' >>> ');
  return JSON.stringify(target ?? '');
}

/**
 * The selector with what differs between repeats of one template removed: positional pseudo-classes, numeric
 * ids and class suffixes, whitespace. `li:nth-child(3) > a` and `li:nth-child(7) > a` become the same.
 */
export function normaliseSelector(selector: string): string {
  return selector
    .replace(/:nth-(child|of-type|last-child|last-of-type)\([^)]*\)/g, '')
    .replace(/([#.][A-Za-z_-]*?)[-_]?\d+\b/g, '$1')
    .replace(/\s*([>+~])\s*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The snippet with per-instance values removed: text content, numbers, href/src/id/value attribute values. */
export function normaliseSnippet(snippet: string): string {
  return snippet
    .replace(/\s(href|src|srcset|id|value|alt|title|aria-label|for|name|data-[\w-]+)="[^"]*"/gi, ' $1=""')
    .replace(/>[^<]*</g, '><')
    .replace(/\d+/g, '0')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** rule + normalised selector + hash of the normalised snippet: the same issue on another page or row matches. */
export function fingerprint(ruleId: string, target: unknown, snippet: string): string {
  const hash = createHash('sha256').update(normaliseSnippet(snippet)).digest('hex').slice(0, 12);
  return `${ruleId}|${normaliseSelector(selectorText(target))}|${hash}`;
}

export interface Issue {
  fingerprint: string;
  ruleId: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  /** One representative element. */
  selector: string;
  html: string;
  /** How many elements share this fingerprint. */
  count: number;
}

/** The violations of one scan as issues: one per fingerprint, with the number of elements it covers. */
export function issuesOf(rules: readonly ReportRule[]): Map<string, Issue> {
  const out = new Map<string, Issue>();
  for (const r of rules) {
    if (r.kind !== 'violation') continue;
    // Elements beyond those stored (core/scoring keeps 50) are counted under the rule's first stored element.
    const extra = Math.max(0, r.nodeCount - r.nodes.length);
    r.nodes.forEach((n, i) => {
      const fp = fingerprint(r.ruleId, n.target, n.html);
      const seen = out.get(fp);
      const add = 1 + (i === 0 ? extra : 0);
      if (seen) seen.count += add;
      else
        out.set(fp, {
          fingerprint: fp,
          ruleId: r.ruleId,
          impact: r.impact,
          help: r.help,
          helpUrl: r.helpUrl,
          selector: selectorText(n.target),
          html: n.html,
          count: add,
        });
    });
    if (r.nodes.length === 0 && r.nodeCount > 0) {
      const fp = fingerprint(r.ruleId, '', '');
      out.set(fp, {
        fingerprint: fp,
        ruleId: r.ruleId,
        impact: r.impact,
        help: r.help,
        helpUrl: r.helpUrl,
        selector: '',
        html: '',
        count: r.nodeCount,
      });
    }
  }
  return out;
}

export interface IssueDiff {
  new: Issue[];
  fixed: Issue[];
  open: Issue[];
}

/** What `after` has that `before` had not (new), what it lost (fixed), and what both have (still open). */
export function diffIssues(before: Map<string, Issue>, after: Map<string, Issue>): IssueDiff {
  const sort = (xs: Issue[]) =>
    xs.sort((a, b) => impactRank(a.impact) - impactRank(b.impact) || b.count - a.count || a.fingerprint.localeCompare(b.fingerprint));
  return {
    new: sort([...after.values()].filter((i) => !before.has(i.fingerprint))),
    fixed: sort([...before.values()].filter((i) => !after.has(i.fingerprint))),
    open: sort([...after.values()].filter((i) => before.has(i.fingerprint))),
  };
}
