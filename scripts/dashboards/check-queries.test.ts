import { checkQuery } from './check-queries';
import { parseExposition } from './exposition';
import { promqlReferences } from './promql-references';

const SCRAPE = `
# HELP wcag_scan_attempts_total Page scan attempts
# TYPE wcag_scan_attempts_total counter
wcag_scan_attempts_total{outcome="completed"} 3
wcag_scan_duration_seconds_bucket{le="0.5",outcome="completed"} 1
wcag_scan_duration_seconds_bucket{le="+Inf",outcome="completed"} 3
wcag_scan_duration_seconds_count{outcome="completed"} 3
process_resident_memory_bytes 123456
approximate_backlog_count{namespace="default",taskqueue="t1a2b_browser",task_type="Activity",note="a \\"quoted\\", {braced} value"} 0
`;
const scraped = parseExposition(SCRAPE);
const targets = { jobs: ['wcag-api', 'wcag-worker', 'temporal'] };
const check = (expr: string, legendFormat?: string) => checkQuery({ where: 'test', expr, legendFormat }, scraped, targets);

describe('PromQL references', () => {
  it('finds selectors, matchers, grouping labels and their scope, skipping functions, ranges and keywords', () => {
    const refs = promqlReferences(
      'histogram_quantile(0.95, sum by (le, outcome) (rate(wcag_scan_duration_seconds_bucket{outcome!="x"}[5m] offset 1h))) / on(instance) group_left sum(up) without (job)',
    );
    expect(refs.selectors).toEqual([
      { metric: 'wcag_scan_duration_seconds_bucket', matchers: [{ label: 'outcome', op: '!=', value: 'x' }] },
      { metric: 'up', matchers: [] },
    ]);
    expect(refs.groupings.map((g) => [g.clause, g.labels, g.scope.map((s) => s.metric)])).toEqual([
      ['by', ['le', 'outcome'], ['wcag_scan_duration_seconds_bucket']],
      ['on', ['instance'], ['wcag_scan_duration_seconds_bucket', 'up']],
      ['without', ['job'], ['up']],
    ]);
    expect(refs.aggregates).toBe(true);
    expect(promqlReferences('{__name__="up", job="a"} * 60').selectors).toEqual([
      { metric: 'up', matchers: [{ label: 'job', op: '=', value: 'a' }] },
    ]);
    expect(() => promqlReferences('label_replace(up, "x", "$1", "job", "(.*)")')).toThrow(/label_replace/);
  });

  it('reads label values with escaped quotes, commas and braces from the exposition format', () => {
    expect(scraped.get('approximate_backlog_count')).toEqual([
      { namespace: 'default', taskqueue: 't1a2b_browser', task_type: 'Activity', note: 'a "quoted", {braced} value' },
    ]);
    expect(scraped.get('process_resident_memory_bytes')).toEqual([{}]);
  });
});

describe('checking queries against scraped series', () => {
  it('accepts queries whose metrics, labels and legends all exist', () => {
    expect(check('sum(rate(wcag_scan_attempts_total{outcome="completed"}[5m])) * 60')).toEqual([]);
    expect(check('histogram_quantile(0.5, sum by (le) (rate(wcag_scan_duration_seconds_bucket[5m])))')).toEqual([]);
    expect(check('process_resident_memory_bytes{job="wcag-worker"}', '{{instance}}')).toEqual([]);
    expect(check('sum by (taskqueue) (approximate_backlog_count{taskqueue=~".*_(browser|scans_high)"})', '{{taskqueue}}')).toEqual([]);
  });

  it('fails on a wrong label in a matcher, a by clause or a legend, naming what the series really have', () => {
    expect(check('sum by (task_queue) (approximate_backlog_count{task_queue=~".*-browser"})', '{{task_queue}}')).toEqual([
      expect.stringContaining('label task_queue is not on approximate_backlog_count (it has: namespace, note, task_type, taskqueue)'),
      expect.stringContaining('by (task_queue): no series of approximate_backlog_count has label task_queue'),
    ]);
    expect(check('sum by (taskqueue) (approximate_backlog_count)', '{{task_queue}}')).toEqual([
      expect.stringContaining('legend {{task_queue}} names a label the query'),
    ]);
    expect(check('sum(wcag_scan_attempts_total)', '{{outcome}}')).toEqual([expect.stringContaining('legend {{outcome}}')]);
  });

  it('fails on a label value spelled as the exporter does not (Temporal writes task queue names with _ for -)', () => {
    expect(check('approximate_backlog_count{taskqueue=~".*-browser"}')).toEqual([
      expect.stringContaining('no approximate_backlog_count series matches taskqueue=~".*-browser"'),
    ]);
  });

  it('fails on a metric nobody exports, a histogram queried without its suffix, and an unknown job', () => {
    expect(check('wcag_browser_memory_pss_mb')).toEqual([expect.stringContaining('metric wcag_browser_memory_pss_mb is not exported')]);
    expect(check('rate(wcag_scan_duration_seconds[5m])')).toEqual([
      expect.stringContaining('metric wcag_scan_duration_seconds is not exported'),
    ]);
    expect(check('process_resident_memory_bytes{job="api"}')).toEqual([expect.stringContaining('job="api" matches no job_name')]);
  });
});
