// Pure: turns an axe-core result into what we store and what travels through Temporal.
import type { AxeResults, Result } from 'axe-core';
import type { Impact, ImpactCounts } from './contracts';

export const IMPACTS: readonly Impact[] = ['critical', 'serious', 'moderate', 'minor'];

/** Points one violated rule costs, by impact (see README "Score"). */
export const IMPACT_WEIGHT: Readonly<Record<Impact, number>> = { critical: 15, serious: 8, moderate: 4, minor: 2 };
const EXTRA_NODE_FACTOR = 0.1;
const EXTRA_NODES_COUNTED = 10;

export interface StoredNode {
  target: unknown;
  html: string;
  failureSummary?: string;
  /** Audit scans: the landmark the element sits in (header, navigation, main, footer, complementary). */
  region?: string | null;
}

export interface StoredRule {
  kind: 'violation' | 'incomplete';
  ruleId: string;
  impact: Impact | null;
  wcag: string[];
  tags: string[];
  help: string;
  helpUrl: string;
  nodeCount: number;
  nodes: StoredNode[];
}

const HTML_LIMIT = 500;
const SUMMARY_LIMIT = 1000;
const NODES_KEPT = 50;

const truncate = (s: string | undefined, n: number) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : (s ?? ''));

/** 'wcag143' → '1.4.3', 'wcag1410' → '1.4.10'; level tags ('wcag2aa') and others give nothing. */
export function successCriterionOf(tag: string): string | null {
  const m = /^wcag(\d)(\d)(\d{1,2})$/.exec(tag);
  return m ? `${m[1]}.${m[2]}.${m[3]}` : null;
}

/** 'wcag1410' → '1.4.10'; level tags such as 'wcag2aa' are not success criteria and are skipped. */
export function wcagCriteria(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    const sc = successCriterionOf(tag);
    if (sc) out.push(sc);
  }
  return out;
}

/** Sort rank of an impact: critical first; no impact ranks as minor, an unknown one last. */
export function impactRank(impact: string | null): number {
  const i = IMPACTS.indexOf((impact ?? 'minor') as Impact);
  return i < 0 ? IMPACTS.length : i;
}

function toStoredRule(kind: StoredRule['kind'], r: Result): StoredRule {
  return {
    kind,
    ruleId: r.id,
    impact: (r.impact as Impact | null | undefined) ?? null,
    wcag: wcagCriteria(r.tags),
    tags: r.tags,
    help: r.help,
    helpUrl: r.helpUrl,
    nodeCount: r.nodes.length,
    nodes: r.nodes.slice(0, NODES_KEPT).map((n) => ({
      target: n.target,
      html: truncate(n.html, HTML_LIMIT),
      failureSummary: n.failureSummary ? truncate(n.failureSummary, SUMMARY_LIMIT) : undefined,
    })),
  };
}

export function storedRules(results: Pick<AxeResults, 'violations' | 'incomplete'>): StoredRule[] {
  return [...results.violations.map((r) => toStoredRule('violation', r)), ...results.incomplete.map((r) => toStoredRule('incomplete', r))];
}

export function countByImpact(violations: readonly Pick<StoredRule, 'impact'>[]): ImpactCounts {
  const counts: ImpactCounts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const v of violations) if (v.impact) counts[v.impact]++;
  return counts;
}

/**
 * 100 minus, for each violated rule, its impact weight plus 10 % of that weight for each further failing
 * element (at most 10 more), floored at 0. Rules count once however many elements fail, so one template
 * bug repeated on every row does not outweigh ten different problems.
 */
export function score(violations: readonly Pick<StoredRule, 'impact' | 'nodeCount'>[]): number {
  let penalty = 0;
  for (const v of violations) penalty += rulePenalty(v);
  return Math.max(0, Math.round(100 - penalty));
}

/** Points one violated rule costs in `score` (an impact we do not know counts as minor). */
export function rulePenalty(v: { impact: string | null; nodeCount: number }): number {
  const w = IMPACT_WEIGHT[(v.impact ?? 'minor') as Impact] ?? IMPACT_WEIGHT.minor;
  return w * (1 + EXTRA_NODE_FACTOR * Math.min(Math.max(v.nodeCount - 1, 0), EXTRA_NODES_COUNTED));
}
