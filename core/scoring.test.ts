import type { NodeResult, Result } from 'axe-core';
import type { Impact } from './contracts';
import { countByImpact, IMPACT_WEIGHT, impactRank, rulePenalty, score, storedRules, wcagCriteria, type StoredRule } from './scoring';

const node = (over: Partial<NodeResult> = {}): NodeResult =>
  ({ target: ['#x'], html: '<div id="x"></div>', any: [], all: [], none: [], ...over }) as NodeResult;

const rule = (over: Partial<Result> = {}): Result =>
  ({
    id: 'image-alt',
    impact: 'critical',
    tags: ['wcag2a', 'wcag111'],
    description: 'd',
    help: 'Images must have alternate text',
    helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/image-alt',
    nodes: [node()],
    ...over,
  }) as Result;

const violation = (impact: Impact | null, nodeCount = 1): Pick<StoredRule, 'impact' | 'nodeCount'> => ({ impact, nodeCount });

describe('wcagCriteria', () => {
  it.each([
    [['wcag111'], ['1.1.1']],
    [['wcag1410'], ['1.4.10']],
    [['wcag412'], ['4.1.2']],
    [['wcag2aa'], []],
    [['wcag21aa'], []],
    [['wcag2a', 'wcag22aa'], []],
    [['best-practice'], []],
    [['cat.text-alternatives', 'ACT', 'TTv5'], []],
    [
      ['wcag2a', 'wcag111', 'section508', 'wcag143', 'best-practice'],
      ['1.1.1', '1.4.3'],
    ],
  ])('maps %j to success criteria %j', (tags, expected) => {
    expect(wcagCriteria(tags)).toEqual(expected);
  });

  it('keeps the order in which the criteria appear in the tags', () => {
    expect(wcagCriteria(['wcag412', 'wcag111'])).toEqual(['4.1.2', '1.1.1']);
  });
});

describe('storedRules', () => {
  it('copies the rule fields and derives wcag criteria and nodeCount', () => {
    const [stored] = storedRules({ violations: [rule()], incomplete: [] });
    expect(stored).toEqual({
      kind: 'violation',
      ruleId: 'image-alt',
      impact: 'critical',
      wcag: ['1.1.1'],
      tags: ['wcag2a', 'wcag111'],
      help: 'Images must have alternate text',
      helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/image-alt',
      nodeCount: 1,
      nodes: [{ target: ['#x'], html: '<div id="x"></div>', failureSummary: undefined }],
    });
  });

  it('lists violations first as kind "violation", then incomplete results as kind "incomplete"', () => {
    const stored = storedRules({
      violations: [rule({ id: 'v1' }), rule({ id: 'v2' })],
      incomplete: [rule({ id: 'i1' })],
    });
    expect(stored.map((r) => [r.kind, r.ruleId])).toEqual([
      ['violation', 'v1'],
      ['violation', 'v2'],
      ['incomplete', 'i1'],
    ]);
  });

  it('returns an empty list for a clean result', () => {
    expect(storedRules({ violations: [], incomplete: [] })).toEqual([]);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
  ])('stores a %s impact as null', (_label, impact) => {
    const [stored] = storedRules({ violations: [], incomplete: [rule({ impact: impact as Result['impact'] })] });
    expect(stored.impact).toBeNull();
  });

  it.each([
    [499, 499],
    [500, 500],
    [501, 500],
    [10_000, 500],
  ])('truncates html of %i chars to %i chars', (length, expectedLength) => {
    const html = 'h'.repeat(length);
    const [stored] = storedRules({ violations: [rule({ nodes: [node({ html })] })], incomplete: [] });
    expect(stored.nodes[0].html).toHaveLength(expectedLength);
    if (length > 500) expect(stored.nodes[0].html).toBe(`${'h'.repeat(499)}…`);
    else expect(stored.nodes[0].html).toBe(html);
  });

  it.each([
    [1000, 1000],
    [1001, 1000],
    [5000, 1000],
  ])('truncates a failureSummary of %i chars to %i chars', (length, expectedLength) => {
    const failureSummary = 's'.repeat(length);
    const [stored] = storedRules({ violations: [rule({ nodes: [node({ failureSummary })] })], incomplete: [] });
    expect(stored.nodes[0].failureSummary).toHaveLength(expectedLength);
    expect(stored.nodes[0].failureSummary!.endsWith(length > 1000 ? '…' : 's')).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
  ])('leaves failureSummary undefined when it is %s', (_label, failureSummary) => {
    const [stored] = storedRules({ violations: [rule({ nodes: [node({ failureSummary })] })], incomplete: [] });
    expect(stored.nodes[0].failureSummary).toBeUndefined();
  });

  it.each([
    [1, 1],
    [50, 50],
    [51, 50],
    [400, 50],
  ])('keeps at most 50 of %i nodes but reports the real nodeCount', (count, kept) => {
    const nodes = Array.from({ length: count }, (_, i) => node({ target: [`#n${i}`] }));
    const [stored] = storedRules({ violations: [rule({ nodes })], incomplete: [] });
    expect(stored.nodeCount).toBe(count);
    expect(stored.nodes).toHaveLength(kept);
    expect(stored.nodes[0].target).toEqual(['#n0']);
    expect(stored.nodes[kept - 1].target).toEqual([`#n${kept - 1}`]);
  });
});

