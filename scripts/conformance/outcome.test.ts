import type { ConformanceCase } from './manifest';
import { agreesWithExpected, agreesWithPublished, deriveOutcome, judgeCase, type OurOutcome, type ScanView } from './outcome';

const scan = (over: Partial<ScanView> = {}): ScanView => ({ scanId: 's1', status: 'completed', violations: [], needsReview: [], ...over });

describe('deriveOutcome', () => {
  const mapped = ['image-alt', 'role-img-alt'];

  it('is failed when any mapped rule is violated, even if another needs review', () => {
    const d = deriveOutcome(scan({ violations: [{ ruleId: 'role-img-alt' }], needsReview: [{ ruleId: 'image-alt' }] }), mapped);
    expect(d).toEqual({ outcome: 'failed', failedRules: ['role-img-alt'], cantTellRules: ['image-alt'] });
  });

  it('is cantTell when a mapped rule only needs review', () => {
    expect(deriveOutcome(scan({ needsReview: [{ ruleId: 'image-alt' }] }), mapped).outcome).toBe('cantTell');
  });

  it('ignores rules the case does not map', () => {
    const d = deriveOutcome(scan({ violations: [{ ruleId: 'color-contrast' }], needsReview: [{ ruleId: 'region' }] }), mapped);
    expect(d.outcome).toBe('passed');
    expect(d.failedRules).toEqual([]);
  });

  it('is passed for a completed scan with nothing mapped reported (passes and inapplicable are not stored)', () => {
    expect(deriveOutcome(scan(), mapped).outcome).toBe('passed');
  });

  it.each(['failed', 'cancelled', 'running'])('is an error with the reason for a %s scan', (status) => {
    const d = deriveOutcome(scan({ status, failureReason: status === 'failed' ? 'timeout' : undefined, failureMessage: 'slow' }), mapped);
    expect(d).toMatchObject({ outcome: 'error', failureReason: status === 'failed' ? 'timeout' : status, failureMessage: 'slow' });
  });
});

describe('agreesWithExpected (ACT consistency)', () => {
  it.each<[OurOutcome, 'passed' | 'failed' | 'inapplicable', boolean]>([
    ['failed', 'failed', true],
    ['passed', 'passed', true],
    ['passed', 'inapplicable', true],
    ['passed', 'failed', false],
    ['failed', 'passed', false],
    ['failed', 'inapplicable', false],
    ['cantTell', 'failed', false],
    ['cantTell', 'passed', false],
    ['error', 'passed', false],
    ['error', 'failed', false],
  ])('%s vs expected %s → %s', (ours, expected, agrees) => {
    expect(agreesWithExpected(ours, expected)).toBe(agrees);
  });
});

describe('agreesWithPublished', () => {
  it.each<[OurOutcome, Parameters<typeof agreesWithPublished>[1], boolean | null]>([
    ['failed', 'failed', true],
    ['passed', 'inapplicable', true],
    ['passed', 'passed', true],
    ['cantTell', 'cantTell', true],
    ['passed', 'cantTell', false],
    ['failed', 'cantTell', false],
    ['cantTell', 'failed', false],
    ['cantTell', 'passed', false],
    ['passed', 'failed', false],
    ['error', 'passed', false],
    ['error', 'cantTell', false],
    ['passed', 'untested', null],
    ['error', 'untested', null],
  ])('%s vs published %s → %s', (ours, published, agrees) => {
    expect(agreesWithPublished(ours, published)).toBe(agrees);
  });
});

describe('judgeCase', () => {
  const c: ConformanceCase = {
    actRuleId: '23a2a8',
    actRuleName: 'Image has non-empty accessible name',
    axeRuleIds: ['image-alt'],
    testcaseId: 't1',
    testcaseTitle: 'Failed Example 1',
    path: 'testcases/23a2a8/t1.html',
    expected: 'failed',
    axeOutcome: 'failed',
    localServeIssues: [{ type: 'external-resource' }, { type: 'external-resource' }],
  };

  it('records the outcome, both comparisons and the scan facts', () => {
    const r = judgeCase(
      c,
      'http://127.0.0.1:1/x',
      scan({ violations: [{ ruleId: 'image-alt' }], inconclusive: true, inconclusiveReason: 'page body is nearly empty', durationMs: 42 }),
    );
    expect(r).toMatchObject({
      outcome: 'failed',
      agreesWithExpected: true,
      agreesWithPublished: true,
      scanId: 's1',
      failedRules: ['image-alt'],
      inconclusiveReason: 'page body is nearly empty',
      durationMs: 42,
      localServeIssues: ['external-resource'],
    });
  });

  it('turns a client-side failure into an error that agrees with nothing', () => {
    const r = judgeCase(c, 'http://127.0.0.1:1/x', { clientFailure: 'client_timeout', message: 'no terminal status', scanId: 's9' });
    expect(r).toMatchObject({
      outcome: 'error',
      failureReason: 'client_timeout',
      failureMessage: 'no terminal status',
      scanId: 's9',
      agreesWithExpected: false,
      agreesWithPublished: false,
    });
  });
});
