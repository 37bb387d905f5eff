// Pure: a scan's findings as CSV, JSON and JSON-LD/EARL (W3C Evaluation and Report Language).
import { csvCell } from '../services/csv';
import { selectorText } from '../../core/issues';
import type { ReportRule } from './report';

export interface ExportScan {
  scanId: string;
  url: string;
  finalUrl?: string | null;
  finishedAt?: Date | null;
  score: number | null;
  inconclusive: boolean;
  axeVersion?: string | null;
}

const CSV_COLUMNS = ['scan_id', 'url', 'kind', 'rule_id', 'impact', 'wcag', 'help', 'help_url', 'selector', 'html', 'failure_summary'];

/** One row per failing (or needs-review) element. */
export function violationsCsv(scan: ExportScan, rules: readonly ReportRule[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rules) {
    for (const n of r.nodes) {
      lines.push(
        [
          scan.scanId,
          scan.url,
          r.kind === 'incomplete' ? 'needs-review' : 'violation',
          r.ruleId,
          r.impact ?? '',
          r.wcag.join(' '),
          r.help,
          r.helpUrl,
          selectorText(n.target),
          n.html,
          n.failureSummary ?? '',
        ]
          .map((f) => csvCell(String(f)))
          .join(','),
      );
    }
  }
  return lines.join('\r\n') + '\r\n';
}

export function violationsJson(scan: ExportScan, rules: readonly ReportRule[]) {
  const rule = (r: ReportRule) => ({
    ruleId: r.ruleId,
    impact: r.impact,
    wcag: r.wcag,
    help: r.help,
    helpUrl: r.helpUrl,
    nodeCount: r.nodeCount,
    nodes: r.nodes.map((n) => ({ selector: selectorText(n.target), target: n.target, html: n.html, failureSummary: n.failureSummary })),
  });
  return {
    scanId: scan.scanId,
    url: scan.url,
    finalUrl: scan.finalUrl ?? null,
    finishedAt: scan.finishedAt ?? null,
    score: scan.score,
    inconclusive: scan.inconclusive,
    axeVersion: scan.axeVersion ?? null,
    violations: rules.filter((r) => r.kind === 'violation').map(rule),
    needsReview: rules.filter((r) => r.kind !== 'violation').map(rule),
  };
}

const EARL_CONTEXT = {
  earl: 'http://www.w3.org/ns/earl#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  doap: 'http://usefulinc.com/ns/doap#',
  ptr: 'http://www.w3.org/2009/pointers#',
  sch: 'https://schema.org/',
  WCAG22: 'https://www.w3.org/TR/WCAG22/#',
};

/**
 * One earl:Assertion per rule × element: failed for violations, cantTell for needs-review; one passed assertion
 * (no pointer) per rule axe reports as passing in the stored raw result.
 */
export function earlReport(
  scan: ExportScan,
  rules: readonly ReportRule[],
  passedRules: ReadonlyArray<{ id: string; helpUrl?: string; help?: string }>,
) {
  const assertor = {
    '@id': '_:platform',
    '@type': ['earl:Assertor', 'earl:Software', 'doap:Project'],
    'doap:name': 'wcag-scanner',
    'doap:release': { 'doap:revision': `axe-core ${scan.axeVersion ?? 'unknown'}` },
  };
  const subject = { '@id': scan.finalUrl || scan.url, '@type': ['earl:TestSubject', 'sch:WebPage'], 'dct:source': scan.url };
  const test = (id: string, helpUrl?: string, title?: string) => ({
    '@id': helpUrl || `urn:axe:${id}`,
    '@type': 'earl:TestCase',
    'dct:identifier': id,
    ...(title && { 'dct:title': title }),
  });
  const assertion = (outcome: string, t: ReturnType<typeof test>, extra: Record<string, unknown> = {}, wcag: string[] = []) => ({
    '@type': 'earl:Assertion',
    'earl:assertedBy': { '@id': '_:platform' },
    'earl:subject': { '@id': subject['@id'] },
    'earl:test': t,
    'earl:mode': { '@id': 'earl:automatic' },
    'earl:result': {
      '@type': 'earl:TestResult',
      'earl:outcome': { '@id': `earl:${outcome}` },
      ...(scan.finishedAt && { 'dct:date': scan.finishedAt.toISOString() }),
      ...extra,
    },
    ...(wcag.length && { 'dct:isPartOf': wcag.map((sc) => ({ '@id': `WCAG22:sc-${sc}` })) }),
  });
  const graph: unknown[] = [assertor, subject];
  for (const r of rules) {
    const outcome = r.kind === 'violation' ? 'failed' : 'cantTell';
    for (const n of r.nodes) {
      graph.push(
        assertion(
          outcome,
          test(r.ruleId, r.helpUrl, r.help),
          {
            'earl:pointer': { '@type': 'ptr:CSSSelectorPointer', 'ptr:expression': selectorText(n.target) },
            'dct:description': n.failureSummary ?? r.help,
            'earl:info': n.html,
          },
          r.wcag,
        ),
      );
    }
  }
  for (const p of passedRules) graph.push(assertion('passed', test(p.id, p.helpUrl, p.help)));
  return { '@context': EARL_CONTEXT, '@graph': graph };
}
