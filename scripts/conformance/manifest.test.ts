import { UsageError } from './errors';
import { parseManifest, selectCases, type ConformanceCase } from './manifest';

const entry = (over: Partial<ConformanceCase> & Record<string, unknown> = {}) => ({
  actRuleId: '23a2a8',
  actRuleName: 'Image has non-empty accessible name',
  axeRuleIds: ['image-alt', 'role-img-alt'],
  testcaseId: 'abc',
  testcaseTitle: 'Passed Example 1',
  path: 'testcases/23a2a8/abc.html',
  expected: 'passed',
  axeOutcome: 'passed',
  axeVsExpected: 'consistent',
  localServeIssues: [],
  ...over,
});

describe('parseManifest', () => {
  it('keeps the fields the command uses and ignores the rest', () => {
    const [c] = parseManifest(JSON.stringify([entry({ localServeIssues: [{ type: 'external-frame', url: 'https://w3.org' } as never] })]));
    expect(c).toMatchObject({ actRuleId: '23a2a8', axeRuleIds: ['image-alt', 'role-img-alt'], expected: 'passed', axeOutcome: 'passed' });
    expect(c.localServeIssues[0].type).toBe('external-frame');
    expect(c).not.toHaveProperty('axeVsExpected');
  });

  it('defaults a missing localServeIssues to none', () => {
    const { localServeIssues: _omit, ...bare } = entry();
    expect(parseManifest(JSON.stringify([bare]))[0].localServeIssues).toEqual([]);
  });

  it.each(['cantTell', 'untested', 'inapplicable', 'failed'])('accepts the published outcome %s', (axeOutcome) => {
    expect(parseManifest(JSON.stringify([entry({ axeOutcome: axeOutcome as never })]))[0].axeOutcome).toBe(axeOutcome);
  });

  it('names the entry and field that is wrong', () => {
    const text = JSON.stringify([entry(), entry({ expected: 'cantTell' as never })]);
    expect(() => parseManifest(text)).toThrow(UsageError);
    expect(() => parseManifest(text)).toThrow(/entry 1: expected/);
    expect(() => parseManifest(JSON.stringify([entry({ axeRuleIds: [] })]))).toThrow(/entry 0: axeRuleIds/);
  });

  it('refuses text that is not a JSON array', () => {
    expect(() => parseManifest('{')).toThrow(/not valid JSON/);
    expect(() => parseManifest('{}')).toThrow(/must be an array/);
  });
});

describe('selectCases', () => {
  const cases = parseManifest(
    JSON.stringify([
      entry({ actRuleId: 'r1', testcaseId: '1' }),
      entry({ actRuleId: 'r2', testcaseId: '2' }),
      entry({ actRuleId: 'r1', testcaseId: '3' }),
      entry({ actRuleId: 'r3', testcaseId: '4' }),
    ]),
  );
  const ids = (cs: ConformanceCase[]) => cs.map((c) => c.testcaseId);

  it('keeps every case in manifest order without a filter', () => {
    expect(ids(selectCases(cases))).toEqual(['1', '2', '3', '4']);
  });

  it('filters by ACT rule, then limits, in manifest order', () => {
    expect(ids(selectCases(cases, { rules: ['r3', 'r1'] }))).toEqual(['1', '3', '4']);
    expect(ids(selectCases(cases, { rules: ['r3', 'r1'], limit: 2 }))).toEqual(['1', '3']);
    expect(ids(selectCases(cases, { limit: 1 }))).toEqual(['1']);
  });

  it('refuses a rule the manifest does not have', () => {
    expect(() => selectCases(cases, { rules: ['r1', 'nope'] })).toThrow(new UsageError('no test cases for ACT rule nope in manifest.json'));
  });
});
