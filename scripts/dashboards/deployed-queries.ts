// Every PromQL query the deployment ships: the Grafana dashboards' panel targets and the expressions of any alerting
// or recording rule files under deploy/prometheus, plus Prometheus's job names (what a `job` matcher may use).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { QueryToCheck, TargetLabels } from './check-queries';

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string; legendFormat?: string }>;
  panels?: Panel[];
}

function panelQueries(file: string, panels: Panel[]): QueryToCheck[] {
  return panels.flatMap((p) => [
    ...(p.targets ?? [])
      .filter((t) => t.expr)
      .map((t) => ({ where: `${file}, panel "${p.title ?? '?'}"`, expr: t.expr!, legendFormat: t.legendFormat })),
    ...panelQueries(file, p.panels ?? []), // rows hold panels of their own
  ]);
}

export function dashboardQueries(root: string): QueryToCheck[] {
  const dir = join(root, 'deploy', 'grafana', 'dashboards');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => panelQueries(f, (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { panels: Panel[] }).panels));
}

/** Rule files: any YAML under deploy/prometheus with `groups:` (the rule file format). */
export function ruleQueries(root: string): QueryToCheck[] {
  const dir = join(root, 'deploy', 'prometheus');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => {
      const doc = parse(readFileSync(join(dir, f), 'utf8')) as {
        groups?: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }>;
      };
      return (doc.groups ?? []).flatMap((g) => g.rules.map((r) => ({ where: `${f}, rule ${r.alert ?? r.record}`, expr: String(r.expr) })));
    });
}

export function prometheusTargets(root: string): TargetLabels {
  const config = parse(readFileSync(join(root, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as {
    scrape_configs: Array<{ job_name: string }>;
  };
  return { jobs: config.scrape_configs.map((j) => j.job_name) };
}
