// The pool under stress: page limit, crashes, memory and unresponsiveness restarts, idle close, isolation.
import { hostname } from 'node:os';
import request from 'supertest';
import { isAlive, processTree } from '../../activities/browser/process-tree';
import { useFixtureServer } from '../support/fixture-server';
import { hostileRoutes } from '../support/hostile-routes';
import { adminAuth, scanToEnd, submitScan, waitForTerminal } from '../support/scan-client';
import { closedDescription, eventually, useStack } from '../support/stack';

const cookiesSeen: string[] = [];
const site = useFixtureServer({
  ...hostileRoutes({ blockedUrl: 'http://10.0.0.1/' }),
  '/record-cookie': (req, res) => {
    cookiesSeen.push(req.headers.cookie ?? '');
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end(
        '<!doctype html><html lang="en"><head><title>Cookie check</title></head><body><main><h1>Cookie check</h1><p>Records the cookie header it receives.</p></main></body></html>',
      );
  },
});

describe('browser pool, default settings', () => {
  const stack = useStack({ env: { MAX_CONCURRENT_PAGES: '3' } });

  it('never has more than MAX_CONCURRENT_PAGES pages open while 10 scans run', async () => {
    let maxLeased = 0;
    let maxOpen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxLeased = Math.max(maxLeased, stack().pool!.stats().pagesInUse);
        maxOpen = Math.max(
          maxOpen,
          await stack()
            .pool!.openPages()
            .catch(() => 0),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const ids = await Promise.all(Array.from({ length: 10 }, () => submitScan(stack().app, { url: site().url('/slow'), maxRetries: 0 })));
    const results = await Promise.all(ids.map((id) => waitForTerminal(stack().app, id)));
    sampling = false;
    await sampler;
    expect(results.map((r) => r.status)).toEqual(Array(10).fill('completed'));
    expect(maxLeased).toBe(3); // the limit was reached (the test is meaningful) and never passed
    expect(maxOpen).toBeLessThanOrEqual(3);
    expect(maxOpen).toBeGreaterThan(0);
  });

  it('isolates scans: a cookie set in one scan is absent in the next', async () => {
    expect(await scanToEnd(stack().app, { url: site().url('/set-cookie') })).toMatchObject({ status: 'completed' });
    cookiesSeen.length = 0;
    expect(await scanToEnd(stack().app, { url: site().url('/record-cookie') })).toMatchObject({ status: 'completed' });
    expect(cookiesSeen).toEqual(['']);
  });

  it('restarts a SIGKILLed browser and retries the cut-off scan to completion', async () => {
    const before = stack().pool!.stats().restarts.crash;
    const id = await submitScan(stack().app, { url: site().url('/slow'), maxRetries: 2 });
    const pid = await eventually(async () => (stack().pool!.stats().pagesInUse > 0 ? (stack().pool!.stats().pid ?? undefined) : undefined));
    process.kill(pid, 'SIGKILL');
    const result = await waitForTerminal(stack().app, id);
    expect(result).toMatchObject({ status: 'completed', attempts: 2 });
    expect(result.failedAttempts).toEqual([expect.objectContaining({ attempt: 1, category: 'crash' })]);
    expect(stack().pool!.stats().restarts.crash).toBe(before + 1);
    expect(stack().pool!.stats().pid).not.toBe(pid);
    await eventually(async () => (isAlive(pid) ? undefined : true), 10_000);
  });

  it('escalates to a SIGKILL of the whole tree when closing a page hangs, and counts it as killed', async () => {
    const { killed: before } = stack().pool!.stats().restarts;
    const leases = stack().pool!.stats().leasesGranted;
    const id = await submitScan(stack().app, { url: site().url('/slow'), timeout: 5_000, maxRetries: 0 });
    // Wait until the page is really open, so it is the close (not the opening) that hangs.
    const pid = await eventually(async () =>
      stack().pool!.stats().leasesGranted > leases ? (stack().pool!.stats().pid ?? undefined) : undefined,
    );
    const tree = processTree(pid);
    // A frozen browser answers nothing: the scan's budget runs out and closing its context hangs.
    process.kill(pid, 'SIGSTOP');
    const result = await waitForTerminal(stack().app, id);
    expect(result).toMatchObject({ status: 'failed', failureReason: 'timeout' });
    expect(stack().pool!.stats().restarts.killed).toBe(before + 1);
    await eventually(async () => (tree.some(isAlive) ? undefined : true), 10_000);
    expect(await scanToEnd(stack().app, { url: site().url('/clean.html') })).toMatchObject({ status: 'completed' });
  });

  it('lists this worker and restarts its browser pool on an operator command', async () => {
    const listed = await eventually(async () => {
      const r = await request(stack().app).get('/api/monitoring/workers').set(adminAuth).expect(200);
      return r.body.workers.length ? (r.body.workers as Array<{ identity: string }>) : undefined;
    });
    const identity = `${hostname()}:${process.pid}`;
    expect(listed.map((w) => w.identity)).toContain(identity);
    const before = stack().pool!.stats().restarts.manual;
    const res = await request(stack().app).post(`/api/monitoring/workers/${identity}/restart-browser`).set(adminAuth).expect(200);
    expect(res.body).toMatchObject({ identity, command: 'restart-browser' });
    expect(stack().pool!.stats().restarts.manual).toBe(before + 1);
    await request(stack().app).post('/api/monitoring/workers/gone-host:1/restart-browser').set(adminAuth).expect(404);
    expect(await scanToEnd(stack().app, { url: site().url('/clean.html') })).toMatchObject({ status: 'completed' });
  });

  it('cancels a running scan: the page closes at once and the scan ends cancelled in Postgres and Temporal', async () => {
    const id = await submitScan(stack().app, { url: site().url('/never-finishes'), timeout: 60_000, maxRetries: 0 });
    await eventually(async () => (stack().pool!.stats().pagesInUse > 0 ? true : undefined));
    await request(stack().app).post(`/api/scans/${id}/cancel`).set(adminAuth).expect(202);
    const result = await waitForTerminal(stack().app, id, 30_000);
    expect(result).toMatchObject({ status: 'cancelled', failureReason: 'cancelled' });
    expect(stack().pool!.stats().pagesInUse).toBe(0);
    const { status } = await closedDescription(stack().client.workflow.getHandle(result.workflowId));
    expect(status.name).toBe('CANCELLED');
    await request(stack().app).post(`/api/scans/${id}/cancel`).set(adminAuth).expect(409);
  });
});

describe('browser pool health checks', () => {
  const stack = useStack({ env: { MEMORY_HEALTH_CHECK_INTERVAL: '1000', PAGE_IDLE_TIMEOUT: '600000' } });

  it('kills and relaunches a browser that stops answering', async () => {
    expect(await scanToEnd(stack().app, { url: site().url('/clean.html') })).toMatchObject({ status: 'completed' });
    const pid = stack().pool!.stats().pid!;
    process.kill(pid, 'SIGSTOP');
    await eventually(async () => (stack().pool!.stats().restarts.unresponsive > 0 ? true : undefined), 30_000);
    await eventually(async () => (isAlive(pid) ? undefined : true), 10_000);
    expect(await scanToEnd(stack().app, { url: site().url('/clean.html') })).toMatchObject({ status: 'completed' });
    expect(stack().pool!.stats().pid).not.toBe(pid);
  });
});

describe('browser pool memory and idle limits', () => {
  // Any Chromium tree uses more than 100 MB (PSS ~300 MB idle), so every health check finds it over the limit.
  const stack = useStack({ env: { MAX_MEMORY_MB: '100', MEMORY_HEALTH_CHECK_INTERVAL: '1000', PAGE_IDLE_TIMEOUT: '600000' } });

  it('restarts the browser when the Chromium tree passes MAX_MEMORY_MB, without failing scans', async () => {
    const results = await Promise.all([1, 2, 3].map(() => scanToEnd(stack().app, { url: site().url('/slow'), maxRetries: 0 })));
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    await eventually(async () => (stack().pool!.stats().restarts.memory > 0 ? true : undefined), 30_000);
    expect(await scanToEnd(stack().app, { url: site().url('/clean.html') })).toMatchObject({ status: 'completed' });
  });
});

describe('browser pool idle close', () => {
  const stack = useStack({ env: { MEMORY_HEALTH_CHECK_INTERVAL: '1000', PAGE_IDLE_TIMEOUT: '1000' } });

  it('closes an idle browser and relaunches it on demand', async () => {
    expect(await scanToEnd(stack().app, { url: site().url('/clean.html') })).toMatchObject({ status: 'completed' });
    const pid = stack().pool!.stats().pid!;
    await eventually(async () => (stack().pool!.stats().connected ? undefined : true), 15_000);
    await eventually(async () => (isAlive(pid) ? undefined : true), 10_000);
    const launches = stack().pool!.stats().launches;
    expect(await scanToEnd(stack().app, { url: site().url('/clean.html') })).toMatchObject({ status: 'completed' });
    expect(stack().pool!.stats().launches).toBe(launches + 1);
  });
});
