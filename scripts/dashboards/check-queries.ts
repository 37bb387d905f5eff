// Checks PromQL queries (the Grafana dashboard's, alert and recording rules') against series really scraped from
// the running processes: every metric must be exported, every label a matcher, a `by` / `without` / `on` clause
// or a legend names must be on it, and every positive matcher (`=`, `=~`) must select at least one series (a
// regex on a label value the exporter spells differently selects nothing, silently, in Grafana).
import type { ScrapedSeries } from './exposition';
import { legendLabels, promqlReferences, type LabelMatcher } from './promql-references';

export interface QueryToCheck {
  /** Where the query is, for the message: `dashboard wcag.json, panel "Memory"`. */
  where: string;
  expr: string;
  legendFormat?: string;
}

export interface TargetLabels {
  /** Prometheus's job names (`job_name` in prometheus.yml): the values a `job` matcher may use. */
  jobs: string[];
}

/** Labels Prometheus itself attaches to every scraped series (not in any /metrics text). */
const TARGET_LABELS = new Set(['job', 'instance']);

function matches(m: LabelMatcher, value: string | undefined): boolean {
  const v = value ?? ''; // an absent label matches "" (PromQL's rule)
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v); // PromQL regexes are fully anchored
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/** Pure: the problems of one query (empty when it is right). */
export function checkQuery(q: QueryToCheck, scraped: ScrapedSeries, targets: TargetLabels): string[] {
  const problems: string[] = [];
  const say = (what: string) => problems.push(`${q.where}: ${what} (${q.expr})`);
  let refs: ReturnType<typeof promqlReferences>;
  try {
    refs = promqlReferences(q.expr);
  } catch (err) {
    return [`${q.where}: ${(err as Error).message}`];
  }
  const labelsOf = (metric: string) => new Set((scraped.get(metric) ?? []).flatMap((s) => Object.keys(s)));
  for (const { metric, matchers } of refs.selectors) {
    const series = scraped.get(metric);
    if (!series) {
      say(`metric ${metric} is not exported by any scraped endpoint`);
      continue;
    }
    const known = labelsOf(metric);
    for (const m of matchers) {
      if (m.label === 'job') {
        const positive = m.op === '=' || m.op === '=~';
        if (positive && !targets.jobs.some((job) => matches(m, job)))
          say(`job${m.op}"${m.value}" matches no job_name of prometheus.yml (${targets.jobs.join(', ')})`);
      } else if (!TARGET_LABELS.has(m.label) && !known.has(m.label)) {
        say(`label ${m.label} is not on ${metric} (it has: ${[...known].sort().join(', ') || 'no labels'})`);
      }
    }
    // Labels already reported as missing are not reported again as selecting nothing.
    const positive = matchers.filter((m) => (m.op === '=' || m.op === '=~') && known.has(m.label));
    if (positive.length > 0 && !series.some((s) => positive.every((m) => matches(m, s[m.label]))))
      say(`no ${metric} series matches ${positive.map((m) => `${m.label}${m.op}"${m.value}"`).join(', ')}`);
  }
  for (const g of refs.groupings) {
    const available = new Set([...TARGET_LABELS, ...g.scope.flatMap((s) => [...labelsOf(s.metric)])]);
    for (const label of g.labels) {
      if (!available.has(label))
        say(`${g.clause} (${label}): no series of ${g.scope.map((s) => s.metric).join(', ') || '(nothing)'} has label ${label}`);
    }
  }
  // A legend can name only labels the result keeps: a `by` clause's, or with no aggregation the series' own.
  const kept = refs.aggregates
    ? new Set(refs.groupings.filter((g) => g.clause === 'by').flatMap((g) => g.labels))
    : new Set([...TARGET_LABELS, ...refs.selectors.flatMap((s) => [...labelsOf(s.metric)])]);
  for (const label of legendLabels(q.legendFormat)) {
    if (!kept.has(label)) say(`legend {{${label}}} names a label the query's result does not have`);
  }
  return problems;
}
