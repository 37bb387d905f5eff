// The worker's own account of where a scan attempt's time goes: the wcag_scan_stage_duration_seconds{stage}
// histogram, read in-process (the benchmark runs the workers) and diffed around one configuration.
import { workerMetrics } from '../../lib/metrics';

/** The stages the scan activity reports, in the order they happen. */
export const SCAN_STAGES = ['egress', 'lease', 'prepare', 'navigate', 'settle', 'axe', 'facts', 'screenshot', 'store', 'release'] as const;

/** Seconds and observations per stage so far. */
export type StageTotals = Record<string, { sum: number; count: number }>;

export async function readStageTotals(): Promise<StageTotals> {
  const { values } = await workerMetrics().scanStageDuration.get();
  const out: StageTotals = {};
  for (const v of values) {
    const stage = String(v.labels.stage ?? '');
    const t = (out[stage] ??= { sum: 0, count: 0 });
    if (v.metricName?.endsWith('_sum')) t.sum = v.value;
    else if (v.metricName?.endsWith('_count')) t.count = v.value;
  }
  return out;
}

/** Mean ms per stage between two readings; null for a stage nothing was observed for (not wired yet). */
export function stageMeansMs(before: StageTotals, after: StageTotals): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const stage of new Set([...SCAN_STAGES, ...Object.keys(after)])) {
    const count = (after[stage]?.count ?? 0) - (before[stage]?.count ?? 0);
    const sum = (after[stage]?.sum ?? 0) - (before[stage]?.sum ?? 0);
    out[stage] = count > 0 ? (sum * 1000) / count : null;
  }
  return out;
}
