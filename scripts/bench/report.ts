// The printed summary: one Markdown table of the headline figures against the issue's targets.
import type { EnqueueResult } from './enqueue';
import type { MonitoringResult } from './monitoring';
import type { SoakResult } from './soak';
import type { ThroughputResult } from './throughput';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  /** 1, 5 and 15 minute load averages at the start and the end of the run. */
  loadStart: number[];
  loadEnd: number[];
  node: string;
  chromium: string;
}

export interface BenchResult {
  startedAt: string;
  finishedAt: string;
  durationS: number;
  options: Record<string, unknown>;
  machine: Machine;
  corpus?: Record<string, unknown>;
  throughput?: ThroughputResult;
  enqueue?: EnqueueResult;
  monitoring?: MonitoringResult;
  soak?: SoakResult & { orphans: number[]; zombies: number[] };
  errors: Array<{ part: string; message: string }>;
}

export type Row = [area: string, figure: string, value: string, target: string];

/** A Markdown table; `|` inside cells is escaped. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

const pct = (v: number) => `${Math.round(v * 100)} %`;
const ms = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '–' : `${Math.round(v)} ms`);
const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

/** Headline rows from whatever parts ran. */
export function summaryRows(r: BenchResult): Row[] {
  const rows: Row[] = [];
  if (r.corpus)
    rows.push([
      'corpus',
      'pages (clean) · KB min/median/max · elements median',
      `${r.corpus.pages} (${r.corpus.clean}) · ${JSON.stringify(r.corpus.kb)} · ${(r.corpus.elements as { median: number }).median}`,
      '',
    ]);
  for (const t of r.throughput?.runs ?? []) {
    const c = t.concurrency;
    rows.push([`throughput C=${c}`, 'platform pages/min (API → Temporal → worker → Postgres)', `${t.platform.pagesPerMin}`, '']);
    rows.push([`throughput C=${c}`, 'bare loop pages/min, same scan (context per scan, proxy, axe)', `${t.bare.pagesPerMin}`, '']);
    rows.push([`throughput C=${c}`, "bare loop pages/min, reused pages (the machine's limit)", `${t.reuse.pagesPerMin}`, '']);
    rows.push([`throughput C=${c}`, 'platform / bare (same scan)', pct(t.ratio), c === 3 ? `≥ 85 %: ${verdict(t.ratio >= 0.85)}` : '']);
    rows.push([`throughput C=${c}`, 'platform / bare (reused pages)', pct(t.ratioToReuse), '']);
    rows.push([
      `throughput C=${c}`,
      'latency submit→terminal p50 / p95 (whole batch queued at once)',
      `${ms(t.platform.latencyMs.p50)} / ${ms(t.platform.latencyMs.p95)}`,
      '',
    ]);
    rows.push([`throughput C=${c}`, 'submit → first page load', ms(t.platform.firstPageLoadMs), '']);
    const b = t.bare.perPageMs;
    rows.push([
      `throughput C=${c}`,
      'bare same-scan per page p50: setup (proxy + context/page + prepare) / navigate / settle / axe',
      `${ms(b.setup.p50)} (${ms(b.proxy.p50)} + ${ms(b.lease.p50)} + ${ms(b.prepare.p50)}) / ${ms(b.navigate.p50)} / ${ms(b.settle.p50)} / ${ms(b.axe.p50)}`,
      '',
    ]);
    rows.push([
      `throughput C=${c}`,
      'reused pages per page p50: navigate / settle / axe',
      `${ms(t.reuse.perPageMs.navigate.p50)} / ${ms(t.reuse.perPageMs.settle.p50)} / ${ms(t.reuse.perPageMs.axe.p50)}`,
      '',
    ]);
    if (t.platform.history)
      rows.push([
        `throughput C=${c}`,
        "one scan's workflow: events / workflow tasks / activities",
        `${t.platform.history.events} / ${t.platform.history.workflowTasks} / ${t.platform.history.activities}`,
        '',
      ]);
    const bad = t.platform.correctness.mismatches.length + t.bare.correctness.mismatches.length + t.reuse.correctness.mismatches.length;
    rows.push([
      `throughput C=${c}`,
      'pages with exactly the expected violations (platform, bare, reuse)',
      `${t.platform.correctness.correct}/${t.platform.correctness.checked}, ${t.bare.correctness.correct}/${t.bare.correctness.checked}, ${t.reuse.correctness.correct}/${t.reuse.correctness.checked}`,
      `all: ${verdict(bad === 0)}`,
    ]);
  }
  if (r.enqueue) {
    const e = r.enqueue;
    rows.push(['enqueue', `accept a ${e.bulk.items}-item bulk`, ms(e.bulk.acceptMs), '']);
    rows.push([
      'enqueue',
      `POST /api/scans p50 / p99, ${e.single.clients} clients, ${e.single.requests} requests`,
      `${ms(e.single.p50Ms)} / ${ms(e.single.p99Ms)} (${e.single.non2xx} non-2xx)`,
      '',
    ]);
    rows.push([
      'enqueue',
      `pages/min with ${e.backlog.map((b) => b.queued).join(' vs ')} queued`,
      `${e.backlog.map((b) => b.pagesPerMin).join(' vs ')} (${pct(e.flatness)})`,
      `flat: ${verdict(e.flatness >= 0.85)}`,
    ]);
  }
  if (r.monitoring) {
    for (const e of r.monitoring.endpoints) {
      if (!e.present) rows.push(['monitoring', `GET ${e.path}`, 'absent (404)', '']);
      else if (!e.requests)
        rows.push([
          'monitoring',
          `GET ${e.path}${e.query}`,
          `no answer within the ${r.monitoring.seconds} s window`,
          'p99 < 100 ms: **not met**',
        ]);
      else
        rows.push([
          'monitoring',
          `GET ${e.path}${e.query} p50 / p99`,
          `${ms(e.p50Ms)} / ${ms(e.p99Ms)}${e.non2xx ? ` (${e.non2xx} non-2xx, status ${e.status})` : ''}`,
          `p99 < 100 ms: ${verdict((e.p99Ms ?? Infinity) < 100)}`,
        ]);
    }
  }
  if (r.soak) {
    const s = r.soak;
    rows.push([
      'soak',
      `${s.main.scans} scans: success rate, minutes`,
      `${pct(s.main.successRate)} (${s.main.completed} completed, ${s.main.failed} failed), ${s.main.minutes} min`,
      '',
    ]);
    const sl = s.main.slopeMbPer100;
    const slopeVerdict = Number.isNaN(sl.workerRss)
      ? 'too few samples'
      : `< 1: ${verdict(sl.workerRss < 1 && sl.heap < 1 && sl.chromiumPss < 1)}`;
    rows.push([
      'soak',
      `slope after ${s.main.warmupScans} scans, MB/100 scans: worker RSS / heap / Chromium PSS`,
      `${sl.workerRss} / ${sl.heap} / ${sl.chromiumPss}`,
      slopeVerdict,
    ]);
    rows.push(['soak', 'browser launches · restarts by cause', `${s.main.launches} · ${JSON.stringify(s.main.restarts)}`, '']);
    rows.push([
      'soak',
      'Chromium orphans / zombies after stop',
      `${s.orphans.length} / ${s.zombies.length}`,
      `0: ${verdict(s.orphans.length + s.zombies.length === 0)}`,
    ]);
    rows.push([
      'soak',
      `transient: ${s.transient.scans} scans, ${pct(s.transient.share)} fail once (${s.transient.injectedFailures} 503s)`,
      `${pct(s.transient.successRate)} after retries, ${s.transient.attemptsSpent} attempts`,
      `100 %: ${verdict(s.transient.successRate === 1)}`,
    ]);
  }
  for (const e of r.errors) rows.push([e.part, 'did not finish', e.message.slice(0, 200), '**error**']);
  return rows;
}

export function formatReport(r: BenchResult): string {
  const m = r.machine;
  const head =
    `Benchmark ${r.startedAt} (${r.durationS} s): ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ` +
    `load average ${m.loadStart.map((l) => l.toFixed(2)).join(' ')} at start, ${m.loadEnd.map((l) => l.toFixed(2)).join(' ')} at end; ` +
    `Node ${m.node}, ${m.chromium}`;
  return `${head}\n\n${markdownTable(['area', 'figure', 'value', 'target'], summaryRows(r))}\n`;
}
