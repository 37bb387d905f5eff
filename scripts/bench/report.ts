// The printed summary: one Markdown table of the headline figures against the issue's targets.
import type { EnqueueResult } from './enqueue';
import type { MonitoringResult } from './monitoring';
import type { SoakResult } from './soak';
import { SCAN_STAGES } from './stages';
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
const sec = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)} s`);
/** A stage mean that may be missing (the histogram not wired yet, or no history read). */
const ms0 = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : String(Math.round(v)));

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
    const area = `throughput ${t.corpus} C=${t.concurrency}`;
    rows.push([
      area,
      'pages/min: platform / bare same scan / bare reused pages',
      `${t.platform.pagesPerMin} / ${t.bare.pagesPerMin} / ${t.reuse.pagesPerMin}`,
      '',
    ]);
    rows.push([
      area,
      'platform / reused pages · platform / same scan',
      `${pct(t.ratioToReuse)} · ${pct(t.ratio)}`,
      `≥ 90 %: ${verdict(t.ratioToReuse >= 0.9)}`,
    ]);
    rows.push([
      area,
      'CPU-s per page (Chromium tree + Node process): platform / same scan / reused',
      `${sec(t.platform.cpu.perPageS)} / ${sec(t.bare.cpu.perPageS)} / ${sec(t.reuse.cpu.perPageS)}`,
      '',
    ]);
    const bad = t.platform.correctness.mismatches.length + t.bare.correctness.mismatches.length + t.reuse.correctness.mismatches.length;
    rows.push([
      area,
      'pages with exactly the planted violations (platform, same scan, reused)',
      `${t.platform.correctness.correct}/${t.platform.pages}, ${t.bare.correctness.correct}/${t.bare.pages}, ${t.reuse.correctness.correct}/${t.reuse.pages}`,
      `all: ${verdict(bad === 0 && t.platform.correctness.checked === t.platform.pages && t.bare.correctness.checked === t.bare.pages && t.reuse.correctness.checked === t.reuse.pages)}`,
    ]);
    rows.push([
      area,
      'platform latency submit→terminal p50 / p95 (batch queued at once) · submit → first page load',
      `${ms(t.platform.latencyMs.p50)} / ${ms(t.platform.latencyMs.p95)} · ${ms(t.platform.firstPageLoadMs)}`,
      '',
    ]);
    const b = t.bare.perPageMs;
    rows.push([
      area,
      'bare same-scan per page p50: setup (lease + prepare) / navigate / settle / axe',
      `${ms(b.setup.p50)} (${ms(b.lease.p50)} + ${ms(b.prepare.p50)}) / ${ms(b.navigate.p50)} / ${ms(b.settle.p50)} / ${ms(b.axe.p50)}`,
      '',
    ]);
    rows.push([
      area,
      'reused pages per page p50: navigate / settle / axe',
      `${ms(t.reuse.perPageMs.navigate.p50)} / ${ms(t.reuse.perPageMs.settle.p50)} / ${ms(t.reuse.perPageMs.axe.p50)}`,
      '',
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
    const [a, b] = e.backlog;
    const rate = (x: typeof a) => `${x.rate.mean.toFixed(1)} ± ${x.rate.sd.toFixed(1)}`;
    rows.push([
      'enqueue',
      `pages/min with ${a.queued} vs ${b.queued} queued (mean ± sd of ${a.rate.n} sub-windows, ${a.timedScans} scans timed each)`,
      `${rate(a)} vs ${rate(b)} (${pct(e.flatness)}); difference ${e.comparison.difference.toFixed(1)} ${e.comparison.insideNoise ? 'inside' : 'outside'} the noise (2 SE = ${e.comparison.noise.toFixed(1)})`,
      `within 10 %: ${verdict(Math.abs(1 - e.flatness) <= 0.1)}`,
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

/** Columns of the platform's per-page breakdown: the worker's stages, then the Temporal/DB side. */
export const BREAKDOWN_HEADER = [
  'corpus',
  'C',
  ...SCAN_STAGES,
  'wf start → page start, queue excluded',
  'page queue (excluded)',
  'record-start (run)',
  'URL check (run)',
  'record-finish (run)',
  'wf tasks queue / run',
  'after page',
  'Temporal CPU-s/page',
] as const;

/** One row per corpus and concurrency: mean ms per stage, "n/a" where nothing was measured. */
export function breakdownRows(t: ThroughputResult): string[][] {
  return t.runs.map((run) => {
    const p = run.platform;
    const tl = p.timeline;
    // A local activity runs inside a workflow task: its time is in that column, not its own.
    const act = (name: string) => (tl?.localActivities.includes(name) ? 'in wf task' : ms0(tl?.byActivity[name]?.runMs));
    return [
      run.corpus,
      String(run.concurrency),
      ...SCAN_STAGES.map((st) => ms0(p.stagesMs[st])),
      ms0(tl?.beforePageMs),
      ms0(tl?.pageQueueMs),
      act('recordScanStarted'),
      act('assertUrlSafe'),
      act('recordScanFinished'),
      `${ms0(tl?.workflowTaskQueueMs)} / ${ms0(tl?.workflowTaskRunMs)}`,
      ms0(tl?.afterPageMs),
      p.cpu.temporal === null ? 'n/a' : (p.cpu.temporal / p.pages).toFixed(2),
    ];
  });
}

export function formatReport(r: BenchResult): string {
  const m = r.machine;
  const head =
    `Benchmark ${r.startedAt} (${r.durationS} s): ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, ` +
    `load average ${m.loadStart.map((l) => l.toFixed(2)).join(' ')} at start, ${m.loadEnd.map((l) => l.toFixed(2)).join(' ')} at end; ` +
    `Node ${m.node}, ${m.chromium}`;
  const summary = markdownTable(['area', 'figure', 'value', 'target'], summaryRows(r));
  if (!r.throughput?.runs.length) return `${head}\n\n${summary}\n`;
  const sample = r.throughput.runs[0].platform.timeline?.sampled ?? 0;
  const breakdown =
    `Platform time per page, mean ms (stages from the worker's wcag_scan_stage_duration_seconds; the Temporal/DB ` +
    `side from ${sample} workflow histories per row, queue waits shown apart):\n\n${markdownTable(BREAKDOWN_HEADER, breakdownRows(r.throughput))}`;
  return `${head}\n\n${summary}\n\n${breakdown}\n`;
}