describe('countByImpact', () => {
  it('counts zero of everything for no violations', () => {
    expect(countByImpact([])).toEqual({ critical: 0, serious: 0, moderate: 0, minor: 0 });
  });

  it('counts one per rule by impact and ignores rules without an impact', () => {
    const impacts: Array<Impact | null> = ['critical', 'serious', 'serious', 'moderate', 'minor', 'minor', 'minor', null];
    expect(countByImpact(impacts.map((impact) => ({ impact })))).toEqual({ critical: 1, serious: 2, moderate: 1, minor: 3 });
  });
});

describe('score', () => {
  it('uses the documented weights: critical 15, serious 8, moderate 4, minor 2', () => {
    expect(IMPACT_WEIGHT).toEqual({ critical: 15, serious: 8, moderate: 4, minor: 2 });
  });

  it.each<[string, Array<Pick<StoredRule, 'impact' | 'nodeCount'>>, number]>([
    ['a clean page', [], 100],
    ['one critical rule on one element (100 - 15)', [violation('critical')], 85],
    ['one serious rule (100 - 8)', [violation('serious')], 92],
    ['one moderate rule (100 - 4)', [violation('moderate')], 96],
    ['one minor rule (100 - 2)', [violation('minor')], 98],
    ['a rule with null impact, weighted as minor (100 - 2)', [violation(null)], 98],
    ['one critical rule on 2 elements (100 - 15 × 1.1 = 83.5, rounded)', [violation('critical', 2)], 84],
    ['one serious rule on 6 elements (100 - 8 × 1.5)', [violation('serious', 6)], 88],
    ['one critical rule on 11 elements (100 - 15 × 2)', [violation('critical', 11)], 70],
    ['one critical rule on 500 elements: extra elements capped at 10 (100 - 15 × 2)', [violation('critical', 500)], 70],
    ['a rule reporting 0 elements counts as one (100 - 15)', [violation('critical', 0)], 85],
    [
      'one rule of each impact (100 - 15 - 8 - 4 - 2)',
      [violation('critical'), violation('serious'), violation('moderate'), violation('minor')],
      71,
    ],
    ['7 critical rules on 1 element each (100 - 105, floored)', Array.from({ length: 7 }, () => violation('critical')), 0],
    ['4 critical rules on 11 elements each (100 - 120, floored)', Array.from({ length: 4 }, () => violation('critical', 11)), 0],
  ])('scores %s as %i', (_label, violations, expected) => {
    expect(score(violations)).toBe(expected);
  });

  it('counts ten different rules as worse than one rule failing on every element', () => {
    const tenRules = Array.from({ length: 10 }, () => violation('moderate'));
    expect(score(tenRules)).toBeLessThan(score([violation('moderate', 1000)]));
  });

  it('always returns an integer between 0 and 100', () => {
    const impacts: Array<Impact | null> = ['critical', 'serious', 'moderate', 'minor', null];
    for (let n = 0; n < 40; n++) {
      const violations = Array.from({ length: n % 9 }, (_, i) => violation(impacts[(n + i) % 5], 1 + ((n * 7 + i) % 13)));
      const s = score(violations);
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(100);
    }
  });
});

describe('rulePenalty and impactRank (shared with the report page)', () => {
  it('adds up to what score deducts, and counts an unknown impact as minor', () => {
    const rules = [
      { impact: 'critical' as const, nodeCount: 3 },
      { impact: null, nodeCount: 1 },
    ];
    expect(100 - rules.reduce((s, r) => s + rulePenalty(r), 0)).toBeCloseTo(score(rules), 0);
    expect(rulePenalty({ impact: 'made-up', nodeCount: 1 })).toBe(IMPACT_WEIGHT.minor);
  });

  it('ranks critical first, no impact as minor and an unknown impact last', () => {
    expect(['minor', null, 'bogus', 'critical', 'serious'].sort((a, b) => impactRank(a) - impactRank(b))).toEqual([
      'critical',
      'serious',
      'minor',
      null,
      'bogus',
    ]);
  });
});
