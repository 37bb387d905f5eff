// Throughput against the limit: for each corpus and concurrency, the whole platform and the two bare loops over
// the same pages, with the CPU each spends per page and where the platform's time per page goes.
import { runBareLoop, type BareMode, type BareRun } from './bare-loop';
import type { BenchContext, BenchCorpus, CorpusMode } from './context';
import { checkCorrectness, type CorpusPage, type CorrectnessReport } from './corpus';
import { startCpuMeter, type CpuSeconds } from './cpu';
import { evenSample, meanTimeline, scanTimelines, type TimelineMeans } from './history';
import { apiOf, bulkScans, submitBulk, waitForBulk } from './platform';
import { readStageTotals, stageMeansMs } from './stages';
import { perMinute, round, summarize, type Summary } from './stats';

/** CPU over a configuration's timed part, and per page (Chromium tree + this process; Temporal apart). */
export interface CpuFigures extends CpuSeconds {
  perPageS: number | null;
}

export interface PlatformThroughput {
  concurrency: number;
  pages: number;
  pagesPerMin: number;
  acceptMs: number;
  /** Submit (bulk POST) to each scan's terminal state. */
  latencyMs: Summary;
  /** Submit to the first document request the corpus server saw. */
  firstPageLoadMs: number | null;
  /** Workflow start (recordScanStarted) to terminal: includes the wait for a free page. */
  inWorkflowMs: Summary;
  completed: number;
  failed: number;
  correctness: CorrectnessReport;
  cpu: CpuFigures;
  /** Mean ms per scan-activity stage from the worker's histogram; null where nothing was observed. */
  stagesMs: Record<string, number | null>;
  /** The Temporal/DB side from a sample of workflow histories; null when none could be read. */
  timeline: TimelineMeans | null;
}

export interface BareThroughput {
  mode: BareMode;
  concurrency: number;
  pages: number;
  pagesPerMin: number;
  perPageMs: {
    setup: Summary;
    lease: Summary;
    prepare: Summary;
    navigate: Summary;
    settle: Summary;
    axe: Summary;
    total: Summary;
  };
  errors: number;
  correctness: CorrectnessReport;
  cpu: CpuFigures;
}

export interface ThroughputRun {
  corpus: CorpusMode;
  concurrency: number;
  platform: PlatformThroughput;
  bare: BareThroughput;
  reuse: BareThroughput;
  /** platform / bare same-scan, platform / bare reused pages. */
  ratio: number;
  ratioToReuse: number;
}

export interface ThroughputResult {
  runs: ThroughputRun[];
}

function cpuFigures(cpu: CpuSeconds, pages: number): CpuFigures {
  const perPageS = cpu.chromium === null || pages === 0 ? null : round((cpu.chromium + cpu.node) / pages);
  return { ...cpu, perPageS };
}

/** Violations found per page path (the multi-site corpus serves the same paths from other hosts). */
function foundByPath(results: ReadonlyArray<{ url: string; violations: string[] }>): Map<string, string[]> {
  return new Map(results.map((r) => [new URL(r.url).pathname, r.violations]));
}

function bareSummary(pages: readonly CorpusPage[], run: BareRun): BareThroughput {
  type Key = 'setupMs' | 'leaseMs' | 'prepareMs' | 'navigateMs' | 'settleMs' | 'axeMs' | 'totalMs';
  const ok = run.timings.filter((t) => !t.error);
  const pick = (k: Key) => summarize(ok.map((t) => t[k] ?? 0));
  return {
    mode: run.mode,
    concurrency: run.concurrency,
    pages: run.pages,
    pagesPerMin: round(perMinute(run.pages, run.wallMs)),
    perPageMs: {
      setup: pick('setupMs'),
      lease: pick('leaseMs'),
      prepare: pick('prepareMs'),
      navigate: pick('navigateMs'),
      settle: pick('settleMs'),
      axe: pick('axeMs'),
      total: pick('totalMs'),
    },
    errors: run.timings.length - ok.length,
    correctness: checkCorrectness(pages, foundByPath(ok)),
    cpu: cpuFigures(run.cpu, run.pages),
  };
}

