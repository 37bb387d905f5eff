// Fault tolerance with real processes: a worker SIGKILLed mid-scan, a Postgres outage while results are stored, and
// a Temporal restart during a bulk. Each counts outcomes and ends with every scan terminal in both Temporal and
// Postgres, the two in agreement (monitoring/reconcile). (A Chromium killed mid-scan is covered by browser-pool.int.test.ts.)
//
// The API runs in this process (startStack without workers); the workers are `tsx workers/main.ts` processes on the
// stack's task queues. Postgres and Temporal faults use private instances (test/support/processes.ts), so stopping
// them never breaks another test run on the same machine.
import { join } from 'node:path';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { reconcile, formatProblem } from '../../monitoring/reconcile';
import { applyMigrations, ensureDatabase } from '../../lib/migrator';
import type { PrismaClient } from '../../lib/prisma';
import { bulkWorkflowId, scanWorkflowId } from '../../core/contracts';
import type { FixtureRoute } from '../support/fixture-server';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import {
  describeProcess,
  outage,
  processesUsingProfile,
  ProcessRegistry,
  waitForWorkerReady,
  type WorkerProcess,
} from '../support/processes';
import { adminAuth, submitScan, TERMINAL_STATUSES, waitForTerminal } from '../support/scan-client';
import { eventually, startStack, type Stack } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** TEST_FAULT_VERBOSE=1 prints what each test measured (outage lengths, recovery times, attempts). */
const note = (what: string, data: object) => {
  if (process.env.TEST_FAULT_VERBOSE) process.stdout.write(`[fault-tolerance] ${what} ${JSON.stringify(data)}\n`);
};

/**
 * Headers at once, then the body in pieces every 500 ms for `?ms=` (default 6 s): `load` comes only at the end,
 * so the scan is visibly mid-page for that long. Has three violations (lang, image alt, button name), so the stored
 * result has violation rows whose duplication the tests can count.
 */
const slowPage: FixtureRoute = (req, res) => {
  const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? '6000');
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.write(
    '<!doctype html><html><head><meta charset="utf-8"><title>Slow page</title></head><body><main><h1>Slow page</h1><p>This page arrives in pieces, slowly.</p>',
  );
  const pieces = Math.max(1, Math.round(ms / 500));
  let sent = 0;
  const timer = setInterval(() => {
    if (++sent < pieces) return void res.write(`<p>Part ${sent} of the page, with enough text to count as content.</p>`);
    clearInterval(timer);
    res.end('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10"><button></button></main></body></html>');
  }, 500);
  res.once('close', () => clearInterval(timer));
};

let site: FixtureServer;
const procs = new ProcessRegistry();
const stacks: Stack[] = [];

beforeAll(async () => {
  site = await startFixtureServer({ '/slow-page': slowPage });
});
afterEach(async () => {
  await Promise.allSettled(stacks.splice(0).map((s) => s.stop()));
  await procs.cleanup();
});
afterAll(async () => {
  await procs.cleanup();
  await site?.close();
});

async function newStack(env: Record<string, string> = {}): Promise<Stack> {
  const stack = await startStack({ workers: false, env });
  stacks.push(stack);
  return stack;
}

function spawnWorkers(
  stack: Stack,
  names: string[],
  o: { temporalAddress?: string; databaseUrl?: string; pages: number },
): WorkerProcess[] {
  return names.map((name) =>
    procs.spawnWorker({
      name,
      temporalAddress: o.temporalAddress ?? stack.env.TEMPORAL_ADDRESS,
      databaseUrl: o.databaseUrl ?? stack.env.DATABASE_URL,
      taskQueuePrefix: stack.prefix,
      maxConcurrentPages: o.pages,
    }),
  );
}

async function startWorkers(stack: Stack, names: string[], o: { temporalAddress?: string; databaseUrl?: string; pages: number }) {
  const workers = spawnWorkers(stack, names, o);
  await Promise.all(workers.map((w) => waitForWorkerReady(stack.client, stack.queues, w, 180_000)));
  return workers;
}

