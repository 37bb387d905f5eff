// Throughput against the limit: the whole platform and the bare loop over the same pages at each concurrency.
import { connectClient } from '../../lib/temporal';
import { runBareLoop, type BareMode, type BareRun } from './bare-loop';
import { checkCorrectness, type CorrectnessReport } from './corpus';
import type { BenchContext } from './context';
import { apiOf, bulkScans, submitBulk, waitForBulk } from './platform';
import { perMinute, round, summarize, type Summary } from './stats';

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
  /** One completed scan's workflow history: how many round trips orchestration costs per scan. */
  history: { events: number; workflowTasks: number; activities: number } | null;
}

export interface BareThroughput {
  mode: BareMode;
  concurrency: number;
  pages: number;
  pagesPerMin: number;
  perPageMs: {
    setup: Summary;
    proxy: Summary;
    lease: Summary;
    prepare: Summary;
    navigate: Summary;
    settle: Summary;
    axe: Summary;
    total: Summary;
  };
  errors: number;
  correctness: CorrectnessReport;
}

export interface ThroughputResult {
  runs: Array<{
    concurrency: number;
    platform: PlatformThroughput;
    bare: BareThroughput;
    reuse: BareThroughput;
    ratio: number;
    ratioToReuse: number;
  }>;
}

function bareSummary(ctx: BenchContext, run: BareRun): BareThroughput {
  type Key = 'setupMs' | 'proxyMs' | 'leaseMs' | 'prepareMs' | 'navigateMs' | 'settleMs' | 'axeMs' | 'totalMs';
  const pick = (k: Key) => summarize(run.timings.filter((t) => !t.error).map((t) => t[k] ?? 0));
  const found = new Map<string, string[]>();
  run.timings.forEach((t) => !t.error && found.set(new URL(t.url).pathname, t.violations));
  return {
    mode: run.mode,
    concurrency: run.concurrency,
    pages: run.pages,
    pagesPerMin: round(perMinute(run.pages, run.wallMs)),
    perPageMs: {
      setup: pick('setupMs'),
      proxy: pick('proxyMs'),
      lease: pick('leaseMs'),
      prepare: pick('prepareMs'),
      navigate: pick('navigateMs'),
      settle: pick('settleMs'),
      axe: pick('axeMs'),
      total: pick('totalMs'),
    },
    errors: run.timings.filter((t) => t.error).length,
    correctness: checkCorrectness(ctx.corpus, found),
  };
}

async function historyOf(ctx: BenchContext, workflowId: string) {
  const client = await connectClient(ctx.infra.env(1));
  try {
    const h = await client.workflow.getHandle(workflowId).fetchHistory();
    const events = h.events ?? [];
    return {
      events: events.length,
      workflowTasks: events.filter((e) => e.workflowTaskCompletedEventAttributes).length,
      activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
    };
  } catch {
    return null;
  } finally {
    await client.connection.close();
  }
}

export async function runPlatformThroughput(ctx: BenchContext, concurrency: number, urls: string[]): Promise<PlatformThroughput> {
  const pl = await ctx.infra.platform(concurrency);
  const api = apiOf(pl);
  ctx.server.reset();
  const t0 = Date.now();
  const bulkId = await submitBulk(api, urls, { clientId: `bench-throughput-c${concurrency}` });
  const acceptMs = Date.now() - t0;
  let last = '';
  await waitForBulk(api, bulkId, 120_000 + urls.length * 30_000, (p) => {
    const line = `  platform C=${concurrency}: ${p.completed + p.failed + p.cancelled}/${p.total}`;
    if (line !== last && (p.completed + p.failed) % 10 === 0) ctx.log(line);
    last = line;
  });
  const scans = await bulkScans(ctx.infra.prisma, bulkId);
  const end = Math.max(...scans.map((s) => s.finishedAt?.getTime() ?? t0));
  const found = new Map<string, string[]>();
  for (const s of scans) if (s.status === 'completed') found.set(new URL(s.url).pathname, s.violations);
  const done = scans.find((s) => s.status === 'completed');
  return {
    concurrency,
    pages: urls.length,
    pagesPerMin: round(perMinute(urls.length, end - t0)),
    acceptMs,
    latencyMs: summarize(scans.map((s) => (s.finishedAt?.getTime() ?? end) - t0)),
    firstPageLoadMs: ctx.server.firstRequestAt ? ctx.server.firstRequestAt - t0 : null,
    inWorkflowMs: summarize(scans.filter((s) => s.startedAt && s.finishedAt).map((s) => s.finishedAt!.getTime() - s.startedAt!.getTime())),
    completed: scans.filter((s) => s.status === 'completed').length,
    failed: scans.filter((s) => s.status === 'failed').length,
    correctness: checkCorrectness(ctx.corpus, found),
    history: done ? await historyOf(ctx, `scan-${done.id}`) : null,
  };
}

export async function runThroughput(ctx: BenchContext): Promise<ThroughputResult> {
  const pages = ctx.corpus.slice(0, ctx.opts.throughputPages);
  const urls = pages.map((p) => ctx.server.url(p.path));
  const runs: ThroughputResult['runs'] = [];
  for (const c of ctx.opts.concurrency) {
    ctx.log(`throughput C=${c}: bare loop (same scan), ${urls.length} pages`);
    const bare = bareSummary(ctx, await runBareLoop(ctx.infra.env(c), urls, 'same-scan'));
    ctx.log(`  ${bare.pagesPerMin} pages/min`);
    ctx.log(`throughput C=${c}: bare loop (reused pages), ${urls.length} pages`);
    const reuse = bareSummary(ctx, await runBareLoop(ctx.infra.env(c), urls, 'reuse'));
    ctx.log(`  ${reuse.pagesPerMin} pages/min`);
    ctx.log(`throughput C=${c}: platform, ${urls.length} pages`);
    // The first pipeline start bundles workflow code and launches Chromium lazily: warm it with one scan first,
    // as a long-running worker would be.
    await runPlatformThroughput(ctx, c, [ctx.server.url(pages[0].path, 'warmup=1')]);
    const platform = await runPlatformThroughput(ctx, c, urls);
    ctx.log(`  ${platform.pagesPerMin} pages/min`);
    runs.push({
      concurrency: c,
      platform,
      bare,
      reuse,
      ratio: round(platform.pagesPerMin / bare.pagesPerMin),
      ratioToReuse: round(platform.pagesPerMin / reuse.pagesPerMin),
    });
    // Keep the concurrency-3 pipeline for the parts that follow; others go.
    if (c !== 3) await ctx.infra.stopPlatform(c);
  }
  return { runs };
}
