// A site audit survives real faults: a worker process SIGKILLed mid-page and its Temporal server restarted mid-audit,
// and its Postgres restarted mid-audit, and still ends complete and duplicate-free (every page of the site scanned,
// each once, except a page whose attempt the fault cut off, which may be fetched twice but is stored once).
//
// The API runs in this process (startStack without workers) against a private Temporal dev server or a private
// Postgres (test/support/processes.ts), so restarting them breaks no other test run; the workers are
// `tsx workers/main.ts` processes on the stack's task queues, under the strict target rules (only 127.0.0.1 allowed).
import { join } from 'node:path';
import request from 'supertest';
import type { Client } from '@temporalio/client';
import { reconcile, formatProblem } from '../../monitoring/reconcile';
import { applyMigrations, ensureDatabase } from '../../lib/migrator';
import { auditWorkflowId } from '../../core/audit';
import { scanWorkflowId } from '../../core/contracts';
import { startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { outage, ProcessRegistry, waitForWorkerReady, type WorkerProcess } from '../support/processes';
import { adminAuth, TERMINAL_STATUSES } from '../support/scan-client';
import { eventually, startStack, type Stack } from '../support/stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const ROOT = join(__dirname, '..', '..');
/** TEST_FAULT_VERBOSE=1 prints what the test measured (outage length, recovery, attempts, fetches). */
const note = (what: string, data: object) => {
  if (process.env.TEST_FAULT_VERBOSE) process.stdout.write(`[site-audit-faults] ${what} ${JSON.stringify(data)}\n`);
};
const STRICT_TARGETS = { SCAN_ALLOW_PRIVATE_TARGETS: 'false', SCAN_ALLOWED_HOSTS: '127.0.0.1' };

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

const procs = new ProcessRegistry();
let stack: Stack | undefined;
let site: FixtureSite | undefined;

afterEach(async () => {
  await stack?.stop().catch(() => undefined);
  await procs.cleanup();
  await site?.close();
});

async function auditView(s: Stack, auditId: string): Promise<Body> {
  return (await request(s.app).get(`/api/audits/${auditId}`).set(adminAuth).expect(200)).body as Body;
}

/** Polls the audit (riding over a Temporal or API hiccup) until `done` says it has what the test waits for. */
function auditWhen(s: Stack, auditId: string, done: (a: Body) => boolean, timeoutMs: number): Promise<Body> {
  return eventually(
    async () => {
      const a = await auditView(s, auditId);
      return done(a) ? a : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The worker whose process has a scanPage of one of the audit's pages started right now, if any. */
async function workerScanningAPage(s: Stack, auditId: string, workers: WorkerProcess[]): Promise<WorkerProcess | undefined> {
  const scanning = await s.prisma.auditPage.findMany({ where: { auditId, status: 'scanning' }, select: { scanId: true } });
  for (const { scanId } of scanning) {
    if (!scanId) continue;
    const d = await s.client.workflow.getHandle(scanWorkflowId(scanId)).describe();
    const a = (d.raw.pendingActivities ?? []).find((p) => p.activityType?.name === 'scanPage');
    // PENDING_ACTIVITY_STATE_STARTED = 2
    if (!a || Number(a.state) !== 2 || !a.lastWorkerIdentity) continue;
    const owner = workers.find((w) => w.identities().has(a.lastWorkerIdentity!));
    if (owner) return owner;
  }
  return undefined;
}

/** The attempt number of a scan's last started scanPage attempt, from its workflow history. */
async function lastScanPageAttempt(client: Client, scanId: string): Promise<number> {
  const events = (await client.workflow.getHandle(scanWorkflowId(scanId)).fetchHistory()).events ?? [];
  const scanPages = new Set(
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'scanPage').map((e) => String(e.eventId)),
  );
  const started = events.map((e) => e.activityTaskStartedEventAttributes).filter((a) => a && scanPages.has(String(a.scheduledEventId)));
  return Math.max(0, ...started.map((a) => a!.attempt ?? 0));
}

/** Every scan of the audit closed in Temporal, and Postgres and Temporal in agreement (monitoring/reconcile). */
async function expectScansClosedAndReconciled(prisma: Stack['prisma'], client: Client, scanIds: string[]) {
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

/** An audit of the whole fixture site (no page or pattern limit in the way) at `concurrency` pages in flight. */
async function submitWholeSiteAudit(s: Stack, site: FixtureSite, clientId: string, concurrency: number): Promise<string> {
  const submitted = await request(s.app)
    .post('/api/audits')
    .set(adminAuth)
    .send({ clientId, url: `${site.origin}/`, maxPages: 500, maxPerPattern: 500, politeness: { concurrency } })
    .expect(202);
  return submitted.body.auditId as string;
}

/**
 * What an audit left behind, read once it ended: its pages, its page scans, and how often the site served each scanned
 * page. A page fetched twice must be one whose scan was retried (an attempt cut off by the fault): a scan row's
 * `attempts` is written best effort (not while the database is down), so Temporal's history is asked too.
 */
async function auditOutcome(s: Stack, site: FixtureSite, auditId: string) {
  const pages = await s.prisma.auditPage.findMany({ where: { auditId }, orderBy: { id: 'asc' } });
  const scans = await s.prisma.scan.findMany({ where: { auditId }, select: { id: true, url: true, status: true, attempts: true } });
  const retried = scans.filter((x) => x.attempts > 1).map((x) => pathOf(x.url));
  const scanned = pages.filter((p) => p.status === 'scanned').map((p) => pathOf(p.url));
  // Page fetches by the browser: GETs of exactly that path and query.
  const fetches = (path: string) => site.requests.filter((r) => r.method === 'GET' && r.path === path).length;
  const fetchedTwice = scanned.filter((p) => fetches(p) > 1).map((p) => ({ page: p, fetches: fetches(p) }));
  for (const f of fetchedTwice) {
    const scan = scans.find((x) => pathOf(x.url) === f.page)!;
    if (!retried.includes(f.page) && (await lastScanPageAttempt(s.client, scan.id)) > 1) retried.push(f.page);
  }
  const attempts = Object.entries(scans.reduce<Record<string, number>>((m, x) => ((m[x.attempts] = (m[x.attempts] ?? 0) + 1), m), {})).map(
    ([n, count]) => `${count}x${n}`,
  );
  return { pages, scans, retried, scanned, fetches, fetchedTwice, attempts };
}

/** Nothing lost or done twice: exactly the expected pages scanned, one scan row each, all terminal, fetched once each
 * except a retried one (at most twice), never more than `concurrency` in flight, and Temporal in agreement. */
async function expectCompleteAudit(
  s: Stack,
  site: FixtureSite,
  audit: Body,
  outcome: Awaited<ReturnType<typeof auditOutcome>>,
  expected: string[],
  concurrency: number,
) {
  const { pages, scans, retried, scanned, fetches, fetchedTwice } = outcome;
  expect(audit.status).toBe('completed');
  expect([...scanned].sort()).toEqual(expected);
  expect(audit.progress).toMatchObject({ scanned: expected.length, queued: 0, scanning: 0, failed: 0 });
  expect(pages.filter((p) => p.status === 'pending' || p.status === 'scanning')).toEqual([]);
  // One scan row per claimed page (pages that turned out off-site or not HTML have one too, then count as skipped).
  const perUrl = await s.prisma.scan.groupBy({ by: ['url'], where: { auditId: audit.auditId }, _count: { _all: true } });
  expect(perUrl.filter((g) => g._count._all > 1)).toEqual([]);
  expect(scans.map((x) => x.id).sort()).toEqual(pages.flatMap((p) => (p.scanId ? [p.scanId] : [])).sort());
  expect(scans.filter((x) => !TERMINAL_STATUSES.includes(x.status))).toEqual([]);
  expect(scanned.filter((p) => fetches(p) === 0)).toEqual([]);
  expect(fetchedTwice.filter((f) => !retried.includes(f.page) || f.fetches > 2)).toEqual([]);
  expect(site.maxInFlight).toBeLessThanOrEqual(concurrency);
  // Temporal agrees: every page's scan closed, in agreement with its row.
  await expectScansClosedAndReconciled(
    s.prisma,
    s.client,
    scans.map((x) => x.id),
  );
}

describe('a site audit under faults', () => {
  it('a worker SIGKILLed mid-page and Temporal restarted mid-audit: the audit completes, every page scanned once', async () => {
    const temporal = await procs.startTemporal();
    stack = await startStack({ workers: false, env: { ...STRICT_TARGETS, TEMPORAL_ADDRESS: temporal.address } });
    const s = stack;
    const workers = ['A', 'B'].map((name) =>
      procs.spawnWorker({
        name,
        temporalAddress: temporal.address,
        databaseUrl: s.env.DATABASE_URL,
        taskQueuePrefix: s.prefix,
        maxConcurrentPages: 2,
        env: STRICT_TARGETS,
      }),
    );
    await Promise.all(workers.map((w) => waitForWorkerReady(s.client, s.queues, w, 180_000)));
    site = await startFixtureSite({ pages: 60 });
    const expected = site.expectedUrls().map(pathOf).sort();

    const startedAt = Date.now();
    const auditId = await submitWholeSiteAudit(s, site, 'audit-faults', 3);

    // 1. Once 10 pages are scanned, SIGKILL the worker that has one of the audit's pages loading.
    const beforeKill = await auditWhen(s, auditId, (a) => a.progress.scanned >= 10 || TERMINAL_STATUSES.includes(a.status), 300_000);
    expect(beforeKill).toMatchObject({ status: 'running', progress: { failed: 0 } });
    const victim = await eventually(() => workerScanningAPage(s, auditId, workers), 60_000, 100);
    const survivor = workers.find((w) => w !== victim)!;
    const killedAt = Date.now();
    const scannedAtKill = (await auditView(s, auditId)).progress.scanned as number;
    victim.sigkill();
    expect(await victim.exited).toMatchObject({ signal: 'SIGKILL' });

    // 2. Once 25 are scanned, stop the Temporal server for 3 s (same SQLite file, same address).
    const beforeRestart = await auditWhen(s, auditId, (a) => a.progress.scanned >= 25 || TERMINAL_STATUSES.includes(a.status), 300_000);
    expect(beforeRestart.status).toBe('running'); // the restart really lands mid-audit
    const scannedAtStop = beforeRestart.progress.scanned as number;
    const { downMs } = await outage(temporal, 3_000);

    // 3. The audit goes on to the end.
    const audit = await auditWhen(s, auditId, (a) => TERMINAL_STATUSES.includes(a.status), 420_000);
    const durationMs = Date.now() - startedAt;
    expect(survivor.hasExited()).toBe(false);

    const outcome = await auditOutcome(s, site, auditId);
    note('audit under faults', {
      victim: victim.name,
      scannedAtKill,
      scannedAtStop,
      downMs,
      recoveredAfterKillMs: Date.now() - killedAt,
      durationMs,
      progress: audit.progress,
      attempts: outcome.attempts,
      retried: outcome.retried,
      fetchedTwice: outcome.fetchedTwice,
      maxInFlight: site.maxInFlight,
    });
    await expectCompleteAudit(s, site, audit, outcome, expected, 3);
    expect((await s.client.workflow.getHandle(audit.workflowId).describe()).status.name).toBe('COMPLETED');
  }, 600_000);

  it('Postgres stopped for 5 s mid-audit: the audit completes, every page scanned once', async () => {
    const pg = await procs.startPostgres();
    const dbUrl = pg.url('wcag_audit_fault');
    await ensureDatabase(dbUrl);
    await applyMigrations(dbUrl, join(ROOT, 'prisma', 'migrations'));
    stack = await startStack({ workers: false, env: { ...STRICT_TARGETS, DATABASE_URL: dbUrl } });
    const s = stack;
    const worker = procs.spawnWorker({
      name: 'W',
      temporalAddress: s.env.TEMPORAL_ADDRESS,
      databaseUrl: dbUrl,
      taskQueuePrefix: s.prefix,
      maxConcurrentPages: 2,
      env: STRICT_TARGETS,
    });
    await waitForWorkerReady(s.client, s.queues, worker, 180_000);
    site = await startFixtureSite({ pages: 30 });
    const expected = site.expectedUrls().map(pathOf).sort();

    const startedAt = Date.now();
    const auditId = await submitWholeSiteAudit(s, site, 'audit-faults-pg', 2);
    const result = s.client.workflow.getHandle(auditWorkflowId(auditId)).result();
    result.catch(() => undefined); // asserted below; not an unhandled rejection meanwhile

    // 1. Once 8 pages are scanned, stop Postgres for 5 s (fast shutdown: every connection is cut).
    const scannedAtStop = await eventually(
      async () => {
        const n = await s.prisma.auditPage.count({ where: { auditId, status: 'scanned' } });
        return n >= 8 ? n : undefined;
      },
      300_000,
      250,
    );
    const inFlightAtStop = await s.prisma.auditPage.count({ where: { auditId, status: 'scanning' } });
    const { stoppedAt, downMs } = await outage(pg, 5_000);

    // 2. The audit goes on to the end; the workflow's result needs no database (this process's pool reconnects).
    const workflowOutcome = await result;
    const durationMs = Date.now() - startedAt;
    expect(worker.hasExited()).toBe(false); // the worker rode out the outage
    const audit = await auditView(s, auditId);

    const outcome = await auditOutcome(s, site, auditId);
    note('audit through a postgres restart', {
      scannedAtStop,
      inFlightAtStop,
      downMs,
      recoveredAfterStopMs: Date.now() - stoppedAt,
      durationMs,
      progress: audit.progress,
      attempts: outcome.attempts,
      retried: outcome.retried,
      fetchedTwice: outcome.fetchedTwice,
      maxInFlight: site.maxInFlight,
    });
    expect(workflowOutcome.status).toBe('completed');
    await expectCompleteAudit(s, site, audit, outcome, expected, 2);
  }, 600_000);
});
