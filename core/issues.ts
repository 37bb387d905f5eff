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

/**
 * The key of the same issue on different pages of one site. axe makes each selector unique within its own page, so the
 * shared footer's paragraph is `p:nth-child(1)` on one page and `footer > p` on another: across pages the element is
 * known by its rule, the landmark it sits in and its markup without per-element values instead.
 */
export function siteFingerprint(ruleId: string, region: string | null | undefined, snippet: string): string {
  return `${ruleId}|${region ?? '-'}|${shortHash(normaliseSnippet(snippet))}`;
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

/** One fingerprinted element of a rule, with how many elements it stands for. */
export interface FingerprintedNode<N extends IssueNode = IssueNode> {
  fingerprint: string;
  /** null: the rule counted elements but stored none. */
  node: N | null;
  /** 1, plus, on a rule's first stored element, the elements axe found beyond those stored. */
  count: number;
}

/** The elements of a violated rule with their fingerprints: the one place that decides what an issue's elements are. */
export function fingerprintedNodes<N extends IssueNode>(
  rule: Omit<IssueRule, 'nodes'> & { nodes: readonly N[] },
  keyOf: (ruleId: string, node: N | null) => string = (ruleId, n) => fingerprint(ruleId, n?.target ?? '', n?.html ?? ''),
): FingerprintedNode<N>[] {
  if (rule.kind !== 'violation') return [];
  // Elements beyond those stored (core/scoring keeps 50) are counted under the rule's first stored element.
  const extra = Math.max(0, rule.nodeCount - rule.nodes.length);
  const out: FingerprintedNode<N>[] = rule.nodes.map((n, i) => ({
    fingerprint: keyOf(rule.ruleId, n),
    node: n,
    count: 1 + (i === 0 ? extra : 0),
  }));
  if (rule.nodes.length === 0 && rule.nodeCount > 0) out.push({ fingerprint: keyOf(rule.ruleId, null), node: null, count: rule.nodeCount });
  return out;
}

/** The violations of one scan as issues: one per fingerprint, with the number of elements it covers. */
export function issuesOf(rules: readonly IssueRule[]): Map<string, Issue> {
  const out = new Map<string, Issue>();
  for (const r of rules) {
    for (const { fingerprint: fp, node, count } of fingerprintedNodes(r)) {
      const seen = out.get(fp);
      if (seen) seen.count += count;
      else
        out.set(fp, {
          fingerprint: fp,
          ruleId: r.ruleId,
          impact: r.impact,
          help: r.help,
          helpUrl: r.helpUrl,
          selector: node ? selectorText(node.target) : '',
          html: node?.html ?? '',
          count,
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
