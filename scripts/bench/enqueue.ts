// Enqueue: how fast submissions are accepted, and whether scanning slows down with a deep backlog.
import autocannon from 'autocannon';
import type { BenchContext } from './context';
import { apiOf, bulkProgress, cancelBulk, submitBulk, type Api } from './platform';
import { perMinute, round } from './stats';

export interface EnqueueResult {
  bulk: { items: number; acceptMs: number };
  single: { requests: number; clients: number; p50Ms: number; p99Ms: number; maxMs: number; non2xx: number; requestsPerSec: number };
  backlog: Array<{ queued: number; timedScans: number; pagesPerMin: number }>;
  /** pages/min at the deeper backlog over pages/min at the shallower one (1 = flat). */
  flatness: number;
}

/** Scans per minute once the pipeline is busy: the time for `window` completions after the first few. */
async function rateWithBacklog(ctx: BenchContext, api: Api, queued: number, window: number): Promise<number> {
  const urls = Array.from({ length: queued }, (_, i) => ctx.server.url(ctx.corpus[i % ctx.corpus.length].path, `backlog=${queued}-${i}`));
  const bulkId = await submitBulk(api, urls, { clientId: `bench-backlog-${queued}` });
  const skip = 3;
  let tStart = 0;
  const deadline = Date.now() + 120_000 + window * 30_000;
  try {
    for (;;) {
      const p = await bulkProgress(api, bulkId);
      const done = p.completed + p.failed + p.cancelled;
      if (!tStart && done >= skip) tStart = Date.now();
      if (tStart && done >= skip + window) return perMinute(done - skip, Date.now() - tStart);
      if (Date.now() > deadline) throw new Error(`backlog ${queued}: ${window} scans not done in time`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    // The rest of the backlog is not needed: cancel it, so the next measurement starts from an idle pipeline.
    await cancelBulk(api, bulkId, 180_000);
  }
}

export async function runEnqueue(ctx: BenchContext): Promise<EnqueueResult> {
  // A pipeline of its own: thousands of submissions must not queue up in front of the other parts' scans.
  const pl = await ctx.infra.platform(3, 'enqueue');
  const api = apiOf(pl);
  try {
    const backlog: EnqueueResult['backlog'] = [];
    for (const queued of ctx.opts.backlogs) {
      ctx.log(`enqueue: scan rate with ${queued} queued (${ctx.opts.backlogWindow} scans timed)`);
      const rate = await rateWithBacklog(ctx, api, queued, ctx.opts.backlogWindow);
      backlog.push({ queued, timedScans: ctx.opts.backlogWindow, pagesPerMin: round(rate) });
      ctx.log(`  ${round(rate)} pages/min`);
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
      flatness: round(backlog[1].pagesPerMin / backlog[0].pagesPerMin),
    };
  } finally {
    // The single scans are still queued: stop this pipeline (nothing polls its queues afterwards).
    await ctx.infra.stopPlatform(3, 'enqueue');
  }
}
