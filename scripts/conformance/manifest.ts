// Pure: the corpus manifest (one entry per ACT test case, see the corpus README) and the command's filters.
import { z } from 'zod';
import { UsageError } from './errors';

export const EXPECTED_OUTCOMES = ['passed', 'failed', 'inapplicable'] as const;
export const PUBLISHED_OUTCOMES = [...EXPECTED_OUTCOMES, 'cantTell', 'untested'] as const;
export type ExpectedOutcome = (typeof EXPECTED_OUTCOMES)[number];
/** What axe-core's own ACT report says it produced; `untested` when the report has no result. */
export type PublishedOutcome = (typeof PUBLISHED_OUTCOMES)[number];

const ManifestEntry = z.object({
  actRuleId: z.string().min(1),
  actRuleName: z.string(),
  axeRuleIds: z.array(z.string().min(1)).min(1),
  testcaseId: z.string().min(1),
  testcaseTitle: z.string(),
  path: z.string().min(1),
  expected: z.enum(EXPECTED_OUTCOMES),
  axeOutcome: z.enum(PUBLISHED_OUTCOMES),
  // A hint that a static server without network cannot reproduce the case (external frame, meta refresh, ...).
  localServeIssues: z.array(z.object({ type: z.string() }).passthrough()).default([]),
});

export type ConformanceCase = z.infer<typeof ManifestEntry>;

/** Validates manifest.json's text; the error names the first bad entry and field. */
export function parseManifest(text: string): ConformanceCase[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`manifest.json is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(json)) throw new UsageError('manifest.json must be an array of test cases');
  return json.map((entry, index) => {
    const parsed = ManifestEntry.safeParse(entry);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new UsageError(`manifest.json entry ${index}: ${issue.path.join('.') || '(entry)'}: ${issue.message}`);
  });
}

export interface CaseFilter {
  /** ACT rule ids; empty or absent means every rule. */
  rules?: readonly string[];
  /** At most this many cases, in manifest order, after the rule filter. */
  limit?: number;
}

/** The cases to run: the manifest order is kept, so `--limit` is reproducible. */
export function selectCases(cases: readonly ConformanceCase[], filter: CaseFilter = {}): ConformanceCase[] {
  const rules = filter.rules ?? [];
  const known = new Set(cases.map((c) => c.actRuleId));
  const unknown = rules.filter((r) => !known.has(r));
  if (unknown.length > 0) throw new UsageError(`no test cases for ACT rule ${unknown.join(', ')} in manifest.json`);
  const wanted = new Set(rules);
  const selected = rules.length === 0 ? [...cases] : cases.filter((c) => wanted.has(c.actRuleId));
  return filter.limit === undefined ? selected : selected.slice(0, filter.limit);
}