export async function runPlatformThroughput(
  ctx: BenchContext,
  concurrency: number,
  urls: readonly string[],
  pages: readonly CorpusPage[],
  label: string,
): Promise<PlatformThroughput> {
  const pl = await ctx.infra.platform(concurrency);
  const api = apiOf(pl);
  ctx.server.reset();
  const stages0 = await readStageTotals();
  const meter = startCpuMeter(() => pl.pool.stats().pid, ctx.infra.temporalPid);
  const t0 = Date.now();
  const bulkId = await submitBulk(api, urls, { clientId: `bench-throughput-${label}-c${concurrency}` });
  const acceptMs = Date.now() - t0;
  let last = '';
  await waitForBulk(api, bulkId, 120_000 + urls.length * 30_000, (p) => {
    const line = `  platform ${label} C=${concurrency}: ${p.completed + p.failed + p.cancelled}/${p.total}`;
    if (line !== last && (p.completed + p.failed) % 10 === 0) ctx.log(line);
    last = line;
  });
  const cpu = meter.stop();
  const stagesMs = stageMeansMs(stages0, await readStageTotals());
  const scans = await bulkScans(ctx.infra.prisma, bulkId);
  const end = Math.max(...scans.map((s) => s.finishedAt?.getTime() ?? t0));
  const completed = scans.filter((s) => s.status === 'completed').sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const sample = evenSample(completed, ctx.opts.historySample).map((s) => `scan-${s.id}`);
  const timelines = sample.length ? await scanTimelines(ctx.infra.env(1), sample) : [];
  return {
    concurrency,
    pages: urls.length,
    pagesPerMin: round(perMinute(urls.length, end - t0)),
    acceptMs,
    latencyMs: summarize(scans.map((s) => (s.finishedAt?.getTime() ?? end) - t0)),
    firstPageLoadMs: ctx.server.firstRequestAt ? ctx.server.firstRequestAt - t0 : null,
    inWorkflowMs: summarize(scans.filter((s) => s.startedAt && s.finishedAt).map((s) => s.finishedAt!.getTime() - s.startedAt!.getTime())),
    completed: completed.length,
    failed: scans.filter((s) => s.status === 'failed').length,
    correctness: checkCorrectness(pages, foundByPath(completed)),
    cpu: cpuFigures(cpu, urls.length),
    stagesMs,
    timeline: timelines.length ? meanTimeline(timelines) : null,
  };
}

async function runCorpus(ctx: BenchContext, c: number, corpus: BenchCorpus): Promise<ThroughputRun> {
  const { mode, urls, pages } = corpus;
  ctx.log(`throughput ${mode} C=${c}: bare loop (same scan), ${urls.length} pages`);
  const bare = bareSummary(pages, await runBareLoop(ctx.infra.env(c), urls, 'same-scan'));
  ctx.log(`  ${bare.pagesPerMin} pages/min`);
  ctx.log(`throughput ${mode} C=${c}: bare loop (reused pages), ${urls.length} pages`);
  const reuse = bareSummary(pages, await runBareLoop(ctx.infra.env(c), urls, 'reuse'));
  ctx.log(`  ${reuse.pagesPerMin} pages/min`);
  ctx.log(`throughput ${mode} C=${c}: platform, ${urls.length} pages`);
  // The pipeline's browser launches lazily and closes when idle (it may have, during the bare loops): warm it with
  // one scan right before the clock starts, as a busy long-running worker would be.
  await runPlatformThroughput(ctx, c, [`${urls[0]}?warmup=1`], pages, 'warmup');
  const platform = await runPlatformThroughput(ctx, c, urls, pages, mode);
  ctx.log(`  ${platform.pagesPerMin} pages/min`);
  return {
    corpus: mode,
    concurrency: c,
    platform,
    bare,
    reuse,
    ratio: round(platform.pagesPerMin / bare.pagesPerMin),
    ratioToReuse: round(platform.pagesPerMin / reuse.pagesPerMin),
  };
}

export async function runThroughput(ctx: BenchContext): Promise<ThroughputResult> {
  const runs: ThroughputRun[] = [];
  for (const c of ctx.opts.concurrency) {
    for (const corpus of ctx.corpora) runs.push(await runCorpus(ctx, c, corpus));
    // Keep the concurrency-3 pipeline for the parts that follow; others go.
    if (c !== 3) await ctx.infra.stopPlatform(c);
  }
  return { runs };
}
