// Pure: the per-rule summary, the totals and the text the command prints.
import type { CaseResult } from './outcome';

export interface RuleSummary {
  actRuleId: string;
  actRuleName: string;
  cases: number;
  /** Cases consistent with the ACT expected outcome. */
  agreeExpected: number;
  /** Cases with the same outcome as axe-core's published report, out of `publishedCases` (untested excluded). */
  agreePublished: number;
  publishedCases: number;
  cantTell: number;
  errors: number;
}

export interface Summary {
  rules: RuleSummary[];
  totals: Omit<RuleSummary, 'actRuleId' | 'actRuleName'> & { rules: number };
}

/** Per ACT rule in first-seen order (the manifest's), and the totals over every case. */
export function summarise(results: readonly CaseResult[]): Summary {
  const byRule = new Map<string, RuleSummary>();
  for (const r of results) {
    let s = byRule.get(r.actRuleId);
    if (!s) {
      // The manifest may spell one rule's name two ways (73f2c2); the first one wins.
      s = {
        actRuleId: r.actRuleId,
        actRuleName: r.actRuleName,
        cases: 0,
        agreeExpected: 0,
        agreePublished: 0,
        publishedCases: 0,
        cantTell: 0,
        errors: 0,
      };
      byRule.set(r.actRuleId, s);
    }
    s.cases++;
    if (r.agreesWithExpected) s.agreeExpected++;
    if (r.agreesWithPublished !== null) s.publishedCases++;
    if (r.agreesWithPublished === true) s.agreePublished++;
    if (r.outcome === 'cantTell') s.cantTell++;
    if (r.outcome === 'error') s.errors++;
  }
  const rules = [...byRule.values()];
  const sum = (k: keyof Omit<RuleSummary, 'actRuleId' | 'actRuleName'>) => rules.reduce((n, s) => n + s[k], 0);
  return {
    rules,
    totals: {
      rules: rules.length,
      cases: sum('cases'),
      agreeExpected: sum('agreeExpected'),
      agreePublished: sum('agreePublished'),
      publishedCases: sum('publishedCases'),
      cantTell: sum('cantTell'),
      errors: sum('errors'),
    },
  };
}

/** Every case whose outcome differs from axe-core's published one: what the README has to explain. */
export function differences(results: readonly CaseResult[]): CaseResult[] {
  return results.filter((r) => r.agreesWithPublished === false);
}

const NAME_WIDTH = 50;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)} %`);

/** Left-aligned text columns, right-aligned numeric ones, two spaces apart. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The per-rule table with a totals row. */
export function formatSummary(summary: Summary): string {
  const header = ['ACT rule', 'name', 'cases', 'agree expected', 'agree axe published', 'cantTell', 'errors'];
  const row = (id: string, name: string, s: Omit<RuleSummary, 'actRuleId' | 'actRuleName'>) => [
    id,
    clip(name, NAME_WIDTH),
    String(s.cases),
    `${s.agreeExpected}/${s.cases}`,
    `${s.agreePublished}/${s.publishedCases}`,
    String(s.cantTell),
    String(s.errors),
  ];
  const t = summary.totals;
  const rows = [...summary.rules.map((s) => row(s.actRuleId, s.actRuleName, s)), row('total', `${t.rules} rules`, t)];
  const table = formatTable(header, rows, [false, false, true, true, true, true, true]);
  return [
    table,
    '',
    `agree with expected (ACT):      ${t.agreeExpected}/${t.cases} (${pct(t.agreeExpected, t.cases)})`,
    `agree with axe-core published:  ${t.agreePublished}/${t.publishedCases} (${pct(t.agreePublished, t.publishedCases)}; ` +
      `${t.cases - t.publishedCases} case(s) untested in axe-core's report)`,
    `cantTell: ${t.cantTell}   errors: ${t.errors}`,
  ].join('\n');
}

/** One line per case that differs from axe-core's published outcome. */
export function formatDifferences(results: readonly CaseResult[]): string {
  const diffs = differences(results);
  if (diffs.length === 0) return "No case differs from axe-core's published outcome.";
  const lines = diffs.map((r) => {
    const facts = [`ours ${r.outcome}`, `published ${r.published}`, `expected ${r.expected}`];
    if (r.outcome === 'error') facts.push(`failureReason ${r.failureReason}${r.failureMessage ? `: ${r.failureMessage}` : ''}`);
    if (r.failedRules.length) facts.push(`failed: ${r.failedRules.join(', ')}`);
    if (r.cantTellRules.length) facts.push(`needs review: ${r.cantTellRules.join(', ')}`);
    if (r.localServeIssues.length) facts.push(`local serve issues: ${r.localServeIssues.join(', ')}`);
    return `  ${r.actRuleId} ${r.testcaseTitle}  ${r.path}\n      ${facts.join('; ')}`;
  });
  return [`${diffs.length} case(s) differ from axe-core's published outcome:`, ...lines].join('\n');
}
