import { chooseTags, ruleRuns, type AxeRuleInfo } from './tags';

const EXCLUDE = ['experimental', 'deprecated'];
const rules: AxeRuleInfo[] = [
  { ruleId: 'image-alt', tags: ['cat.text-alternatives', 'wcag2a', 'wcag111', 'ACT'] },
  { ruleId: 'aria-roles', tags: ['cat.aria', 'wcag2a', 'wcag412', 'EN-301-549'] },
  { ruleId: 'empty-heading', tags: ['cat.name-role-value', 'best-practice'] },
  { ruleId: 'identical-links-same-purpose', tags: ['cat.semantics', 'wcag2aaa', 'wcag249'] },
  { ruleId: 'new-rule', tags: ['cat.aria', 'wcag2a', 'experimental'] },
  { ruleId: 'only-dotted', tags: ['cat.color'] },
];

describe('ruleRuns (axe-core matchTags)', () => {
  it('needs one requested tag', () => {
    expect(ruleRuns(['wcag2a', 'ACT'], ['ACT'], EXCLUDE)).toBe(true);
    expect(ruleRuns(['wcag2a'], ['ACT'], EXCLUDE)).toBe(false);
  });

  it('skips experimental and deprecated rules unless those tags are requested', () => {
    expect(ruleRuns(['wcag2a', 'experimental'], ['wcag2a'], EXCLUDE)).toBe(false);
    expect(ruleRuns(['wcag2a', 'experimental'], ['wcag2a', 'experimental'], EXCLUDE)).toBe(true);
  });
});

describe('chooseTags', () => {
  it('keeps ACT alone when every mapped rule carries it', () => {
    expect(chooseTags(['image-alt'], rules, EXCLUDE)).toEqual({ tags: ['ACT'], added: [], unknownRules: [], unrunnableRules: [] });
  });

  it('adds a level tag, then best-practice, for rules without the ACT tag, and says for which', () => {
    const choice = chooseTags(['image-alt', 'aria-roles', 'empty-heading', 'identical-links-same-purpose', 'image-alt'], rules, EXCLUDE);
    expect(choice.tags).toEqual(['ACT', 'wcag2a', 'best-practice', 'wcag2aaa']);
    expect(choice.added).toEqual([
      { tag: 'wcag2a', rules: ['aria-roles'] },
      { tag: 'best-practice', rules: ['empty-heading'] },
      { tag: 'wcag2aaa', rules: ['identical-links-same-purpose'] },
    ]);
  });

  it('requests experimental for an experimental mapped rule', () => {
    const choice = chooseTags(['new-rule'], rules, EXCLUDE);
    expect(choice.tags).toEqual(['ACT', 'experimental']);
    expect(ruleRuns(rules[4].tags, choice.tags, EXCLUDE)).toBe(true);
  });

  it('makes every mapped rule run', () => {
    const mapped = ['image-alt', 'aria-roles', 'empty-heading', 'identical-links-same-purpose', 'new-rule'];
    const { tags } = chooseTags(mapped, rules, EXCLUDE);
    for (const id of mapped) expect(ruleRuns(rules.find((r) => r.ruleId === id)!.tags, tags, EXCLUDE)).toBe(true);
  });

  it('reports rules this axe-core lacks, and rules no API-valid tag can select', () => {
    const choice = chooseTags(['gone-rule', 'only-dotted'], rules, EXCLUDE);
    expect(choice.unknownRules).toEqual(['gone-rule']);
    expect(choice.unrunnableRules).toEqual(['only-dotted']);
    expect(choice.tags).toEqual(['ACT']);
  });

  it('drops base tags no rule has (axe-core would throw on them)', () => {
    expect(chooseTags(['aria-roles'], rules, EXCLUDE, ['ACT', 'no-such-tag']).tags).toEqual(['ACT', 'wcag2a']);
  });
});
