// Pure: issue fingerprints, so the same problem on another element, page or scan is recognised as one issue.
// Used by the scan report, scan comparison and the site report; loaded in the workflow sandbox (no Node APIs).
import { impactRank } from './scoring';

/** What fingerprinting needs of a stored axe element. */
export interface IssueNode {
  target: unknown;
  html: string;
}

/** What fingerprinting needs of a stored axe rule (core/scoring StoredRule and the UI's ReportRule both fit). */
export interface IssueRule {
  kind: string;
  ruleId: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodeCount: number;
  nodes: readonly IssueNode[];
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

/** FNV-1a over UTF-16 code units, 32 bits, from `seed`. */
function fnv1a(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * 12 hex characters from two independently seeded 32-bit FNV-1a hashes: collisions are unlikely among the few
 * thousand snippets of one report, and it needs no crypto (fingerprints are computed when read, never stored).
 */
export function shortHash(text: string): string {
  const a = fnv1a(text, 0x811c9dc5).toString(16).padStart(8, '0');
  const b = fnv1a(text, 0x01000193 ^ 0x5bd1e995)
    .toString(16)
    .padStart(8, '0');
  return (a + b).slice(0, 12);
}

/** rule + normalised selector + hash of the normalised snippet: the same issue on another page or row matches. */
export function fingerprint(ruleId: string, target: unknown, snippet: string): string {
  return `${ruleId}|${normaliseSelector(selectorText(target))}|${shortHash(normaliseSnippet(snippet))}`;
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
export function issuesOf(rules: readonly IssueRule[]): Map<string, Issue> {
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