/** Stored rows per scan: result rows, violation rows, and (kind, rule) pairs stored more than once. */
async function storedRows(prisma: PrismaClient, scanIds: string[]) {
  const [results, violations] = await Promise.all([
    prisma.scanResult.groupBy({ by: ['scanId'], where: { scanId: { in: scanIds } }, _count: { _all: true } }),
    prisma.scanViolation.groupBy({ by: ['scanId', 'kind', 'ruleId'], where: { scanId: { in: scanIds } }, _count: { _all: true } }),
  ]);
  return scanIds.map((scanId) => {
    const mine = violations.filter((v) => v.scanId === scanId);
    return {
      scanId,
      resultRows: results.find((r) => r.scanId === scanId)?._count._all ?? 0,
      violationRows: mine.reduce((n, v) => n + v._count._all, 0),
      duplicatedRules: mine.filter((v) => v._count._all > 1).map((v) => `${v.kind}:${v.ruleId}`),
    };
  });
}

/** Every scan terminal in Postgres and in Temporal, and the two agreeing (monitoring/reconcile confirms with describe). */
async function expectTerminalAndReconciled(prisma: PrismaClient, client: Client, scanIds: string[]) {
  const rows = await prisma.scan.findMany({ where: { id: { in: scanIds } }, select: { id: true, status: true } });
  expect(rows).toHaveLength(scanIds.length);
  expect(rows.filter((r) => !TERMINAL_STATUSES.includes(r.status))).toEqual([]);
  // A row is written just before its workflow closes: Temporal's status may follow a moment later.
  // On timeout the last statuses are asserted, so the failure names the scans still running.
  const statusesNow = () =>
    Promise.all(scanIds.map(async (id) => (await client.workflow.getHandle(scanWorkflowId(id)).describe()).status.name));
  const statuses = await eventually(async () => {
    const names = await statusesNow();
    return names.includes('RUNNING') ? undefined : names;
  }, 30_000).catch(statusesNow);
  expect(statuses.filter((s) => s === 'RUNNING')).toEqual([]);
  const report = await reconcile({ prisma, client, scanIds, since: new Date(Date.now() - 3_600_000) });
  expect(report.problems.map(formatProblem)).toEqual([]);
  expect(report).toMatchObject({ checked: scanIds.length, inAgreement: scanIds.length });
}

/** The scanPage activity of a running scan, once a worker has started it. */
async function startedScanPage(client: Client, scanId: string) {
  const d = await client.workflow.getHandle(scanWorkflowId(scanId)).describe();
  const a = (d.raw.pendingActivities ?? []).find((p) => p.activityType?.name === 'scanPage');
  // PENDING_ACTIVITY_STATE_STARTED = 2
  return a && Number(a.state) === 2 && a.lastWorkerIdentity ? { identity: a.lastWorkerIdentity, attempt: a.attempt ?? 1 } : undefined;
}

/** Who ran the scanPage attempt that closed, from the workflow history (only the last attempt is recorded). */
async function scanPageClosers(client: Client, scanId: string) {
  const events = (await client.workflow.getHandle(scanWorkflowId(scanId)).fetchHistory()).events ?? [];
  const scheduled = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'scanPage').map((e) => String(e.eventId)),
  );
  return events
    .filter((e) => e.activityTaskStartedEventAttributes && scheduled.has(String(e.activityTaskStartedEventAttributes.scheduledEventId)))
    .map((e) => ({
      identity: e.activityTaskStartedEventAttributes!.identity ?? '',
      attempt: e.activityTaskStartedEventAttributes!.attempt ?? 0,
    }));
}

