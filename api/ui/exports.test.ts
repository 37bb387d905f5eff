import { parseCsv } from '../services/csv';
import { earlReport, violationsCsv, violationsJson } from './exports';
import type { ReportRule } from './report';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonNode = Record<string, any>;

const scan = {
  scanId: 's1',
  url: 'https://shop.example/',
  finalUrl: 'https://shop.example/',
  finishedAt: new Date('2026-11-28T10:00:00Z'),
  score: 77,
  inconclusive: false,
  axeVersion: '4.14.1',
};
const rules: ReportRule[] = [
  {
    kind: 'violation',
    ruleId: 'image-alt',
    impact: 'critical',
    wcag: ['1.1.1'],
    tags: ['wcag2a', 'wcag111'],
    help: 'Images must have alternative text',
    helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/image-alt',
    nodeCount: 2,
    nodes: [
      {
        target: ['#hero'],
        html: '<img src="a.png" id="hero">',
        failureSummary: 'Fix any of the following:\n  Element has no alt attribute',
      },
      { target: ['main > img'], html: '<img src="b,c.png">' },
    ],
  },
  {
    kind: 'incomplete',
    ruleId: 'color-contrast',
    impact: 'serious',
    wcag: ['1.4.3'],
    tags: ['wcag2aa', 'wcag143'],
    help: 'Contrast',
    helpUrl: 'https://x/cc',
    nodeCount: 1,
    nodes: [{ target: ['.banner', 'h1'], html: '=cmd|"/c calc"!A0' }],
  },
];

describe('exports', () => {
  it('CSV: one row per element, quoted as RFC 4180, formula-looking cells defused', () => {
    const records = parseCsv(violationsCsv(scan, rules));
    expect(records.map((r) => r.fields?.[3])).toEqual(['rule_id', 'image-alt', 'image-alt', 'color-contrast']);
    expect(records[2].fields?.[9]).toBe('<img src="b,c.png">');
    expect(records[3].fields?.[2]).toBe('needs-review');
    expect(records[3].fields?.[8]).toBe('.banner >>> h1');
    expect(records[3].fields?.[9]).toBe('\'=cmd|"/c calc"!A0');
  });

  it('CSV: a formula after a ";", "," or tab inside a cell is defused too (and the cell kept whole)', () => {
    const html = 'a;=HYPERLINK("http://evil.example/","x")';
    const summary = 'x,\t=1+1';
    const csv = violationsCsv(scan, [{ ...rules[0], nodes: [{ target: ['#x'], html, failureSummary: summary }] }]);
    const row = csv.split('\r\n')[1];
    // Quoted (a spreadsheet splitting on ";" or tab keeps a quoted first cell whole)...
    expect(row).toContain('"a;\'=HYPERLINK(""http://evil.example/"",""x"")"');
    // ...and a ' wherever a formula would start if a spreadsheet split the cell (";" locale, tab-delimited paste).
    expect(parseCsv(csv)[1].fields?.slice(9)).toEqual(['a;\'=HYPERLINK("http://evil.example/","x")', "x,'\t'=1+1"]);
  });

  it('JSON separates violations from needs review', () => {
    const j = violationsJson(scan, rules);
    expect(j.violations.map((v) => v.ruleId)).toEqual(['image-alt']);
    expect(j.needsReview[0].nodes[0].selector).toBe('.banner >>> h1');
    expect(j.score).toBe(77);
  });

  it('EARL: an assertion per rule × element (failed / cantTell) and per passed rule', () => {
    const doc = earlReport(scan, rules, [{ id: 'document-title', helpUrl: 'https://x/dt' }]);
    const assertions = (doc['@graph'] as JsonNode[]).filter((n) => n['@type'] === 'earl:Assertion');
    expect(assertions.map((a) => [a['earl:test']['dct:identifier'], a['earl:result']['earl:outcome']['@id']])).toEqual([
      ['image-alt', 'earl:failed'],
      ['image-alt', 'earl:failed'],
      ['color-contrast', 'earl:cantTell'],
      ['document-title', 'earl:passed'],
    ]);
    expect(assertions[0]['earl:subject']['@id']).toBe('https://shop.example/');
    expect(assertions[0]['earl:result']['earl:pointer']['ptr:expression']).toBe('#hero');
    expect(assertions[0]['earl:assertedBy']['@id']).toBe('_:platform');
    const assertor = (doc['@graph'] as JsonNode[]).find((n) => n['@id'] === '_:platform');
    expect(assertor?.['doap:release']['doap:revision']).toBe('axe-core 4.14.1');
    expect(doc['@context'].earl).toBe('http://www.w3.org/ns/earl#');
  });
});
