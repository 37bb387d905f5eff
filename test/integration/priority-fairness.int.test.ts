// The browser queue dispatches by Temporal task-queue priority (high before low) and, within a priority, by
// fairness key (the client), so neither a large low backlog nor one client's bulk starves anyone.
import request from 'supertest';
import { useFixtureServer } from '../support/fixture-server';
import { adminAuth, submitScan, waitForTerminal } from '../support/scan-client';
import { eventually, startStack, type Stack } from '../support/stack';

const PAGE =
  '<!doctype html><html lang="en"><head><title>Queued page</title></head><body><main><h1>Queued</h1><p>A page in a long queue.</p></main></body></html>';

describe('priority and fairness on the browser queue', () => {
  const fetchOrder: string[] = [];
  const site = useFixtureServer({
    '/page': (req, res) => {
      fetchOrder.push(new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '?');
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    },
  });

  /** Builds a backlog on the browser queue with the page worker stopped, then lets one page work through it. */
  async function drainBacklog(submit: (stack: Stack) => Promise<string[]>): Promise<string[]> {
    const stack = await startStack({ env: { MAX_CONCURRENT_PAGES: '1', SCAN_MAX_RETRIES: '0' }, deferBrowserWorker: true });
    try {
      fetchOrder.length = 0;
      const scanIds = await submit(stack);
      // Every workflow has scheduled its page activity once the scan is past the URL check and still waiting.
      await eventually(async () => {
        const waiting = await stack.prisma.scan.count({ where: { id: { in: scanIds }, stage: 'waiting' } });
        if (waiting !== scanIds.length) return undefined;
        for (const id of scanIds) {
          const d = await stack.client.workflow.getHandle(`scan-${id}`).describe();
          if (!d.raw.pendingActivities?.some((a) => a.activityType?.name === 'scanPage')) return undefined;
        }
        return true;
      }, 60_000);
      stack.startBrowserWorker();
      await Promise.all(scanIds.map((id) => waitForTerminal(stack.app, id)));
      return [...fetchOrder];
    } finally {
      await stack.stop();
    }
  }

  it('starts a high-queue scan before a low-queue backlog submitted earlier drains', async () => {
    const order = await drainBacklog(async (stack) => {
      const low = [];
      for (let i = 0; i < 10; i++)
        low.push(await submitScan(stack.app, { url: site().url(`/page?id=low${i}`), clientId: 'backlog', queue: 'low' }));
      const high = await submitScan(stack.app, { url: site().url('/page?id=high'), clientId: 'backlog', queue: 'high', priority: 9 });
      return [...low, high];
    });
    expect(order).toHaveLength(11);
    // FIFO would fetch it last; priority dispatches it first.
    expect(order.indexOf('high')).toBe(0);
  });

  it("does not let one client's 10-item bulk starve another client's single scan on the same queue", async () => {
    const order = await drainBacklog(async (stack) => {
      const bulk = await request(stack.app)
        .post('/api/scans/bulk')
        .set(adminAuth)
        .send({
          clientId: 'big-client',
          queue: 'low',
          scans: Array.from({ length: 10 }, (_, i) => ({ url: site().url(`/page?id=big${i}`) })),
        })
        .expect(202);
      const items = await eventually(async () => {
        const p = await request(stack.app).get(`/api/scans/bulk/${bulk.body.bulkId}`).set(adminAuth);
        return p.body.running === 10 ? (p.body.items as Array<{ scanId: string }>) : undefined;
      });
      const small = await submitScan(stack.app, { url: site().url('/page?id=small'), clientId: 'small-client', queue: 'low' });
      return [...items.map((i) => i.scanId), small];
    });
    expect(order).toHaveLength(11);
    // Round robin between the two clients' fairness keys: the small client is served within the first few.
    expect(order.indexOf('small')).toBeLessThanOrEqual(2);
  });
});