describe('fault tolerance with real processes', () => {
  it('a worker SIGKILLed mid-scan: the scan completes on the other worker, stored once, and its Chromium dies too', async () => {
    const stack = await newStack();
    const [a, b] = await startWorkers(stack, ['A', 'B'], { pages: 1 });
    const hitsBefore = site.hits.get('/slow-page') ?? 0;
    const scanId = await submitScan(stack.app, { url: site.url('/slow-page?ms=6000'), clientId: 'fault-kill', maxRetries: 2 });

    // Wait until one worker has the page half loaded, then kill that worker's whole process group.
    const first = await eventually(() => startedScanPage(stack.client, scanId), 60_000);
    expect(first.attempt).toBe(1);
    const victim = a.identities().has(first.identity) ? a : b.identities().has(first.identity) ? b : undefined;
    if (!victim)
      throw new Error(`scanPage started by ${first.identity}, neither A (${[...a.identities()]}) nor B (${[...b.identities()]})`);
    const survivor = victim === a ? b : a;
    await eventually(async () => ((site.hits.get('/slow-page') ?? 0) > hitsBefore ? true : undefined), 30_000);
    await sleep(1_500);
    const profiles = victim.profilesSeen();
    expect(profiles.length).toBeGreaterThan(0); // its Chromium was running the scan
    const killedAt = Date.now();
    victim.sigkill();
    expect(await victim.exited).toMatchObject({ signal: 'SIGKILL' });

    const result = await waitForTerminal(stack.app, scanId, 150_000);
    const recoveredMs = Date.now() - killedAt;
    expect(result).toMatchObject({ status: 'completed', inconclusive: false });
    expect(result.attempts).toBeGreaterThanOrEqual(2);
    // The heartbeat timeout (10 s) noticed the dead worker; the retry ran on the survivor.
    const closers = await scanPageClosers(stack.client, scanId);
    expect(closers).toHaveLength(1);
    expect(survivor.identities().has(closers[0].identity)).toBe(true);
    expect(closers[0].attempt).toBeGreaterThanOrEqual(2);
    note('worker kill', {
      victim: victim.name,
      recoveredMs,
      attempts: result.attempts,
      closer: closers[0],
      failedAttempts: result.failedAttempts,
    });
    expect(recoveredMs).toBeLessThan(90_000);

    // One result, and each rule stored once (the killed attempt stored nothing, the retry replaced nothing twice).
    const [rows] = await storedRows(stack.prisma, [scanId]);
    expect(rows).toMatchObject({ resultRows: 1, duplicatedRules: [] });
    expect(rows.violationRows).toBe(result.counts.violations + result.counts.needsReview);
    expect(result.violations.map((v: { ruleId: string }) => v.ruleId).sort()).toEqual(['button-name', 'html-has-lang', 'image-alt']);

    expect(survivor.hasExited()).toBe(false);
    await expectTerminalAndReconciled(stack.prisma, stack.client, [scanId]);

    // No process of the killed worker's Chromium outlives it (puppeteer starts Chromium in a group of its own).
    const survivors = await eventually(async () => {
      const left = profiles.flatMap(processesUsingProfile);
      return left.length === 0 ? [] : undefined;
    }, 15_000).catch(() => profiles.flatMap(processesUsingProfile).map(describeProcess));
    expect(survivors).toEqual([]);
  }, 300_000);

  it('Postgres stopped for 20 s while results are stored: every scan completes and is stored exactly once', async () => {
    const pg = await procs.startPostgres();
    const dbUrl = pg.url('wcag_fault');
    await ensureDatabase(dbUrl);
    await applyMigrations(dbUrl, join(ROOT, 'prisma', 'migrations'));
    const stack = await newStack({ DATABASE_URL: dbUrl });
    const [worker] = await startWorkers(stack, ['W'], { pages: 2, databaseUrl: dbUrl });

    const hitsBefore = site.hits.get('/slow-page') ?? 0;
    const scanIds = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        submitScan(stack.app, { url: site.url(`/slow-page?ms=4000&n=${i}`), clientId: 'fault-pg', maxRetries: 2 }),
      ),
    );
    // Two pages loading (the worker's two slots): both will try to store their result while the database is down.
    await eventually(async () => ((site.hits.get('/slow-page') ?? 0) >= hitsBefore + 2 ? true : undefined), 60_000);
    await sleep(1_000);
    const { stoppedAt, downMs } = await outage(pg, 20_000);

    // This process's pool lost its connections too; `eventually` rides over the first errors.
    const rows = await eventually(
      async () => {
        const r = await stack.prisma.scan.findMany({
          where: { id: { in: scanIds } },
          select: { id: true, status: true, attempts: true, failureReason: true, failureMessage: true },
        });
        return r.every((s) => TERMINAL_STATUSES.includes(s.status)) ? r : undefined;
      },
      180_000,
      1_000,
    );
    const endedMs = Date.now() - stoppedAt;
    note('postgres outage', { downMs, endedMs, rows });
    expect(worker.hasExited()).toBe(false); // the worker rode out the outage
    // Terminal on both sides and in agreement first: that holds even when the outage cost a scan its result.
    await expectTerminalAndReconciled(stack.prisma, stack.client, scanIds);
    // Then the point of the exercise: no scan lost its result to the outage.
    const outcomes = rows.map(
      (r) => `${r.status}${r.failureReason ? `/${r.failureReason} (attempts ${r.attempts}): ${r.failureMessage}` : ''}`,
    );
    expect(outcomes).toEqual(Array(5).fill('completed'));
    const stored = await storedRows(stack.prisma, scanIds);
    expect(stored.filter((s) => s.resultRows !== 1 || s.duplicatedRules.length > 0 || s.violationRows === 0)).toEqual([]);
  }, 300_000);

  it('Temporal restarted (same SQLite file) during a 50-scan bulk: all 50 end, completed', async () => {
    const temporal = await procs.startTemporal();
    const stack = await newStack({ TEMPORAL_ADDRESS: temporal.address });
    const [worker] = await startWorkers(stack, ['W'], { pages: 3, temporalAddress: temporal.address });

    const scans = Array.from({ length: 50 }, (_, i) => ({ url: site.url(`/clean.html?item=${i}`) }));
    const submitted = await request(stack.app)
      .post('/api/scans/bulk')
      .set(adminAuth)
      .send({ scans, clientId: 'fault-bulk', maxRetries: 2 })
      .expect(202);
    const bulkId: string = submitted.body.bulkId;
    expect(submitted.body).toMatchObject({ accepted: 50, status: 'queued' });
    const progress = async () =>
      (await request(stack.app).get(`/api/scans/bulk/${bulkId}`).set(adminAuth).query({ limit: 100 }).expect(200)).body;

    const before = await eventually(
      async () => {
        const p = await progress();
        return p.completed >= 10 ? p : undefined;
      },
      180_000,
      250,
    );
    expect(before.completed).toBeLessThan(50); // the restart really lands mid-bulk
    const stoppedAt = Date.now();
    await temporal.stop();
    const completedWhileDown = (await progress()).completed;
    await sleep(3_000);
    await temporal.start();
    const downMs = Date.now() - stoppedAt;

    const done = await eventually(
      async () => {
        const p = await progress();
        return p.done && p.status !== 'running' ? p : undefined;
      },
      360_000,
      1_000,
    );
    const attempts = await stack.prisma.scan.groupBy({ by: ['attempts'], where: { bulkId }, _count: { _all: true } });
    note('temporal restart', {
      downMs,
      completedAtStop: before.completed,
      completedWhileDown,
      endedMs: Date.now() - stoppedAt,
      attempts: attempts.map((a) => `${a._count._all}x${a.attempts}`),
    });
    expect({ downMs, completedAtStop: before.completed, completedWhileDown, done }).toMatchObject({
      done: { status: 'completed', total: 50, queued: 0, running: 0, completed: 50, failed: 0, cancelled: 0 },
    });

    // The in-process client reconnected by itself: the bulk workflow reads as completed through it.
    expect((await stack.client.workflow.getHandle(bulkWorkflowId(bulkId)).describe()).status.name).toBe('COMPLETED');
    expect(worker.hasExited()).toBe(false);
    const scanIds = (done.items as Array<{ scanId: string }>).map((i) => i.scanId);
    expect(new Set(scanIds).size).toBe(50);
    const stored = await storedRows(stack.prisma, scanIds);
    expect(stored.filter((s) => s.resultRows !== 1 || s.duplicatedRules.length > 0)).toEqual([]);
    await expectTerminalAndReconciled(stack.prisma, stack.client, scanIds);
  }, 600_000); // 50 real scans on a shared 2-core machine: ~100 s when quiet, 190 s seen under load
});
