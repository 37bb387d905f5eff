// Enqueue: how fast submissions are accepted, and whether scanning slows down with a deep backlog.
import autocannon from 'autocannon';
import type { BenchContext } from './context';
import { apiOf, cancelBulk, submitBulk, type Api } from './platform';
import { compareRates, perMinute, round, spread, subWindowRates, type RateComparison, type Spread } from './stats';

export interface BacklogRate {
  queued: number;
  timedScans: number;
  /** Over the whole timed window. */
  pagesPerMin: number;
  /** Per sub-window, and their mean and spread. */
  subWindowRates: number[];
  rate: Spread;
}

export interface EnqueueResult {
  bulk: { items: number; acceptMs: number };
  single: { requests: number; clients: number; p50Ms: number; p99Ms: number; maxMs: number; non2xx: number; requestsPerSec: number };
  backlog: BacklogRate[];
  /** pages/min at the deeper backlog over pages/min at the shallower one (1 = flat), from the sub-window means. */
  flatness: number;
  /** Whether the difference is inside the sub-windows' noise (two standard errors). */
  comparison: RateComparison;
}

const TERMINAL = ['completed', 'failed', 'cancelled'] as const;

/**
 * Scan rate with `queued` scans waiting: the backlog is topped up as scans finish so it stays at its depth for the
 * whole window, and the rate comes from the scans' own finish times (first `skip` left out: the pipeline fills).
 */
async function rateWithBacklog(ctx: BenchContext, api: Api, queued: number, window: number, parts: number): Promise<BacklogRate> {
  const clientId = `bench-backlog-${queued}`;
  const skip = 3;
  const bulkIds: string[] = [];
  let submitted = 0;
  const submit = async (n: number) => {
    const urls = Array.from({ length: n }, (_, k) => {
      const i = submitted + k;
      return ctx.server.url(ctx.corpus[i % ctx.corpus.length].path, `backlog=${queued}-${i}`);
    });
    bulkIds.push(await submitBulk(api, urls, { clientId }));
    submitted += n;
  };
  // Top up in chunks, not one scan at a time: each bulk is a workflow of its own.
  const chunk = Math.max(1, Math.min(10, Math.floor(queued / 10)));
  const deadline = Date.now() + 120_000 + window * 30_000;
  try {
    await submit(queued);
    for (;;) {
      const done = await ctx.infra.prisma.scan.count({ where: { clientId, status: { in: [...TERMINAL] } } });
      if (done >= skip + window) break;
      if (queued - (submitted - done) >= chunk) await submit(queued - (submitted - done));
      if (Date.now() > deadline) throw new Error(`backlog ${queued}: ${window} scans not done in time`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    // The rest of the backlog is not needed: cancel it, so the next measurement starts from an idle pipeline.
    for (const id of bulkIds) await cancelBulk(api, id, 180_000);
  }
  const finished = await ctx.infra.prisma.scan.findMany({
    where: { clientId, status: { in: ['completed', 'failed'] }, finishedAt: { not: null } },
    select: { finishedAt: true },
  });
  const times = finished.map((s) => s.finishedAt!.getTime()).sort((a, b) => a - b);
  const rates = subWindowRates(times, skip, window, parts);
  const first = times[skip - 1];
  const last = times[Math.min(times.length - 1, skip - 1 + window)];
  return {
    queued,
    timedScans: window,
    pagesPerMin: round(perMinute(Math.min(window, times.length - skip), last - first)),
    subWindowRates: rates.map(round),
    rate: spread(rates),
  };
}

export async function runEnqueue(ctx: BenchContext): Promise<EnqueueResult> {
  // A pipeline of its own: thousands of submissions must not queue up in front of the other parts' scans.
  const pl = await ctx.infra.platform(3, 'enqueue');
  const api = apiOf(pl);
  try {
    const backlog: BacklogRate[] = [];
    for (const queued of ctx.opts.backlogs) {
      ctx.log(
        `enqueue: scan rate with ${queued} queued (${ctx.opts.backlogWindow} scans timed in ${ctx.opts.backlogSubWindows} sub-windows)`,
      );
      const b = await rateWithBacklog(ctx, api, queued, ctx.opts.backlogWindow, ctx.opts.backlogSubWindows);
      backlog.push(b);
      ctx.log(`  ${b.pagesPerMin} pages/min (sub-windows ${b.subWindowRates.join(', ')})`);
    }

    ctx.log(`enqueue: accepting a ${ctx.opts.enqueueBulk}-item bulk`);
    const urls = Array.from({ length: ctx.opts.enqueueBulk }, (_, i) =>
      ctx.server.url(ctx.corpus[i % ctx.corpus.length].path, `bulk=${i}`),
    );
    const t0 = Date.now();
    const bulkId = await submitBulk(api, urls, { clientId: 'bench-enqueue', queue: 'low' });
    const acceptMs = Date.now() - t0;
    await cancelBulk(api, bulkId, 180_000);

    ctx.log(`enqueue: ${ctx.opts.enqueueRequests} single POST /api/scans from ${ctx.opts.enqueueClients} clients`);
    const result = await autocannon({
      url: `${pl.baseUrl}/api/scans`,
      method: 'POST',
      headers: { Authorization: `Bearer ${pl.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: ctx.server.url(ctx.corpus[0].path, 'single=1'), clientId: 'bench-single', queue: 'low', priority: 1 }),
      connections: ctx.opts.enqueueClients,
      amount: ctx.opts.enqueueRequests,
      timeout: 30,
    });
    return {
      bulk: { items: ctx.opts.enqueueBulk, acceptMs },
      single: {
        requests: result.requests.total,
        clients: ctx.opts.enqueueClients,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
        non2xx: result.non2xx + result.errors + result.timeouts,
        requestsPerSec: round(result.requests.average),
      },
      backlog,
      flatness: round(backlog[1].rate.mean / backlog[0].rate.mean),
      comparison: compareRates(backlog[0].rate, backlog[1].rate),
    };
  } finally {
    // The single scans are still queued: stop this pipeline (nothing polls its queues afterwards).
    await ctx.infra.stopPlatform(3, 'enqueue');
  }
}
