// Pure: one test case's outcome from a stored scan, and how it compares with the ACT reference and with axe-core's
// published report. ACT semantics: passed and inapplicable are interchangeable, only `failed` must match. We do
// not store passes or inapplicable rules, so a completed scan reads as `passed` unless a mapped rule failed or
// needs review.
import type { ConformanceCase, ExpectedOutcome, PublishedOutcome } from './manifest';

export type OurOutcome = 'passed' | 'failed' | 'cantTell' | 'error';

/** The part of `GET /api/scans/:id` the outcome depends on. */
export interface ScanView {
  scanId: string;
  status: string;
  violations: ReadonlyArray<{ ruleId: string }>;
  needsReview: ReadonlyArray<{ ruleId: string }>;
  inconclusive?: boolean;
  inconclusiveReason?: string;
  failureReason?: string;
  failureMessage?: string;
  durationMs?: number | null;
}

export interface DerivedOutcome {
  outcome: OurOutcome;
  /** Mapped axe rules that reported a violation / needed review. */
  failedRules: string[];
  cantTellRules: string[];
  failureReason?: string;
  failureMessage?: string;
}

/** failed > cantTell > passed over the case's axe rules; a scan that did not complete is an `error`. */
export function deriveOutcome(scan: ScanView, axeRuleIds: readonly string[]): DerivedOutcome {
  if (scan.status !== 'completed') {
    return {
      outcome: 'error',
      failedRules: [],
      cantTellRules: [],
      failureReason: scan.failureReason ?? scan.status,
      failureMessage: scan.failureMessage,
    };
  }
  const mapped = new Set(axeRuleIds);
  const failedRules = [...new Set(scan.violations.map((v) => v.ruleId).filter((id) => mapped.has(id)))];
  const cantTellRules = [...new Set(scan.needsReview.map((v) => v.ruleId).filter((id) => mapped.has(id)))];
  const outcome: OurOutcome = failedRules.length > 0 ? 'failed' : cantTellRules.length > 0 ? 'cantTell' : 'passed';
  return { outcome, failedRules, cantTellRules };
}

const NOT_FAILED = new Set<string>(['passed', 'inapplicable']);

/** ACT consistency with the reference: both failed, or both passed/inapplicable. cantTell and error never agree. */
export function agreesWithExpected(ours: OurOutcome, expected: ExpectedOutcome): boolean {
  if (ours === 'failed') return expected === 'failed';
  return NOT_FAILED.has(ours) && NOT_FAILED.has(expected);
}

/**
 * Whether we reproduce axe-core's published outcome: the same ACT semantics, plus cantTell matching cantTell (both
 * implementations saying "needs review" is the same answer). null when the report has no result (`untested`).
 */
export function agreesWithPublished(ours: OurOutcome, published: PublishedOutcome): boolean | null {
  if (published === 'untested') return null;
  if (ours === 'cantTell' || published === 'cantTell') return ours === published;
  if (ours === 'failed' || published === 'failed') return ours === published;
  return ours !== 'error';
}

/** One test case's full result, as printed and as written by `--json`. */
export interface CaseResult {
  actRuleId: string;
  actRuleName: string;
  testcaseId: string;
  testcaseTitle: string;
  path: string;
  url: string;
  axeRuleIds: string[];
  expected: ExpectedOutcome;
  published: PublishedOutcome;
  outcome: OurOutcome;
  agreesWithExpected: boolean;
  /** null when axe-core's report has no result for the case. */
  agreesWithPublished: boolean | null;
  failedRules: string[];
  cantTellRules: string[];
  scanId?: string;
  failureReason?: string;
  failureMessage?: string;
  inconclusiveReason?: string;
  durationMs?: number;
  /** The corpus's hint that a network-less static server cannot reproduce the case. */
  localServeIssues: string[];
}

/** Why the command itself got no terminal scan: the API refused it (`submit`) or it never ended (`client_timeout`). */
export interface ClientFailure {
  clientFailure: 'submit' | 'client_timeout' | 'poll';
  message: string;
  scanId?: string;
}

/** Judges one case against its scan, or against the client-side failure that left it without one. */
export function judgeCase(c: ConformanceCase, url: string, scan: ScanView | ClientFailure): CaseResult {
  const failed = 'clientFailure' in scan ? scan : undefined;
  const view = 'clientFailure' in scan ? undefined : scan;
  const derived: DerivedOutcome = failed
    ? { outcome: 'error', failedRules: [], cantTellRules: [], failureReason: failed.clientFailure, failureMessage: failed.message }
    : deriveOutcome(scan as ScanView, c.axeRuleIds);
  return {
    actRuleId: c.actRuleId,
    actRuleName: c.actRuleName,
    testcaseId: c.testcaseId,
    testcaseTitle: c.testcaseTitle,
    path: c.path,
    url,
    axeRuleIds: [...c.axeRuleIds],
    expected: c.expected,
    published: c.axeOutcome,
    outcome: derived.outcome,
    agreesWithExpected: agreesWithExpected(derived.outcome, c.expected),
    agreesWithPublished: agreesWithPublished(derived.outcome, c.axeOutcome),
    failedRules: derived.failedRules,
    cantTellRules: derived.cantTellRules,
    scanId: view?.scanId ?? failed?.scanId,
    failureReason: derived.failureReason,
    failureMessage: derived.failureMessage,
    inconclusiveReason: view?.inconclusive ? view.inconclusiveReason : undefined,
    durationMs: view?.durationMs ?? undefined,
    localServeIssues: [...new Set(c.localServeIssues.map((i) => i.type))],
  };
}
