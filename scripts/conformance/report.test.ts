import type { CaseResult } from './outcome';
import { differences, formatDifferences, formatSummary, formatTable, summarise } from './report';

const result = (over: Partial<CaseResult>): CaseResult => ({
  actRuleId: 'r1',
  actRuleName: 'Rule one',
  testcaseId: 't',
  testcaseTitle: 'Passed Example 1',
  path: 'testcases/r1/t.html',
  url: 'http://127.0.0.1:1/testcases/r1/t.html',
  axeRuleIds: ['image-alt'],
  expected: 'passed',
  published: 'passed',
  outcome: 'passed',
  agreesWithExpected: true,
  agreesWithPublished: true,
  failedRules: [],
  cantTellRules: [],
  localServeIssues: [],
  ...over,
});

const results: CaseResult[] = [
  result({}),
  result({
    testcaseTitle: 'Failed Example 1',
    expected: 'failed',
    published: 'failed',
    outcome: 'passed',
    agreesWithExpected: false,
    agreesWithPublished: false,
  }),
  result({
    testcaseTitle: 'Failed Example 2',
    expected: 'failed',
    published: 'untested',
    outcome: 'cantTell',
    agreesWithExpected: false,
    agreesWithPublished: null,
    cantTellRules: ['image-alt'],
  }),
  result({
    actRuleId: 'r2',
    actRuleName: 'Rule two',
    testcaseTitle: 'Inapplicable Example 1',
    path: 'testcases/r2/x.html',
    expected: 'inapplicable',
    published: 'inapplicable',
    outcome: 'error',
    agreesWithExpected: false,
    agreesWithPublished: false,
    failureReason: 'timeout',
    failureMessage: 'scan exceeded its 30000 ms limit',
    localServeIssues: ['meta-refresh-external'],
  }),
  result({ actRuleId: 'r1', actRuleName: 'Rule one, spelt differently', testcaseTitle: 'Passed Example 2' }),
];

describe('summarise', () => {
  it('counts per ACT rule in first-seen order, with the first name', () => {
    const { rules } = summarise(results);
    expect(rules).toEqual([
      {
        actRuleId: 'r1',
        actRuleName: 'Rule one',
        cases: 4,
        agreeExpected: 2,
        agreePublished: 2,
        publishedCases: 3,
        cantTell: 1,
        errors: 0,
      },
      {
        actRuleId: 'r2',
        actRuleName: 'Rule two',
        cases: 1,
        agreeExpected: 0,
        agreePublished: 0,
        publishedCases: 1,
        cantTell: 0,
        errors: 1,
      },
    ]);
  });

  it('totals every case', () => {
    expect(summarise(results).totals).toEqual({
      rules: 2,
      cases: 5,
      agreeExpected: 2,
      agreePublished: 2,
      publishedCases: 4,
      cantTell: 1,
      errors: 1,
    });
  });

  it('is empty for no results', () => {
    expect(summarise([]).totals).toEqual({
      rules: 0,
      cases: 0,
      agreeExpected: 0,
      agreePublished: 0,
      publishedCases: 0,
      cantTell: 0,
      errors: 0,
    });
  });
});

describe('differences', () => {
  it('lists the cases that differ from the published outcome, not untested ones', () => {
    expect(differences(results).map((r) => r.testcaseTitle)).toEqual(['Failed Example 1', 'Inapplicable Example 1']);
  });
});

describe('formatTable', () => {
  it('aligns text left and numbers right', () => {
    expect(
      formatTable(
        ['id', 'n'],
        [
          ['a', '1'],
          ['bbb', '10'],
        ],
        [false, true],
      ),
    ).toBe(['id    n', '---  --', 'a     1', 'bbb  10'].join('\n'));
  });
});

describe('formatSummary', () => {
  it('prints a row per rule, a totals row and the overall figures', () => {
    const text = formatSummary(summarise(results));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^ACT rule\s+name\s+cases\s+agree expected\s+agree axe published\s+cantTell\s+errors$/);
    expect(lines[2]).toMatch(/^r1\s+Rule one\s+4\s+2\/4\s+2\/3\s+1\s+0$/);
    expect(lines[3]).toMatch(/^r2\s+Rule two\s+1\s+0\/1\s+0\/1\s+0\s+1$/);
    expect(lines[4]).toMatch(/^total\s+2 rules\s+5\s+2\/5\s+2\/4\s+1\s+1$/);
    expect(text).toContain('agree with expected (ACT):      2/5 (40.0 %)');
    expect(text).toContain('agree with axe-core published:  2/4 (50.0 %; 1 case(s) untested');
  });
});

describe('formatDifferences', () => {
  it('gives rule, title, path, the three outcomes and the failure reason', () => {
    const text = formatDifferences(results);
    expect(text).toContain("2 case(s) differ from axe-core's published outcome:");
    expect(text).toContain('r1 Failed Example 1  testcases/r1/t.html\n      ours passed; published failed; expected failed');
    expect(text).toContain(
      'r2 Inapplicable Example 1  testcases/r2/x.html\n      ours error; published inapplicable; expected inapplicable; ' +
        'failureReason timeout: scan exceeded its 30000 ms limit; local serve issues: meta-refresh-external',
    );
  });

  it('says so when nothing differs', () => {
    expect(formatDifferences([results[0]])).toBe("No case differs from axe-core's published outcome.");
  });
});
