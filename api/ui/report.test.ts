import { groupByWcag, successCriterionOf, type ReportRule } from './report';

const rule = (ruleId: string, nodes: Array<[string, string]>, over: Partial<ReportRule> = {}): ReportRule => ({
  kind: 'violation',
  ruleId,
  impact: 'serious',
  wcag: [],
  tags: [],
  help: `${ruleId} help`,
  helpUrl: `https://dequeuniversity.com/rules/axe/4.14/${ruleId}`,
  nodeCount: nodes.length,
  nodes: nodes.map(([target, html]) => ({ target: [target], html })),
  ...over,
});

describe('WCAG grouping', () => {
  it('derives success criteria from axe tags and groups principle → criterion → rule', () => {
    expect(successCriterionOf('wcag143')).toBe('1.4.3');
    expect(successCriterionOf('wcag1410')).toBe('1.4.10');
    expect(successCriterionOf('wcag2aa')).toBeNull();
    const groups = groupByWcag([
      rule('color-contrast', [['p', '<p>']], { tags: ['wcag2aa', 'wcag143'] }),
      rule('link-name', [['a', '<a>']], { tags: ['wcag2a', 'wcag244', 'wcag412'] }),
      rule('region', [['div', '<div>']], { tags: ['best-practice'] }),
    ]);
    expect(groups.map((g) => [g.principle, g.name])).toEqual([
      ['1', 'Perceivable'],
      ['2', 'Operable'],
      ['4', 'Robust'],
      ['other', 'Other (no WCAG success criterion)'],
    ]);
    expect(groups[0].criteria[0]).toMatchObject({ sc: '1.4.3', rules: [{ ruleId: 'color-contrast' }] });
    // A rule mapped to two criteria appears under both.
    expect(groups[2].criteria[0]).toMatchObject({ sc: '4.1.2', rules: [{ ruleId: 'link-name' }] });
  });
});
