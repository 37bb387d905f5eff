// Health, telemetry, reliability, alerts, dashboard and recovery (README "Monitoring") against the real stack:
// real scans first, then every endpoint's meaning, alert delivery to a local webhook (deduplicated, resolved),
// recovery (a browser over its memory limit restarted through its control queue; a stuck scan finished as failed
// in Postgres and Temporal), a worker that stops publishing reported lost, and the Temporal Schedule.
// Chromium budget: 3 light scans on one pool of 2 pages.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import request from 'supertest';
import pino from 'pino';
import type { BrowserPool, BrowserPoolStats } from '../../activities/browser/browser-pool';
import { reconcile } from '../../monitoring/reconcile';
import { ensureHealthSchedule, healthScheduleId } from '../../monitoring/health-schedule';
import { STUCK_SCAN_MESSAGE } from '../../monitoring/recovery';
import { startWorkerTelemetry, type TelemetryPublisher } from '../../monitoring/telemetry';
import { sharedControlQueue } from '../../core/contracts';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { adminAuth, clientAuth, submitScan, waitForTerminal } from '../support/scan-client';
import { eventually, startStack, type Stack } from '../support/stack';

const run = randomBytes(3).toString('hex');
const identity = `${hostname()}:${process.pid}`;
const logger = pino({ level: 'silent' });

