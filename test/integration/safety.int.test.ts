// Safety layer against the real stack: per-client hourly quota under concurrency, bulk item-by-item refusals,
// abuse limits, the Temporal breaker (through a TCP proxy this test cuts), the per-host breaker in the workers
// (what counts against a host, one client alone cannot open the shared one but opens its own, a target that answers
// 503, then recovers), /safety and both /metrics endpoints.
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, connect, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { withContractCheck } from '../support/contract-recorder';
import { startWorkerMetricsServer, workerMetrics } from '../../lib/metrics';
import { urlPolicyFrom } from '../../targets/url-policy';
import { adminAuth, clientAuth, waitForTerminal } from '../support/scan-client';
import { ADMIN_KEY, eventually, startStack, testEnv, useStack, type Stack } from '../support/stack';

const SAFETY_ENV = {
  MAX_SCANS_PER_HOUR: '10',
  BREAKER_FAILURE_THRESHOLD: '5',
  BREAKER_SUCCESS_THRESHOLD: '2',
  BREAKER_TIMEOUT: '3000',
  METRICS_TOKEN: 'metrics-token-0123456789',
};

/** A TCP pass-through to the Temporal dev server that the test can cut and restore. */
async function startCuttableProxy(target: string): Promise<{ address: string; up: boolean; cut(): void; close(): Promise<void> }> {
  const [host, port] = target.split(':');
  const sockets = new Set<Socket>();
  const state = { up: true };
  const server: TcpServer = createTcpServer((client) => {
    if (!state.up) return void client.destroy();
    const upstream = connect(Number(port), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    get up() {
      return state.up;
    },
    set up(v: boolean) {
      state.up = v;
    },
    cut() {
      state.up = false;
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

describe('safety: rate limits, abuse limits, circuit breakers, metrics', () => {
  let stack: Stack;
  const startedAt = new Date();

  // The API-side tests run without workers: their scans (to a closed port) must never reach a browser.
  beforeAll(async () => {
    stack = await startStack({ env: SAFETY_ENV, workers: false });
  });
  afterAll(async () => {
    if (!stack) return;
    // Nothing polls this stack's queues: end its scans here instead of leaving them open on the shared server.
    const open = await stack.prisma.scan.findMany({
      where: { status: 'queued', createdAt: { gte: startedAt }, queue: { in: ['high', 'low'] } },
    });
    const mine = open.filter((s) => s.clientId !== 'host-breaker');
    await Promise.all(
      mine.map((s) =>
        stack.client.workflow
          .getHandle(s.workflowId)
          .terminate('test cleanup')
          .catch(() => undefined),
      ),
    );
    await stack.prisma.scan.updateMany({
      where: { id: { in: mine.map((s) => s.id) } },
      data: { status: 'cancelled', stage: 'done', finishedAt: new Date() },
    });
    await stack.stop();
  });

  /** Quotas are per clock hour: a test that straddles the hour would see its window reset half way. */
  async function awayFromTheHour(): Promise<void> {
    const untilNextHour = 3_600_000 - (Date.now() % 3_600_000);
    if (untilNextHour < 120_000) await new Promise((r) => setTimeout(r, untilNextHour + 1_000));
  }

  it('accepts exactly the remaining quota out of 20 parallel submissions and refuses the rest with 429 + Retry-After', async () => {
    await awayFromTheHour();
    const clientId = `burst-${Date.now()}`;
    const auth = await clientAuth(stack, clientId);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(stack.app)
          .post('/api/scans')
          .set(auth)
          .send({ url: `http://127.0.0.1:9/p${i}` }),
      ),
    );
    const accepted = responses.filter((r) => r.status === 202);
    const refused = responses.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(10);
    expect(refused).toHaveLength(10);
    for (const r of refused) {
      const retryAfter = Number(r.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(r.body).toMatchObject({ error: 'rate_limited', details: { limit: 10, remaining: 0 } });
    }
    // Refused submissions left nothing behind; accepted ones are real scans.
    expect(await stack.prisma.scan.count({ where: { clientId } })).toBe(10);

    const status = await request(stack.app).get(`/api/monitoring/rate-limit/${clientId}`).set(auth).expect(200);
    const nextHour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3_600_000).toISOString();
    expect(status.body).toMatchObject({ clientId, scansThisHour: 10, limit: 10, remaining: 0, resetTime: nextHour, source: 'default' });
  });

  it('counts bulk items one by one, reports which were refused, and exempts operator submissions', async () => {
    await awayFromTheHour();
    const clientId = `bulk-${Date.now()}`;
    const auth = await clientAuth(stack, clientId);
    await request(stack.app).put(`/api/monitoring/rate-limit/${clientId}`).set(auth).send({ scansPerHour: 100 }).expect(403);
    const set = await request(stack.app).put(`/api/monitoring/rate-limit/${clientId}`).set(adminAuth).send({ scansPerHour: 3 }).expect(200);
    expect(set.body).toMatchObject({ limit: 3, remaining: 3, source: 'override' });

    const scans = [0, 1, 2, 3, 4, 5].map((i) => ({ url: i === 1 ? 'not a url' : `http://127.0.0.1:9/b${i}` }));
    const res = await request(stack.app).post('/api/scans/bulk').set(auth).send({ scans }).expect(202);
    expect(res.body.accepted).toBe(3);
    expect(res.body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 4, 5]);
    expect(res.body.rejected[0].reason).toMatch(/^url:/);
    expect(res.body.rejected[1].reason).toMatch(/^rate_limited/);
    expect(res.body.rejected[2].reason).toMatch(/^rate_limited/);

    const again = await request(stack.app)
      .post('/api/scans/bulk')
      .set(auth)
      .send({ scans: [{ url: 'http://127.0.0.1:9/x' }] })
      .expect(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    await request(stack.app).post('/api/scans').set(auth).send({ url: 'http://127.0.0.1:9/y' }).expect(429);

    // Policy: operator (admin key) submissions are exempt from, and do not use up, a client's hourly quota.
    for (let i = 0; i < 2; i++) {
      await request(stack.app)
        .post('/api/scans')
        .set(adminAuth)
        .send({ clientId, url: `http://127.0.0.1:9/admin${i}` })
        .expect(202);
    }
    const status = await request(stack.app).get(`/api/monitoring/rate-limit/${clientId}`).set(adminAuth).expect(200);
    expect(status.body).toMatchObject({ scansThisHour: 3, limit: 3, remaining: 0 });
  });

  it('lets a client key read only its own rate limit', async () => {
    const mine = `own-${Date.now()}`;
    const auth = await clientAuth(stack, mine);
    await request(stack.app).get(`/api/monitoring/rate-limit/${mine}`).set(auth).expect(200);
    const other = await request(stack.app).get(`/api/monitoring/rate-limit/someone-else`).set(auth).expect(404);
    expect(other.body.error).toBe('not_found');
    await request(stack.app).get('/api/monitoring/safety').set(auth).expect(403);
    const byAdmin = await request(stack.app).get(`/api/monitoring/rate-limit/someone-else`).set(adminAuth).expect(200);
    expect(byAdmin.body).toMatchObject({ scansThisHour: 0, limit: 10, remaining: 10 });
  });

  it('throttles a flooding key and address with 429 + Retry-After, but never the health probes', async () => {
    const env = testEnv({ ...SAFETY_ENV, API_RATE_LIMIT_PER_KEY: '5', API_RATE_LIMIT_PER_IP: '8' });
    const app = withContractCheck(
      createApp({
        env,
        adminKey: ADMIN_KEY,
        prisma: stack.prisma,
        temporal: stack.client,
        logger: pino({ level: 'silent' }),
        urlPolicy: urlPolicyFrom(env),
      }),
    );
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await request(app).get('/api/monitoring/rate-limit/x').set(adminAuth)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await request(app).get('/api/monitoring/rate-limit/x').set(adminAuth).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ error: 'too_many_requests', details: { scope: 'key' } });
    // The address has used 8 of its 8 tokens: even requests without a key are now refused.
    const anon = await request(app).get('/api/scans');
    expect(anon.status).toBe(429);
    expect(anon.body.details.scope).toBe('address');
    await request(app).get('/healthz').expect(200);
  });

  it('fails submissions fast with 503 while Temporal is unreachable, opens the Temporal breaker, and closes it after recovery', async () => {
    const proxy = await startCuttableProxy(stack.env.TEMPORAL_ADDRESS);
    const temporal = new Client({ connection: Connection.lazy({ address: proxy.address }), namespace: stack.env.TEMPORAL_NAMESPACE });
    const env = testEnv({ ...SAFETY_ENV, TEMPORAL_CALL_TIMEOUT: '1500', TEMPORAL_TASK_QUEUE_PREFIX: stack.prefix });
    const app = withContractCheck(
      createApp({
        env,
        adminKey: ADMIN_KEY,
        prisma: stack.prisma,
        temporal,
        logger: pino({ level: 'silent' }),
        urlPolicy: urlPolicyFrom(env),
        taskQueuePrefix: stack.prefix,
      }),
    );
    const submit = () => request(app).post('/api/scans').set(adminAuth).send({ clientId: 'breaker', url: 'http://127.0.0.1:9/t' });
    try {
      await submit().expect(202); // the connection works through the proxy
      proxy.cut();
      for (let i = 0; i < 5; i++) {
        const r = await submit();
        expect(r.status).toBe(503);
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Open: the next submission is refused before any Temporal call or database row.
      const before = await stack.prisma.scan.count({ where: { clientId: 'breaker' } });
      const fast = await submit().expect(503);
      expect(fast.body).toMatchObject({ error: 'unavailable' });
      expect(await stack.prisma.scan.count({ where: { clientId: 'breaker' } })).toBe(before);
      await eventually(
        async () => ((await stack.prisma.circuitBreaker.findUnique({ where: { name: 'temporal' } }))?.state === 'open' ? true : undefined),
        10_000,
      );
      const safety = await request(app).get('/api/monitoring/safety').set(adminAuth).expect(200);
      expect(safety.body.circuitBreakers).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'temporal', kind: 'temporal', state: 'open', halfOpenAt: expect.any(String) }),
        ]),
      );

      proxy.up = true;
      // After the open period the breaker admits trial calls; two successes in a row close it.
      await eventually(async () => ((await submit()).status === 202 ? true : undefined), 60_000, 1_000);
      await submit().expect(202);
      await eventually(
        async () =>
          (await stack.prisma.circuitBreaker.findUnique({ where: { name: 'temporal' } }))?.state === 'closed' ? true : undefined,
        10_000,
      );
    } finally {
      await temporal.connection.close().catch(() => undefined);
      await proxy.close();
    }
  }, 90_000);

  // Host breakers are shared by every client: only evidence that the host is down counts, and never one client's
  // alone (issue 13, finding 3). One worker stack for these tests; each uses a loopback address (its own breaker).
  describe('per-host circuit breaker', () => {
    // A 10 s default budget: a page that hangs past it times out "with the normal budget", which does count.
    const HOST_ENV = { ...SAFETY_ENV, BREAKER_TIMEOUT: '8000', SCAN_DEFAULT_TIMEOUT: '10000' };
    // Open long enough that the next scan surely finds it open on a loaded machine, short enough for a test.
    const workers = useStack({ env: HOST_ENV });
    const sites: Server[] = [];
    afterAll(async () => {
      for (const site of sites) site.closeAllConnections();
      await Promise.all(sites.map((site) => new Promise<void>((resolve) => site.close(() => resolve()))));
    });

    /** A site on its own loopback address: `/` answers a small page, other paths as `handle` says. */
    async function startSite(address: string, handle: (path: string, res: import('node:http').ServerResponse) => boolean): Promise<string> {
      const site = createServer((req, res) => {
        if (handle(req.url ?? '/', res)) return;
        res
          .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
          .end('<!doctype html><html lang="en"><title>Fine</title><main><h1>Fine</h1><p>All good here.</p></main></html>');
      });
      sites.push(site);
      await new Promise<void>((resolve) => site.listen(0, address, resolve));
      return `http://${address}:${(site.address() as AddressInfo).port}`;
    }
    const submit = async (clientId: string, url: string, extra: Record<string, unknown> = {}) =>
      (
        await request(workers().app)
          .post('/api/scans')
          .set(adminAuth)
          .send({ clientId, url, maxRetries: 0, ...extra })
          .expect(202)
      ).body.scanId as string;
    const breaker = (host: string) => stack.prisma.circuitBreaker.findUnique({ where: { name: `host:${host}` } });
    /** Submits the scans together, waits for all of them and returns their terminal views. */
    async function scanAll(jobs: Array<[clientId: string, url: string, extra?: Record<string, unknown>]>) {
      return Promise.all(jobs.map(async ([clientId, url, extra]) => waitForTerminal(workers().app, await submit(clientId, url, extra))));
    }
    const slow = (ms: number) => (path: string, res: import('node:http').ServerResponse) => {
      if (!path.startsWith('/slow')) return false;
      setTimeout(
        () => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>Slow</title><p>late</p>'),
        ms,
      ).unref();
      return true;
    };

    it("does not count a client's own 1 s timeouts against the host: another client's scan goes straight through", async () => {
      const base = await startSite('127.0.0.3', slow(3_000));
      const failed = await scanAll(
        Array.from({ length: 6 }, () => ['impatient', `${base}/slow`, { timeout: 1_000 }] as [string, string, Record<string, unknown>]),
      );
      for (const scan of failed) expect(scan).toMatchObject({ status: 'failed', failureReason: 'timeout' });
      expect((await breaker('127.0.0.3'))?.state ?? 'closed').toBe('closed');
      expect((await breaker('127.0.0.3'))?.failures ?? 0).toBe(0);
      expect((await scanAll([['patient', `${base}/`]]))[0].status).toBe('completed');
    }, 120_000);

    it('does not count 403 or 429 (the host refusing the scanner, not down), from any number of clients', async () => {
      const base = await startSite('127.0.0.4', (path, res) => {
        if (path !== '/403' && path !== '/429') return false;
        const headers = path === '/429' ? { 'Content-Type': 'text/html', 'Retry-After': '1' } : { 'Content-Type': 'text/html' };
        res.writeHead(Number(path.slice(1)), headers).end('<!doctype html><title>Go away</title>');
        return true;
      });
      const jobs: Array<[string, string]> = [];
      for (const client of ['refused-a', 'refused-b'])
        for (const path of ['/403', '/429', '/403', '/429']) jobs.push([client, `${base}${path}`]);
      for (const scan of await scanAll(jobs)) expect(scan).toMatchObject({ status: 'failed', failureReason: 'blocked' });
      expect((await breaker('127.0.0.4'))?.state ?? 'closed').toBe('closed');
      expect((await breaker('127.0.0.4'))?.failures ?? 0).toBe(0);
      expect((await scanAll([['refused-c', `${base}/`]]))[0].status).toBe('completed');
    }, 120_000);

    it("does not let one client's genuine timeouts open the host's breaker for everyone; several clients' do", async () => {
      // Hangs past the whole default budget: a timeout with the normal budget, which does count.
      const base = await startSite('127.0.0.5', slow(30_000));
      const alone = await scanAll(Array.from({ length: 6 }, () => ['noisy', `${base}/slow`] as [string, string]));
      for (const scan of alone) expect(scan).toMatchObject({ status: 'failed', failureReason: 'timeout' });
      expect(await breaker('127.0.0.5')).toMatchObject({ state: 'closed', failures: 6, failureClients: { noisy: 6 } });
      // They did open noisy's own breaker for the host, which pauses noisy's scans only.
      expect(await breaker('127.0.0.5#client:noisy')).toMatchObject({ kind: 'host_client', state: 'open', failures: 6 });
      expect((await scanAll([['bystander', `${base}/`]]))[0].status).toBe('completed');
      expect(await breaker('127.0.0.5')).toMatchObject({ state: 'closed', failures: 0, failureClients: {} });
      // Forget noisy's own breaker, so its next scans run at once instead of one trial at a time.
      await stack.prisma.circuitBreaker.delete({ where: { name: 'host:127.0.0.5#client:noisy' } });
      // The success ended the streak. Now three clients' timeouts: noisy's 4 count as 3 of the 5 needed.
      await scanAll([...Array.from({ length: 4 }, () => ['noisy', `${base}/slow`] as [string, string]), ['second', `${base}/slow`]]);
      expect(await breaker('127.0.0.5')).toMatchObject({ state: 'closed', failures: 5 });
      await scanAll([['third', `${base}/slow`]]);
      expect(await breaker('127.0.0.5')).toMatchObject({ state: 'open', failures: 6, failureClients: { noisy: 4, second: 1, third: 1 } });
      // Not left open for the /safety test below (hostsRefusingScanner counts host breakers that are not closed), nor
      // the clients' own breakers of this host (noisy's 4 failures reopened its own).
      await stack.prisma.circuitBreaker.deleteMany({ where: { name: { startsWith: 'host:127.0.0.5' } } });
    }, 180_000);

    it("opens one client's own breaker on its failures (HTTP 503): its next scan waits, another client's scan of the host goes through", async () => {
      let mode: 'down' | 'ok' = 'down';
      const base = await startSite('127.0.0.6', (_path, res) => {
        if (mode === 'ok') return false;
        res.writeHead(503, { 'Content-Type': 'text/html' }).end('<!doctype html><title>Down for maintenance</title>');
        return true;
      });
      const url = `${base}/`;
      // Five genuine failures with the normal budget, all from one client (a single-tenant install).
      const down = await scanAll(Array.from({ length: 5 }, () => ['tenant-a', url] as [string, string]));
      for (const scan of down) expect(scan).toMatchObject({ status: 'failed', failureReason: 'http_error' });
      expect(await breaker('127.0.0.6#client:tenant-a')).toMatchObject({ kind: 'host_client', state: 'open', failures: 5 });
      // The shared breaker counts them, at most 3 of the 5 needed, and stays closed.
      expect(await breaker('127.0.0.6')).toMatchObject({ kind: 'host', state: 'closed', failures: 5, failureClients: { 'tenant-a': 5 } });

      mode = 'ok';
      const ownDeferrals = async () =>
        (await workerMetrics().hostBreakerWaits.get()).values.find((v) => v.labels.kind === 'host_client')?.value ?? 0;
      const deferredBefore = await ownDeferrals();
      const ownId = await submit('tenant-a', url);
      const other = await waitForTerminal(workers().app, await submit('tenant-b', url));
      expect(other.status).toBe('completed');
      const own = await waitForTerminal(workers().app, ownId);
      // tenant-a's scan waited on its own breaker (deferred, then the first trial call: completed, not failed) and
      // ended after tenant-b's, which nothing held back.
      expect(own.status).toBe('completed');
      expect(await ownDeferrals()).toBeGreaterThan(deferredBefore);
      expect(Date.parse(String(own.finishedAt))).toBeGreaterThan(Date.parse(String(other.finishedAt)));
      expect(await breaker('127.0.0.6#client:tenant-a')).toMatchObject({ state: 'half_open', successes: 1 });
      expect(await breaker('127.0.0.6#client:tenant-b')).toBeNull();
      expect(await breaker('127.0.0.6')).toMatchObject({ state: 'closed', failures: 0 });
      expect((await waitForTerminal(workers().app, await submit('tenant-a', url))).status).toBe('completed');
      expect(await breaker('127.0.0.6#client:tenant-a')).toMatchObject({ state: 'closed', failures: 0, failureClients: {} });
    }, 120_000);

    it('opens after failures (HTTP 503) from several clients, makes later scans of the host wait instead of fail, and closes after recovery', async () => {
      let mode: 'down' | 'ok' = 'down';
      // A loopback address of its own, so this host's breaker is not 127.0.0.1's.
      const base = await startSite('127.0.0.2', (_path, res) => {
        if (mode === 'ok') return false;
        res.writeHead(503, { 'Content-Type': 'text/html' }).end('<!doctype html><title>Down for maintenance</title>');
        return true;
      });
      const url = `${base}/`;
      const unwatch = workerMetrics().watchPool(() => workers().pool!.stats());
      const metricsServer = await startWorkerMetricsServer(0, '127.0.0.1');
      try {
        const down = await scanAll([
          ['host-breaker', url],
          ['host-breaker', url],
          ['host-breaker', url],
          ['host-breaker-2', url],
          ['host-breaker-2', url],
        ]);
        for (const scan of down) expect(scan).toMatchObject({ status: 'failed', failureReason: 'http_error' });
        const open = await stack.prisma.circuitBreaker.findUniqueOrThrow({ where: { name: 'host:127.0.0.2' } });
        expect(open).toMatchObject({ kind: 'host', state: 'open', failures: 5 });

        mode = 'ok';
        const scan = await waitForTerminal(workers().app, await submit('host-breaker', url));
        // Deferred while open, then scanned as the first trial call: completed, not failed.
        expect(scan.status).toBe('completed');
        expect(await stack.prisma.circuitBreaker.findUniqueOrThrow({ where: { name: 'host:127.0.0.2' } })).toMatchObject({
          state: 'half_open',
          successes: 1,
        });
        expect((await waitForTerminal(workers().app, await submit('host-breaker', url))).status).toBe('completed');
        expect(await stack.prisma.circuitBreaker.findUniqueOrThrow({ where: { name: 'host:127.0.0.2' } })).toMatchObject({
          state: 'closed',
          failures: 0,
          failureClients: {},
        });

        const text = (
          await request(`http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`)
            .get('/metrics')
            .expect(200)
        ).text;
        expect(text).toMatch(/wcag_scan_attempts_total\{outcome="http_error"\} ([5-9]|\d\d)/);
        expect(text).toMatch(/wcag_scan_attempts_total\{outcome="completed"\} [1-9]/);
        expect(text).toMatch(/wcag_host_breaker_deferrals_total\{kind="host"\} [1-9]/);
        expect(text).toMatch(/wcag_scan_duration_seconds_bucket\{le="\+Inf",outcome="completed"\} [1-9]/);
        expect(text).toMatch(/wcag_browser_pages_max [1-9]/);
        expect(text).toMatch(/wcag_circuit_breaker_transitions_total\{kind="host",to="open"\} [1-9]/);
        expect(text).not.toContain('127.0.0.2');
      } finally {
        metricsServer.close();
        unwatch();
      }
    }, 120_000);
  });

  it('reports limits, rejections, kills, blocked targets and breakers in /safety, and exports them on /metrics', async () => {
    const big = 'x'.repeat(1_200_000);
    await request(stack.app).post('/api/scans').set(adminAuth).set('Content-Type', 'application/json').send(`{"url":"${big}"}`).expect(413);
    await request(stack.app).post('/api/scans').set(adminAuth).send({ clientId: 'c', url: 'ftp://example.com/' }).expect(400);

    const report = await eventually(async () => {
      const r = (await request(stack.app).get('/api/monitoring/safety').set(adminAuth).expect(200)).body;
      return r.rejections.last24h.body_too_large >= 1 && r.rejections.last24h.invalid_url >= 1 ? r : undefined;
    }, 10_000);
    expect(report.limits).toMatchObject({
      MAX_SCANS_PER_HOUR: 10,
      MAX_SCAN_TIME: stack.env.MAX_SCAN_TIME,
      MAX_MEMORY_MB: stack.env.MAX_MEMORY_MB,
      MAX_CONCURRENT_SCANS: stack.env.MAX_CONCURRENT_PAGES,
      MAX_URL_LENGTH: stack.env.MAX_URL_LENGTH,
    });
    expect(report.limits.clientOverrides).toBeGreaterThanOrEqual(1);
    // 10 refused in the burst, 2 bulk items, 1 whole bulk, 1 single scan.
    expect(report.rejections.last24h.rate_limited).toBeGreaterThanOrEqual(14);
    expect(report.rejections.total.rate_limited).toBeGreaterThanOrEqual(report.rejections.last24h.rate_limited);
    expect(report.rejections.last24h.temporal_unavailable).toBeGreaterThanOrEqual(6);
    expect(report.kills).toEqual({
      timeout: expect.any(Number),
      memory: expect.any(Number),
      killed: expect.any(Number),
      crash: expect.any(Number),
    });
    expect(report.blockedTargets).toEqual({
      requestsLast24h: expect.any(Number),
      scansWithBlockedRequests: expect.any(Number),
      scansFailedBlockedTarget: expect.any(Number),
      hostsRefusingScanner: 0,
      clientHostBreakersNotClosed: 0,
    });
    const names = report.circuitBreakers.map((b: { name: string; state: string }) => `${b.name}=${b.state}`);
    expect(names).toEqual(expect.arrayContaining(['temporal=closed', 'host:127.0.0.2=closed']));
    // Clients' own host breakers with a failure streak are listed with their client; closed ones without are not.
    expect(report.circuitBreakers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'host:127.0.0.2#client:host-breaker-2',
          kind: 'host_client',
          clientId: 'host-breaker-2',
          state: 'closed',
          failures: 2,
        }),
      ]),
    );
    expect(names).not.toContain('host:127.0.0.6#client:tenant-a=closed');
    expect(report.breakerConfig).toEqual({ failureThreshold: 5, successThreshold: 2, timeoutMs: 3000 });

    await request(stack.app).get('/metrics').expect(401);
    await request(stack.app).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
    const metrics = await request(stack.app).get('/metrics').set('Authorization', `Bearer ${SAFETY_ENV.METRICS_TOKEN}`).expect(200);
    expect(metrics.text).toMatch(/wcag_safety_rejections_total\{reason="rate_limited"\} \d+/);
    expect(metrics.text).toMatch(/wcag_scans_submitted_total\{kind="bulk"\} [1-9]/);
    // Breakers are counted by kind and state: no host or client in any label (/safety names them).
    expect(metrics.text).toMatch(/wcag_circuit_breakers\{kind="host",state="closed"\} [1-9]/);
    expect(metrics.text).toMatch(/wcag_circuit_breakers\{kind="host_client",state="open"\} \d+/);
    expect(metrics.text).toMatch(/wcag_circuit_breakers\{kind="temporal",state="closed"\} 1/);
    expect(metrics.text).not.toMatch(/127\.0\.0\.|#client/);
    expect(metrics.text).toMatch(/wcag_circuit_breaker_transitions_total\{kind="temporal",to="open"\} [1-9]/);
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/monitoring\/safety",status_code="200"\} [1-9]/,
    );
    await request(stack.app).get('/metrics').set(adminAuth).expect(200);
  });
});
