// Pure: groups stored axe rules for the report. Issue fingerprints (re-scan comparison) live in core/issues.ts.
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