/** A local Slack-style webhook: records every POST body; the first request of the run is answered 500. */
interface Receiver {
  url: string;
  bodies: Array<{ text: string; alert: { key: string; status: string } }>;
  close(): Promise<void>;
}
async function startReceiver(): Promise<Receiver> {
  const bodies: Receiver['bodies'] = [];
  let seen = 0;
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      seen++;
      if (seen === 1) return void res.writeHead(500).end('try again');
      bodies.push(JSON.parse(data));
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A pool stand-in for workers that exist only as telemetry (no browser). */
const noBrowser = {
  stats: (): BrowserPoolStats => ({
    connected: false,
    pid: null,
    pagesInUse: 0,
    maxPages: 1,
    waiting: 0,
    leasesGranted: 0,
    restarts: { crash: 0, unresponsive: 0, memory: 0, killed: 0, manual: 0 },
    chromium: { pssMb: 0, rssMb: 0 },
    launches: 0,
    lastHealthCheck: null,
    draining: false,
  }),
  memory: () => ({ pssMb: 0, rssMb: 0 }),
} as unknown as BrowserPool;

let site: FixtureServer;
let hook: Receiver;
let stack: Stack;
let idle: Stack; // API only: no worker polls anything
let telemetry: TelemetryPublisher;
const ghostLost = `ghost-${run}:1`;
const ghostStopped = `ghost-${run}:2`;
const breaker = `host:breaker-${run}.example`;

const get = (path: string, app = stack.app) => request(app).get(path).set(adminAuth);
/** The firing notifications the webhook received for one alert kind. */
const textsFor = (kind: string) =>
  hook.bodies.filter((b) => b.alert.status === 'firing' && b.text.includes(`[${kind}]`)).map((b) => b.text);

beforeAll(async () => {
  site = await startFixtureServer();
  hook = await startReceiver();
  stack = await startStack({
    env: {
      MAX_CONCURRENT_PAGES: '2',
      // Any running Chromium is over this: the health check must restart it through the control queue. The pool's
      // own health check (which would restart it by itself) and idle close are pushed out of the test's way.
      MAX_MEMORY_MB: '100',
      MEMORY_HEALTH_CHECK_INTERVAL: '600000',
      PAGE_IDLE_TIMEOUT: '600000',
      ALERT_WEBHOOK_URL: hook.url,
      ALERT_WEBHOOK_RETRIES: '2',
      ALERT_DEDUPE_WINDOW: '600000',
      ALERT_MIN_VOLUME: '1',
    },
  });
  idle = await startStack({ workers: false });
  telemetry = startWorkerTelemetry({
    prisma: stack.prisma,
    pool: stack.pool!,
    identity,
    taskQueuePrefix: stack.prefix,
    taskQueues: Object.values(stack.queues),
    intervalMs: 1_000,
    logger,
  });
  // Two real scans that complete and one that fails (404: not retried).
  const ids = await Promise.all([
    submitScan(stack.app, { url: site.url('/clean.html'), clientId: `mh-${run}` }),
    submitScan(stack.app, { url: site.url('/violations.html'), clientId: `mh-${run}` }),
    submitScan(stack.app, { url: site.url('/missing.html'), clientId: `mh-${run}` }),
  ]);
  const ends = await Promise.all(ids.map((id) => waitForTerminal(stack.app, id)));
  expect(ends.map((s) => s.status)).toEqual(['completed', 'completed', 'failed']);
  await telemetry.publish();
}, 120_000);

afterAll(async () => {
  await telemetry?.stop();
  if (stack) await stack.prisma.$executeRaw`DELETE FROM circuit_breakers WHERE name = ${breaker}`.catch(() => undefined);
  await stack?.client.schedule
    .getHandle(healthScheduleId(stack.prefix))
    .delete()
    .catch(() => undefined);
  await Promise.allSettled([stack?.stop(), idle?.stop()]);
  await Promise.allSettled([site?.close(), hook?.close()]);
});

describe('health', () => {
  it('needs the admin key', async () => {
    await request(stack.app).get('/api/monitoring/health').expect(401);
    const client = await clientAuth(stack, `mh-${run}`);
    for (const path of ['/api/monitoring/health', '/api/monitoring/puppeteer', '/api/monitoring/dashboard']) {
      await request(stack.app).get(path).set(client).expect(403);
    }
  });

  it('reports every component with real numbers; the oversized browser makes puppeteer critical', async () => {
    const res = await get('/api/monitoring/health');
    expect(res.status).toBe(503);
    const { status, components, metrics } = res.body;
    expect(status).toBe('critical');
    // Healthy or, on a loaded machine, warning for latency: either way reachable.
    expect(components.database).toMatchObject({ status: expect.stringMatching(/^(healthy|warning)$/), details: { reachable: true } });
    expect(components.queue).toMatchObject({ status: 'healthy', details: { temporalReachable: true, queuesWithoutPollers: [] } });
    expect(components.workers).toMatchObject({ status: 'healthy', details: { live: 1, lost: 0 } });
    expect(components.puppeteer.status).toBe('critical');
    expect(components.puppeteer.message).toMatch(new RegExp(`${identity}: \\d+ MB PSS of 100 MB`));
    expect(metrics.successRate).toMatch(/^\d+\.\d\d%$/);
    expect(metrics.completed).toBeGreaterThanOrEqual(2);
    expect(metrics.failed).toBeGreaterThanOrEqual(1);
    expect(metrics.averageScanTime).toBeGreaterThan(0);
    expect(metrics.memoryUsageMB).toBeGreaterThan(100);
  });

  it('says critical, and why, when no worker runs', async () => {
    const res = await get('/api/monitoring/health', idle.app).expect(503);
    expect(res.body.components.workers).toMatchObject({ status: 'critical', message: 'no worker is publishing telemetry' });
    expect(res.body.components.puppeteer.status).toBe('critical');
    const queue = await get('/api/monitoring/queue/health', idle.app).expect(200);
    expect(queue.body.status).toBe('critical');
    expect(queue.body.queuesWithoutPollers).toEqual(
      expect.arrayContaining([idle.queues.high, idle.queues.low, idle.queues.browser, sharedControlQueue(idle.prefix)]),
    );
    await request(idle.app).post('/api/monitoring/recover').set(adminAuth).expect(503);
  });

  it('queue health: Temporal reachable and pollers on every task queue', async () => {
    const res = await get('/api/monitoring/queue/health').expect(200);
    expect(res.body).toMatchObject({ status: 'healthy', temporalReachable: true, queuesWithoutPollers: [] });
    const byName = Object.fromEntries(res.body.taskQueues.map((t: { name: string }) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(
      [stack.queues.browser, sharedControlQueue(stack.prefix), stack.queues.high, stack.queues.low].sort(),
    );
    expect(byName[stack.queues.browser]).toMatchObject({ kind: 'activity', pollerIdentities: [identity] });
    expect(typeof res.body.backlogAgeMs).toBe('number');
  });
});

describe('puppeteer telemetry', () => {
  it('shows each worker of this deployment from its published state', async () => {
    const res = await get('/api/monitoring/puppeteer').expect(200);
    expect(res.body.workers).toHaveLength(1);
    const [w] = res.body.workers;
    expect(w).toMatchObject({ identity, state: 'running', browser: { connected: true, maxPages: 2, pagesInUse: 0 } });
    expect(w.browser.leasesGranted).toBeGreaterThanOrEqual(3);
    expect(w.browser.chromiumMemoryMb.pss).toBeGreaterThan(100);
    expect(w.process.rssMb).toBeGreaterThan(0);
    expect(res.body.summary).toMatchObject({ live: 1, lost: 0, maxPages: 2, maxMemoryMbPerWorker: 100 });
  });

  it('reports a worker silent for 3 intervals as lost, and a cleanly stopped one as stopped', async () => {
    const common = { prisma: stack.prisma, pool: noBrowser, taskQueuePrefix: stack.prefix, taskQueues: [], intervalMs: 300, logger };
    const lost = startWorkerTelemetry({ ...common, identity: ghostLost });
    const stopped = startWorkerTelemetry({ ...common, identity: ghostStopped });
    await Promise.all([lost.publish(), stopped.publish()]);
    const states = async () =>
      Object.fromEntries(
        (await get('/api/monitoring/puppeteer')).body.workers.map((w: { identity: string; state: string }) => [w.identity, w.state]),
      );
    expect(await states()).toMatchObject({ [ghostLost]: 'running', [ghostStopped]: 'running' });
    await lost.stop({ clean: false }); // a crash: it just stops publishing
    await stopped.stop({ clean: true });
    await eventually(async () => ((await states())[ghostLost] === 'lost' ? true : undefined), 10_000);
    expect((await states())[ghostStopped]).toBe('stopped');
  });
});

describe('reliability', () => {
  it('summarises the days from Postgres, with failure reasons and what to do about them', async () => {
    const res = await get('/api/monitoring/reliability?days=1').expect(200);
    expect(res.body.period).toBe('Last 1 day');
    expect(res.body.summary.totalScans).toBeGreaterThanOrEqual(3);
    expect(res.body.summary.failedScans).toBeGreaterThanOrEqual(1);
    expect(res.body.summary.averageScore).toBeGreaterThan(0);
    expect(res.body.failureAnalysis.reasons.http_error).toBeGreaterThanOrEqual(1);
    expect(res.body.failureAnalysis.recommendations.http_error).toMatch(/4xx/);
    const today = new Date().toISOString().slice(0, 10);
    expect(res.body.daily.map((d: { date: string }) => d.date)).toContain(today);
    await get('/api/monitoring/reliability?days=91').expect(400);
    await get('/api/monitoring/reliability?days=0').expect(400);
    expect((await get('/api/monitoring/reliability').expect(200)).body.period).toBe('Last 7 days');
  });
});

describe('recovery and alerts', () => {
  let stuckId: string;
  let firstFired: string[] = [];

  it('restarts the oversized browser through its control queue, finishes a stuck scan, raises alerts once', async () => {
    // A scan whose workflow is running but can never progress (nobody polls its queue), started 7 h ago.
    stuckId = randomUUID();
    const workflowId = `scan-${stuckId}`;
    const sevenHoursAgo = new Date(Date.now() - 7 * 3600_000);
    await stack.prisma.scan.create({
      data: {
        id: stuckId,
        workflowId,
        url: site.url('/clean.html'),
        targetHost: '127.0.0.1',
        clientId: `mh-${run}`,
        queue: 'low',
        priority: 5,
        status: 'running',
        stage: 'waiting',
        createdAt: sevenHoursAgo,
        startedAt: sevenHoursAgo,
      },
    });
    await stack.client.workflow.start('scanWorkflow', { taskQueue: `${stack.prefix}-nobody`, workflowId, args: [{ scanId: stuckId }] });
    // An open circuit breaker, as the safety layer records it.
    await stack.prisma
      .$executeRaw`INSERT INTO circuit_breakers (name, kind, state, failures, opened_at, updated_at) VALUES (${breaker}, 'host', 'open', 5, now(), now())`;

    const res = await request(stack.app).post('/api/monitoring/recover').set(adminAuth).expect(200);
    const actions = res.body.actions as Array<{ action: string; target: string; ok: boolean; result?: { restarts?: { memory: number } } }>;
    const restart = actions.find((a) => a.action === 'restart_browser');
    expect(restart).toMatchObject({ target: identity, ok: true, result: { restarts: { memory: 1 } } });
    expect(stack.pool!.stats()).toMatchObject({ connected: false, restarts: { memory: 1 } });
    expect(actions.find((a) => a.action === 'fail_stuck_scan' && a.target === stuckId)).toMatchObject({
      ok: true,
      result: { workflow: 'terminated', rowUpdated: true },
    });
    expect(actions.find((a) => a.action === 'mark_worker_lost')).toMatchObject({ target: ghostLost, ok: true });
    expect(res.body.alerts.fired).toEqual(
      expect.arrayContaining(['scans_failed', `worker_lost:${ghostLost}`, `circuit_breaker_open:${breaker}`]),
    );
    firstFired = res.body.alerts.fired;
  });

  it('leaves the stuck scan failed as timeout in Postgres and terminated in Temporal, in agreement', async () => {
    const scan = (await get(`/api/scans/${stuckId}`).expect(200)).body;
    expect(scan).toMatchObject({ status: 'failed', failureReason: 'timeout', failureMessage: STUCK_SCAN_MESSAGE });
    const described = await stack.client.workflow.getHandle(`scan-${stuckId}`).describe();
    expect(described.status.name).toBe('TERMINATED');
    const report = await reconcile({ prisma: stack.prisma, client: stack.client, scanIds: [stuckId], describeAll: true });
    expect(report).toMatchObject({ checked: 1, problems: [] });
  });

  it('delivers each alert once (retrying a failed POST), resolves what cleared, and stores the delivery', async () => {
    expect(textsFor('worker_lost')).toEqual([`⚠️ WARNING [worker_lost] worker ${ghostLost} stopped publishing telemetry (lost)`]);
    expect(textsFor('scans_failed')).toEqual([
      expect.stringMatching(/^⚠️ WARNING \[scans_failed\] \d+ scan\(s\) failed after all retries in the last 10 min \(.*http_error ×\d+/),
    ]);

    // The lost worker comes back (and then stops cleanly); the failures are still inside the window.
    const back = startWorkerTelemetry({
      prisma: stack.prisma,
      pool: noBrowser,
      identity: ghostLost,
      taskQueuePrefix: stack.prefix,
      taskQueues: [],
      intervalMs: 300,
      logger,
    });
    await back.publish();
    await back.stop({ clean: true });
    await stack.prisma
      .$executeRaw`UPDATE circuit_breakers SET state = 'closed', opened_at = NULL, updated_at = now() WHERE name = ${breaker}`;
    await telemetry.publish();
    const second = await request(stack.app).post('/api/monitoring/recover').set(adminAuth).expect(200);
    // The browser was restarted in the first round and is relaunched only on demand: nothing to restart now.
    expect(second.body.actions.filter((a: { action: string }) => a.action === 'restart_browser')).toEqual([]);
    expect(second.body.alerts.resolved).toEqual(expect.arrayContaining([`worker_lost:${ghostLost}`, `circuit_breaker_open:${breaker}`]));
    expect(textsFor('circuit_breaker_open')).toEqual([
      `🚨 CRITICAL [circuit_breaker_open] circuit breaker ${breaker} (host) is open after 5 failure(s)`,
    ]);
    expect(second.body.alerts.firing).toContain('scans_failed');
    // Deduplicated: still firing, not sent again; resolved: one message.
    expect(textsFor('scans_failed')).toHaveLength(1);
    expect(textsFor('worker_lost')).toHaveLength(1);
    const resolved = hook.bodies.filter((b) => b.alert.status === 'resolved');
    expect(resolved.map((b) => b.alert.key)).toEqual(
      expect.arrayContaining([`worker_lost:${ghostLost}`, `circuit_breaker_open:${breaker}`]),
    );
    expect(resolved.find((b) => b.alert.key === `worker_lost:${ghostLost}`)?.text).toMatch(/^✅ RESOLVED \[worker_lost\] resolved: worker/);
    // The memory restart of the first round is reported (in whichever round its telemetry arrived first), once.
    expect([...firstFired, ...second.body.alerts.fired]).toContain(`browser_memory_restart:${identity}`);
    expect(textsFor('browser_memory_restart')).toHaveLength(1);

    const alerts = (await get('/api/monitoring/alerts?limit=200').expect(200)).body;
    const byKey = Object.fromEntries(alerts.alerts.map((a: { key: string }) => [a.key, a]));
    expect(byKey['scans_failed']).toMatchObject({ status: 'firing', occurrences: 2, delivery: { status: 'delivered' } });
    expect(byKey[`worker_lost:${ghostLost}`]).toMatchObject({
      status: 'resolved',
      delivery: { status: 'delivered', resolved: 'delivered' },
    });
    // The receiver refused the very first POST: that alert took a retry and was still delivered.
    expect(alerts.alerts.some((a: { delivery: { attempts: number } }) => a.delivery.attempts >= 2)).toBe(true);
    expect(alerts.alerts.every((a: { delivery: { status: string } }) => a.delivery.status === 'delivered')).toBe(true);
    expect(alerts.firing).toBeGreaterThanOrEqual(1);
    const firingOnly = (await get('/api/monitoring/alerts?status=firing').expect(200)).body.alerts;
    expect(firingOnly.every((a: { status: string }) => a.status === 'firing')).toBe(true);
  });
});

describe('dashboard and schedule', () => {
  it('answers everything in one response', async () => {
    const res = await get('/api/monitoring/dashboard').expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['alerts', 'asOf', 'health', 'puppeteer', 'queue', 'reliability', 'safety']);
    expect(res.body.health.components.database.details.reachable).toBe(true);
    expect(res.body.queue.health.temporalReachable).toBe(true);
    expect(res.body.queue.stats.completed).toBeGreaterThanOrEqual(2);
    expect(res.body.puppeteer.workers.map((w: { identity: string }) => w.identity)).toContain(identity);
    expect(res.body.reliability.period).toBe('Last 7 days');
    expect(res.body.alerts.firing).toBeGreaterThanOrEqual(1);
    expect(res.body.safety).not.toHaveProperty('error');
  });

  it('creates the health check schedule idempotently (skip overlaps) and its runs record snapshots', async () => {
    const first = await ensureHealthSchedule(stack.client, { prefix: stack.prefix, intervalMs: 3_600_000 });
    const again = await ensureHealthSchedule(stack.client, { prefix: stack.prefix, intervalMs: 3_600_000 });
    expect([first.created, again.created]).toEqual([true, false]);
    const handle = stack.client.schedule.getHandle(first.scheduleId);
    const d = await handle.describe();
    expect(d.policies.overlap).toBe('SKIP');
    expect(d.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'healthCheckWorkflow',
      taskQueue: sharedControlQueue(stack.prefix),
    });
    const before = await stack.prisma.healthSnapshot.count({ where: { taskQueuePrefix: stack.prefix, trigger: 'schedule' } });
    await handle.trigger();
    await eventually(
      async () =>
        (await stack.prisma.healthSnapshot.count({ where: { taskQueuePrefix: stack.prefix, trigger: 'schedule' } })) > before
          ? true
          : undefined,
      60_000,
    );
  });
});
