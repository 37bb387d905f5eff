import { diffIssues, fingerprint, issuesOf, normaliseSelector, normaliseSnippet, selectorText, shortHash, type IssueRule } from './issues';

const rule = (ruleId: string, nodes: Array<[string, string]>, over: Partial<IssueRule> = {}): IssueRule => ({
  kind: 'violation',
  ruleId,
  impact: 'serious',
  help: `${ruleId} help`,
  helpUrl: `https://dequeuniversity.com/rules/axe/4.14/${ruleId}`,
  nodeCount: nodes.length,
  nodes: nodes.map(([target, html]) => ({ target: [target], html })),
  ...over,
});

describe('issue fingerprints', () => {
  it('ignore positions and per-element values, keep the rule and structure', () => {
    expect(normaliseSelector('ul > li:nth-child(3) > a')).toBe('ul>li>a');
    const a = fingerprint('link-name', ['ul > li:nth-child(3) > a'], '<a href="/p/17" id="item-17"><img src="x.png"></a>');
    const b = fingerprint('link-name', ['ul > li:nth-child(9) > a'], '<a href="/p/42" id="item-42"><img src="y.png"></a>');
    expect(a).toBe(b);
    expect(fingerprint('image-alt', ['ul > li:nth-child(3) > a'], '<a href="/p/17">')).not.toBe(a);
    expect(fingerprint('link-name', ['footer > a'], '<a href="/p/17" id="item-17"><img src="x.png"></a>')).not.toBe(a);
  });

  it('counts a template issue repeated on many elements once, with its count', () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) => [`#list > li:nth-child(${i + 1}) > a`, `<a href="/item/${i}"><img src="/i/${i}.png"></a>`] as [string, string],
    );
    const issues = issuesOf([rule('link-name', rows), rule('image-alt', [['#hero', '<img src="hero.png">']])]);
    expect(issues.size).toBe(2);
    expect([...issues.values()].find((i) => i.ruleId === 'link-name')?.count).toBe(40);
  });

  it('counts elements axe found beyond those stored', () => {
    const r = rule('color-contrast', [['p.note', '<p class="note">x</p>']], { nodeCount: 120 });
    expect([...issuesOf([r]).values()][0].count).toBe(120);
  });
});

describe('diffIssues', () => {
  it('reports new, fixed and still open issues between two scans', () => {
    const before = issuesOf([rule('image-alt', [['#hero', '<img src="a.png">']]), rule('label', [['#q', '<input id="q">']])]);
    const after = issuesOf([
      rule('label', [['#q', '<input id="q">']]),
      rule('color-contrast', [['.muted', '<span class="muted">x</span>']]),
    ]);
    const d = diffIssues(before, after);
    expect(d.new.map((i) => i.ruleId)).toEqual(['color-contrast']);
    expect(d.fixed.map((i) => i.ruleId)).toEqual(['image-alt']);
    expect(d.open.map((i) => i.ruleId)).toEqual(['label']);
  });

  it('ignores needs-review results', () => {
    const d = diffIssues(new Map(), issuesOf([rule('color-contrast', [['p', '<p>']], { kind: 'incomplete' })]));
    expect(d.new).toEqual([]);
  });
});

describe('shortHash', () => {
  it('gives 12 stable hex characters that differ for different input', () => {
    expect(shortHash('<img src="">')).toMatch(/^[0-9a-f]{12}$/);
    expect(shortHash('<img src="">')).toBe(shortHash('<img src="">'));
    expect(shortHash('<img src="">')).not.toBe(shortHash('<img alt="">'));
    expect(shortHash('')).toMatch(/^[0-9a-f]{12}$/);
  });

  it('does not collide on a few thousand similar snippets', () => {
    const hashes = new Set(Array.from({ length: 5000 }, (_, i) => shortHash(`<a class="c${i}"><span>`)));
    expect(hashes.size).toBe(5000);
  });
});

describe('selectorText and normaliseSnippet', () => {
  it('joins frame paths and drops per-element values', () => {
    expect(selectorText([['iframe', '#x'], 'a'])).toBe('iframe #x >>> a');
    expect(normaliseSnippet('<a href="/p/17" id="i-17">Item 17</a>')).toBe('<a href="" id=""></a>');
  });
});
