import { AXE_RESULT_LIMITS, validateAxeResults } from './axe-result-validation';
import { ScanFailure } from '../scan-errors';

function node(extra: Record<string, unknown> = {}) {
  return {
    html: '<img src="a.png">',
    target: ['img'],
    impact: 'critical',
    failureSummary: 'Fix any of the following: Element does not have an alt attribute',
    any: [{ id: 'has-alt', impact: 'critical', message: 'no alt', data: null, relatedNodes: [] }],
    all: [],
    none: [],
    ...extra,
  };
}

function rule(extra: Record<string, unknown> = {}) {
  return {
    id: 'image-alt',
    impact: 'critical',
    tags: ['cat.text-alternatives', 'wcag2a', 'wcag111'],
    description: 'Ensure <img> elements have alternative text',
    help: 'Images must have alternative text',
    helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/image-alt?application=axeAPI',
    nodes: [node()],
    ...extra,
  };
}

function result(extra: Record<string, unknown> = {}) {
  return {
    testEngine: { name: 'axe-core', version: '4.14.1' },
    url: 'http://x/',
    violations: [rule()],
    incomplete: [],
    passes: [],
    inapplicable: [],
    ...extra,
  };
}

function rejection(raw: unknown): ScanFailure {
  try {
    validateAxeResults(raw);
  } catch (err) {
    return err as ScanFailure;
  }
  throw new Error('expected a rejection');
}

describe('validateAxeResults', () => {
  it('passes a well-formed result through unchanged', () => {
    const { results, truncated } = validateAxeResults(result());
    expect(results).toEqual(result());
    expect(truncated).toEqual([]);
  });

  it('accepts null impacts (incomplete and passing rules have none) and shadow/frame targets', () => {
    const raw = result({
      incomplete: [rule({ id: 'color-contrast', impact: null, nodes: [node({ impact: null, target: ['iframe', ['x-el', 'span']] })] })],
    });
    expect(validateAxeResults(raw).results.incomplete[0].impact).toBeNull();
  });

  it.each([
    ['not an object', 'nope'],
    ['violations missing', { incomplete: [] }],
    ['an unknown rule impact', result({ violations: [rule({ impact: 'catastrophic' })] })],
    ['an unknown node impact', result({ violations: [rule({ nodes: [node({ impact: 'high' })] })] })],
    ['a javascript: help URL', result({ violations: [rule({ helpUrl: 'javascript:alert(1)' })] })],
    ['a data: help URL', result({ violations: [rule({ helpUrl: 'data:text/html,hi' })] })],
    ['a help URL that is no URL', result({ violations: [rule({ helpUrl: 'see docs' })] })],
    ['a malformed rule id', result({ violations: [rule({ id: '<script>' })] })],
    ['a rule reported twice', result({ violations: [rule(), rule()] })],
    [
      'more rules than axe has',
      result({ violations: Array.from({ length: AXE_RESULT_LIMITS.maxRules + 1 }, (_, i) => rule({ id: `r${i}` })) }),
    ],
    ['nodes that are not an array', result({ violations: [rule({ nodes: 'all of them' })] })],
    ['a non-string help', result({ violations: [rule({ help: { html: '<b>' } })] })],
    ['a target that is not an array', result({ violations: [rule({ nodes: [node({ target: 'img' })] })] })],
  ])('rejects %s as an internal failure', (_name, raw) => {
    const err = rejection(raw);
    expect(err).toBeInstanceOf(ScanFailure);
    expect(err.category).toBe('internal');
    expect(err.message).toMatch(/^axe-core result rejected: /);
  });

  it('truncates over-long strings and says so', () => {
    const long = 'x'.repeat(100_000);
    const { results, truncated } = validateAxeResults(
      result({ violations: [rule({ help: long, nodes: [node({ html: long, failureSummary: long, target: [long] })] })] }),
    );
    const v = results.violations[0];
    expect(v.help.length).toBe(AXE_RESULT_LIMITS.maxShortText);
    expect(v.nodes[0].html.length).toBe(AXE_RESULT_LIMITS.maxHtml);
    expect(v.nodes[0].failureSummary!.length).toBe(AXE_RESULT_LIMITS.maxMessage);
    expect((v.nodes[0].target[0] as string).length).toBe(AXE_RESULT_LIMITS.maxSelector);
    expect(truncated).toEqual(['4 over-long strings shortened']);
  });

  it('keeps a bounded number of nodes per rule, related nodes and check data', () => {
    const many = Array.from({ length: AXE_RESULT_LIMITS.maxNodesPerRule + 500 }, () =>
      node({
        any: [
          {
            id: 'c',
            message: 'm',
            data: { blob: 'y'.repeat(10_000) },
            relatedNodes: Array.from({ length: 100 }, () => ({ html: '<a>', target: ['a'] })),
          },
        ],
      }),
    );
    const { results, truncated } = validateAxeResults(result({ violations: [rule({ nodes: many })] }));
    const v = results.violations[0];
    expect(v.nodes).toHaveLength(AXE_RESULT_LIMITS.maxNodesPerRule);
    expect(v.nodes[0].any[0].relatedNodes).toHaveLength(AXE_RESULT_LIMITS.maxRelatedNodes);
    expect(v.nodes[0].any[0].data).toBeNull();
    expect(truncated[0]).toBe(`image-alt: ${AXE_RESULT_LIMITS.maxNodesPerRule} of ${AXE_RESULT_LIMITS.maxNodesPerRule + 500} nodes kept`);
    expect(truncated.some((t) => /20 of 100 related nodes kept/.test(t))).toBe(true);
    expect(truncated.some((t) => /check data of \d+ characters dropped/.test(t))).toBe(true);
  });

  it('keeps at most maxChecks checks per node (finishRun merges them across frames) and says so', () => {
    const checks = Array.from({ length: AXE_RESULT_LIMITS.maxChecks + 1 }, (_, i) => ({ id: `c${i}`, message: 'm', relatedNodes: [] }));
    const { results, truncated } = validateAxeResults(
      result({ passes: [rule({ id: 'bypass', impact: null, nodes: [node({ impact: null, any: checks })] })] }),
    );
    expect(results.passes[0].nodes[0].any).toHaveLength(AXE_RESULT_LIMITS.maxChecks);
    expect(truncated).toEqual([
      `passes bypass.nodes[0].any: ${AXE_RESULT_LIMITS.maxChecks} of ${AXE_RESULT_LIMITS.maxChecks + 1} checks kept`,
    ]);
  });

  it('does not mutate its input', () => {
    const raw = result({ violations: [rule({ help: 'h'.repeat(5_000) })] });
    validateAxeResults(raw);
    expect((raw.violations[0] as { help: string }).help).toHaveLength(5_000);
  });
});
