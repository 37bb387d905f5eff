// Queue statistics, failed jobs and retry, reconciliation: every number pinned against scans whose state the test
// controls. Counts are scoped with a clientId unique to each test (the stats are global per database).
// Chromium budget: 7 light scans (8 page loads), at most 2 pages at a time.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import type { Express } from 'express';
import { Prisma } from '../../lib/prisma';
import { reconcile } from '../../monitoring/reconcile';
import { queueStatsSql } from '../../api/services/queue-monitoring.service';
import { startFixtureServer, type FixtureRoute, type FixtureServer } from '../support/fixture-server';
import { adminAuth, clientAuth, submitScan, waitForTerminal, type ScanView } from '../support/scan-client';
import { eventually, startStack, type Stack } from '../support/stack';

const run = randomBytes(3).toString('hex');
const clientFor = (name: string) => `qm-${run}-${name}`;
const fileStart = new Date();
/** Every scan this file creates through the API, for a reconcile scoped to them. */
const created: string[] = [];
/** The failed scan of the retry tests, and its retry. */
let originalId: string;
let retryId: string;

const page = (title: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><main><h1>${title}</h1><p>Plain content so the page is not empty.</p></main></body></html>`;
const ok = (res: Parameters<FixtureRoute>[1], title: string) =>
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page(title));
const keyOf = (req: Parameters<FixtureRoute>[0]) => new URL(req.url ?? '/', 'http://x').searchParams.get('k') ?? '';

const BUSY_MS = 5_000;
const flakySeen = new Set<string>();
const comesBack = new Map<string, 'missing' | 'slow'>();

let site: FixtureServer;
let idle: Stack; // API only: nothing ever runs
let live: Stack; // API + workers, 2 pages, a 4 s first retry backoff

beforeAll(async () => {
  site = await startFixtureServer({
    // Busy for BUSY_MS: the document arrives in two parts.
    '/busy': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.write('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Busy</title></head><body><main><h1>Busy</h1>');
      setTimeout(() => res.end('<p>Plain content so the page is not empty.</p></main></body></html>'), BUSY_MS);
    },
    // 503 the first time a key is seen, 200 afterwards.
    '/flaky': (req, res) => {
      const k = keyOf(req);
      if (!flakySeen.has(k)) {
        flakySeen.add(k);
        return void res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8' }).end(page('Unavailable'));
      }
      ok(res, 'Back');
    },
    // 404 until the test says the page is back; then a 200 that takes 4 s.
    '/comes-back': (req, res) => {
      if ((comesBack.get(keyOf(req)) ?? 'missing') === 'missing') {
        return void res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end(page('Not found'));
      }
      setTimeout(() => ok(res, 'Found again'), 4_000);
    },
  });
  [idle, live] = await Promise.all([
    startStack({ workers: false }),
    startStack({ env: { MAX_CONCURRENT_PAGES: '2', SCAN_RETRY_INITIAL_INTERVAL: '4000' } }),
  ]);
});

afterAll(async () => {
  // The idle stack's workflows would wait forever: end them in Temporal and in Postgres alike.
  if (idle) {
    const open = await idle.prisma.scan.findMany({
      where: { clientId: { startsWith: `qm-${run}-` }, status: { in: ['queued', 'running'] } },
    });
    for (const s of open) {
      await idle.client.workflow
        .getHandle(s.workflowId)
        .terminate('test cleanup')
        .catch(() => undefined);
      await idle.prisma.scan.update({
        where: { id: s.id },
        data: {
          status: 'failed',
          stage: 'done',
          failureReason: 'internal',
          failureMessage: 'terminated by test cleanup',
          finishedAt: new Date(),
        },
      });
    }
  }
  await Promise.all([idle?.stop(), live?.stop()]);
  await site?.close();
});

async function submit(app: Express, body: Record<string, unknown>): Promise<string> {
  const id = await submitScan(app, body);
  created.push(id);
  return id;
}

type Stats = Record<string, number> & { queues: Record<string, Record<string, number>>; temporal: { runningWorkflows: number | null } };
async function stats(app: Express, clientId: string, window = '24h'): Promise<Stats> {
  const res = await request(app).get('/api/monitoring/queue/stats').query({ clientId, window }).set(adminAuth).expect(200);
  return res.body as Stats;
}
const counts = (s: Record<string, number>) => ({
  waiting: s.waiting,
  active: s.active,
  finishing: s.finishing,
  delayed: s.delayed,
  completed: s.completed,
  failed: s.failed,
  cancelled: s.cancelled,
});
const none = { waiting: 0, active: 0, finishing: 0, delayed: 0, completed: 0, failed: 0, cancelled: 0 };

describe('GET /api/monitoring/queue/stats', () => {
  it('counts accepted scans that no worker has picked up as waiting', async () => {
    const clientId = clientFor('a');
    await Promise.all([
      submit(idle.app, { url: site.url('/busy?k=a1'), clientId, queue: 'low' }),
      submit(idle.app, { url: site.url('/busy?k=a2'), clientId, queue: 'low' }),
      submit(idle.app, { url: site.url('/busy?k=a3'), clientId, queue: 'low' }),
      submit(idle.app, { url: site.url('/busy?k=a4'), clientId, queue: 'high' }),
    ]);
    const s = await stats(idle.app, clientId);
    expect(counts(s)).toEqual({ ...none, waiting: 4 });
    expect(counts(s.queues.low)).toEqual({ ...none, waiting: 3 });
    expect(counts(s.queues.high)).toEqual({ ...none, waiting: 1 });
    expect(s).toMatchObject({ window: '24h', clientId });
    expect(Date.parse(s.asOf as unknown as string)).toBeGreaterThanOrEqual(fileStart.getTime());
    expect(Date.parse(s.since as unknown as string)).toBeCloseTo(Date.parse(s.asOf as unknown as string) - 86_400_000, -3);
    // Temporal visibility sees the same four workflows running (eventually: visibility lags, the answer is cached 5 s).
    await eventually(async () => ((await stats(idle.app, clientId)).temporal.runningWorkflows === 4 ? true : undefined), 20_000, 500);
    // Without the client filter every client counts, so at least these four.
    const all = await request(idle.app).get('/api/monitoring/queue/stats').set(adminAuth).expect(200);
    expect(all.body.waiting).toBeGreaterThanOrEqual(4);
    expect(all.body.clientId).toBeUndefined();
  });

  it('is admin only and validates its window', async () => {
    const client = await clientAuth(idle, clientFor('a'));
    const forbidden = await request(idle.app).get('/api/monitoring/queue/stats').set(client).expect(403);
    expect(forbidden.body).toMatchObject({ error: 'forbidden' });
    await request(idle.app).get('/api/monitoring/queue/stats').expect(401);
    const bad = await request(idle.app).get('/api/monitoring/queue/stats').query({ window: 'yesterday' }).set(adminAuth).expect(400);
    expect(bad.body.message).toMatch(/^window: must be a duration/);
    await request(idle.app).get('/api/monitoring/queue/stats').query({ window: '31d' }).set(adminAuth).expect(400);
    await request(idle.app).get('/api/monitoring/queue/stats').query({ window: '15m' }).set(adminAuth).expect(200);
  });

  it('counts terminal scans by finishedAt inside the window, in one grouped query that stays fast at 10k rows', async () => {
    const clientId = clientFor('perf');
    const N = 10_000;
    const terminal = ['completed', 'failed', 'cancelled'] as const;
    const stages = ['waiting', 'scanning', 'retry_wait'] as const;
    // Row g (1…N): 10 % queued, 5 % running (stage stages[(g / 20) % 3]), the rest terminal[g % 3], finished g min
    // + 30 s ago (so over a week); the JS below mirrors the SQL.
    await live.prisma.$executeRawUnsafe(
      `INSERT INTO scans (id, workflow_id, url, target_host, client_id, queue, priority, status, stage, created_at, finished_at)
       SELECT gen_random_uuid(), 'perf-' || gen_random_uuid(), 'https://example.com/', 'example.com', $1,
         CASE WHEN g % 3 = 0 THEN 'high' ELSE 'low' END, 5,
         (CASE WHEN g % 20 < 2 THEN 'queued' WHEN g % 20 = 2 THEN 'running' ELSE (ARRAY['completed','failed','cancelled'])[1 + g % 3] END)::"ScanStatus",
         CASE WHEN g % 20 < 2 THEN 'queued' WHEN g % 20 = 2 THEN (ARRAY['waiting','scanning','retry_wait'])[1 + (g / 20) % 3] ELSE 'done' END,
         now() - make_interval(mins => g + 1),
         CASE WHEN g % 20 > 2 THEN now() - make_interval(mins => g, secs => 30) END
       FROM generate_series(1, ${N}) AS g`,
      clientId,
    );
    try {
      await live.prisma.$executeRawUnsafe('ANALYZE scans');
      const expected = (windowMin: number) => {
        const total = { ...none };
        const queues = { high: { ...none }, low: { ...none } };
        for (let g = 1; g <= N; g++) {
          let bucket: keyof typeof none | null;
          if (g % 20 < 2) bucket = 'waiting';
          else if (g % 20 === 2)
            bucket = ({ waiting: 'waiting', scanning: 'active', retry_wait: 'delayed' } as const)[stages[Math.floor(g / 20) % 3]];
          else bucket = g + 0.5 < windowMin ? terminal[g % 3] : null;
          if (!bucket) continue;
          total[bucket]++;
          queues[g % 3 === 0 ? 'high' : 'low'][bucket]++;
        }
        return { total, queues };
      };
      for (const [window, minutes] of [
        ['24h', 1_440],
        ['2h', 120],
        ['7d', 10_080],
      ] as const) {
        const s = await stats(live.app, clientId, window);
        const want = expected(minutes);
        expect(counts(s)).toEqual(want.total);
        expect(counts(s.queues.high)).toEqual(want.queues.high);
        expect(counts(s.queues.low)).toEqual(want.queues.low);
      }

      // Timed inside Postgres (EXPLAIN ANALYZE of the very query the endpoint runs): this 2-core machine also runs
      // browsers, so a wall-clock time in Node would measure the scheduler. Best of five.
      const executionMs = async (q: Prisma.Sql) => {
        const [row] = await live.prisma.$queryRaw<Array<{ 'QUERY PLAN': Array<{ 'Execution Time': number }> }>>(
          Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${q}`,
        );
        return row['QUERY PLAN'][0]['Execution Time'];
      };
      const since = new Date(Date.now() - 86_400_000);
      for (const q of [queueStatsSql(since, clientId), queueStatsSql(since)]) {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) times.push(await executionMs(q));
        expect(Math.min(...times)).toBeLessThan(20);
      }
    } finally {
      await live.prisma.scan.deleteMany({ where: { clientId } });
    }
  });

  it('never shows more active scans than pages: 4 busy scans on 2 pages are 2 active + 2 waiting, then 4 completed', async () => {
    const clientId = clientFor('b');
    const ids = await Promise.all([1, 2, 3, 4].map((i) => submit(live.app, { url: site.url(`/busy?k=b${i}`), clientId, maxRetries: 0 })));
    // Sampled from when all four are accepted (each page takes 5 s) to the end.
    const samples: Array<ReturnType<typeof counts>> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(counts(await stats(live.app, clientId)));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const results = await Promise.all(ids.map((id) => waitForTerminal(live.app, id)));
    sampling = false;
    await sampler;
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);

    const seen = samples;
    expect(seen.length).toBeGreaterThan(20);
    for (const s of seen) {
      expect(s.active).toBeLessThanOrEqual(2);
      // every scan is in exactly one bucket at every instant
      expect(s.waiting + s.active + s.finishing + s.delayed + s.completed).toBe(4);
      expect(s).toMatchObject({ delayed: 0, failed: 0, cancelled: 0 });
    }
    expect(seen).toContainEqual({ ...none, waiting: 2, active: 2 });
    expect(counts(await stats(live.app, clientId))).toEqual({ ...none, completed: 4 });
  });

  it('counts a scan between attempts as delayed, then completed', async () => {
    const clientId = clientFor('c');
    const id = await submit(live.app, { url: site.url(`/flaky?k=${randomUUID()}`), clientId, maxRetries: 2 });
    // The first attempt gets a 503; the second starts 4 s later.
    const during = await eventually(
      async () => {
        const s = counts(await stats(live.app, clientId));
        return s.delayed === 1 ? s : undefined;
      },
      30_000,
      100,
    );
    expect(during).toEqual({ ...none, delayed: 1 });
    const result = await waitForTerminal(live.app, id);
    expect(result).toMatchObject({ status: 'completed', attempts: 2 });
    expect(result.failedAttempts).toEqual([
      expect.objectContaining({ attempt: 1, category: 'http_error', message: 'main document answered HTTP 503' }),
    ]);
    expect(counts(await stats(live.app, clientId))).toEqual({ ...none, completed: 1 });
  });
});

describe('failed jobs and retry', () => {
  it('lists failed scans newest first with filters, and pages through them with the next cursor', async () => {
    const clientId = clientFor('list');
    const base = Date.now() - 60 * 60_000;
    const at = (min: number) => new Date(base + min * 60_000);
    // Five failed scans (two finishing at the same instant), one completed and one from another client.
    const rows = [
      { min: 10, category: 'timeout', attempts: 3 },
      { min: 20, category: 'http_error', attempts: 1 },
      { min: 30, category: 'timeout', attempts: 3 },
      { min: 30, category: 'navigation', attempts: 2 },
      { min: 40, category: 'blocked', attempts: 3 },
    ].map((r) => ({ ...r, id: randomUUID() }));
    const other = randomUUID();
    const done = randomUUID();
    const scan = (id: string, extra: Record<string, unknown>) => ({
      id,
      workflowId: `scan-${id}`,
      url: `https://example.com/${id}`,
      targetHost: 'example.com',
      clientId,
      queue: 'low',
      priority: 5,
      ...extra,
    });
    await live.prisma.scan.createMany({
      data: [
        ...rows.map((r) =>
          scan(r.id, {
            status: 'failed',
            stage: 'done',
            attempts: r.attempts,
            failureReason: r.category,
            failureMessage: `${r.category} happened`,
            finishedAt: at(r.min),
          }),
        ),
        scan(done, { status: 'completed', stage: 'done', attempts: 1, finishedAt: at(35) }),
        scan(other, { clientId: clientFor('list-other'), status: 'failed', stage: 'done', failureReason: 'timeout', finishedAt: at(35) }),
      ],
    });
    await live.prisma.scanAttempt.createMany({
      data: rows.flatMap((r) =>
        Array.from({ length: r.attempts }, (_, i) => ({
          scanId: r.id,
          attempt: i + 1,
          category: r.category,
          message: `attempt ${i + 1}`,
          createdAt: new Date(at(r.min).getTime() - (r.attempts - i) * 1_000),
        })),
      ),
    });
    const failed = (query: Record<string, string | number>) =>
      request(live.app)
        .get('/api/monitoring/queue/failed')
        .query({ clientId, ...query })
        .set(adminAuth);
    try {
      // newest first; equal finish times ordered by id
      const tied = rows
        .filter((r) => r.min === 30)
        .map((r) => r.id)
        .sort()
        .reverse();
      const order = [rows[4].id, ...tied, rows[1].id, rows[0].id];
      const all = await failed({}).expect(200);
      expect(all.body.jobs.map((j: ScanView) => j.jobId)).toEqual(order);
      expect(all.body.next).toBeNull();
      const first = all.body.jobs[0];
      expect(first).toEqual({
        jobId: rows[4].id,
        workflowId: `scan-${rows[4].id}`,
        url: `https://example.com/${rows[4].id}`,
        clientId,
        queue: 'low',
        category: 'blocked',
        message: 'blocked happened',
        attempts: 3,
        attemptsLog: [1, 2, 3].map((n) => ({
          attempt: n,
          category: 'blocked',
          message: `attempt ${n}`,
          at: new Date(at(40).getTime() - (4 - n) * 1_000).toISOString(),
        })),
        lastAttemptAt: new Date(at(40).getTime() - 1_000).toISOString(),
        finishedAt: at(40).toISOString(),
        retryOf: null,
        retriedBy: [],
        temporalUiUrl: `${live.env.TEMPORAL_UI_URL}/namespaces/default/workflows/scan-${rows[4].id}`,
      });

      // pages of two, through the tie, without loss or repetition
      const paged: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: request.Response = await failed({ limit: 2, ...(cursor && { before: cursor }) }).expect(200);
        paged.push(...res.body.jobs.map((j: ScanView) => j.jobId));
        cursor = res.body.next;
        pages++;
      } while (cursor);
      expect(paged).toEqual(order);
      expect(pages).toBe(3);

      expect((await failed({ category: 'timeout' }).expect(200)).body.jobs.map((j: ScanView) => j.jobId)).toEqual([rows[2].id, rows[0].id]);
      expect((await failed({ since: at(20).toISOString() }).expect(200)).body.jobs).toHaveLength(4); // since is inclusive
      expect((await failed({ until: at(30).toISOString() }).expect(200)).body.jobs.map((j: ScanView) => j.jobId)).toEqual([
        rows[1].id,
        rows[0].id,
      ]); // until is exclusive
      expect((await failed({ since: '2h', until: at(25).toISOString() }).expect(200)).body.jobs).toHaveLength(2);
      expect((await failed({ clientId: clientFor('list-other') }).expect(200)).body.jobs.map((j: ScanView) => j.jobId)).toEqual([other]);

      expect((await failed({ category: 'exploded' }).expect(400)).body.message).toMatch(/^category: must be one of timeout, navigation/);
      expect((await failed({ before: 'garbage' }).expect(400)).body.message).toMatch(/^before: /);
      expect((await failed({ since: 'last week' }).expect(400)).body.message).toMatch(/^since: /);
      await failed({ limit: 0 }).expect(400);
      const client = await clientAuth(live, clientId);
      await request(live.app).get('/api/monitoring/queue/failed').set(client).expect(403);
    } finally {
      await live.prisma.scan.deleteMany({ where: { id: { in: [...rows.map((r) => r.id), other, done] } } });
    }
  });

  it('re-runs a failed scan as a new scan that points back at it, once while it runs', async () => {
    const clientId = clientFor('d');
    const k = randomUUID();
    originalId = await submit(live.app, {
      url: site.url(`/comes-back?k=${k}`),
      clientId,
      queue: 'high',
      priority: 7,
      maxRetries: 2,
      timeout: 20_000,
    });
    const original = await waitForTerminal(live.app, originalId);
    // a 404 is not worth retrying: one attempt, failed
    expect(original).toMatchObject({ status: 'failed', failureReason: 'http_error', attempts: 1, retryOf: null });

    const list = await request(live.app).get('/api/monitoring/queue/failed').query({ clientId }).set(adminAuth).expect(200);
    expect(list.body.jobs).toEqual([
      expect.objectContaining({
        jobId: originalId,
        workflowId: original.workflowId,
        url: original.url,
        queue: 'high',
        category: 'http_error',
        message: 'main document answered HTTP 404',
        attempts: 1,
        attemptsLog: [{ attempt: 1, category: 'http_error', message: 'main document answered HTTP 404', at: expect.any(String) }],
        lastAttemptAt: original.failedAttempts[0].at,
        finishedAt: original.finishedAt,
        retriedBy: [],
        temporalUiUrl: original.temporalUiUrl,
      }),
    ]);

    comesBack.set(k, 'slow');
    // Two at once: one starts the retry, the other gets it back.
    const [a, b] = await Promise.all(
      [1, 2].map(() => request(live.app).post(`/api/monitoring/queue/retry/${originalId}`).set(adminAuth).expect(202)),
    );
    expect(a.body.scanId).toBe(b.body.scanId);
    expect([a.body.existing, b.body.existing].sort()).toEqual([false, true]);
    retryId = a.body.scanId;
    created.push(retryId);
    expect(retryId).not.toBe(originalId);
    expect(a.body).toMatchObject({ workflowId: `scan-${retryId}`, retryOf: originalId });
    expect(a.headers.location ?? b.headers.location).toBe(`/api/scans/${retryId}`);

    // still running: the same retry again
    const again = await request(live.app).post(`/api/monitoring/queue/retry/${originalId}`).set(adminAuth).expect(202);
    expect(again.body).toMatchObject({ scanId: retryId, retryOf: originalId, existing: true });
    expect(['queued', 'running']).toContain(again.body.status);

    const view = (await request(live.app).get(`/api/scans/${retryId}`).set(adminAuth).expect(200)).body;
    expect(view).toMatchObject({
      retryOf: originalId,
      url: original.url,
      clientId,
      prospectId: original.prospectId,
      queue: 'high',
      priority: 7,
      options: original.options,
    });

    const retried = await waitForTerminal(live.app, retryId);
    expect(retried).toMatchObject({ status: 'completed', retryOf: originalId, attempts: 1 });
    const after = await request(live.app).get('/api/monitoring/queue/failed').query({ clientId }).set(adminAuth).expect(200);
    expect(after.body.jobs).toEqual([expect.objectContaining({ jobId: originalId, retriedBy: [retryId] })]);
    // The original stays failed: it is history; its retry is the new scan.
    expect((await request(live.app).get(`/api/scans/${originalId}`).set(adminAuth).expect(200)).body).toMatchObject({
      status: 'failed',
      retryOf: null,
    });
  });

  it('refuses retries that make no sense', async () => {
    const done = await request(live.app).post(`/api/monitoring/queue/retry/${originalId}`).set(adminAuth).expect(409);
    expect(done.body).toMatchObject({
      error: 'conflict',
      message: `scan ${originalId} was already retried successfully by scan ${retryId}`,
    });
    const completed = await request(live.app).post(`/api/monitoring/queue/retry/${retryId}`).set(adminAuth).expect(409);
    expect(completed.body.message).toBe(`scan ${retryId} is completed; only failed scans can be retried`);
    const queued = (await idle.prisma.scan.findFirstOrThrow({ where: { clientId: clientFor('a') } })).id;
    const notYet = await request(idle.app).post(`/api/monitoring/queue/retry/${queued}`).set(adminAuth).expect(409);
    expect(notYet.body.message).toBe(`scan ${queued} is queued; only failed scans can be retried`);
    await request(live.app).post(`/api/monitoring/queue/retry/${randomUUID()}`).set(adminAuth).expect(404);
    await request(live.app).post('/api/monitoring/queue/retry/not-a-scan').set(adminAuth).expect(404);
    const client = await clientAuth(live, clientFor('d'));
    await request(live.app).post(`/api/monitoring/queue/retry/${originalId}`).set(client).expect(403);
  });
});

describe('reconciliation', () => {
  const cli = (args: string[]) =>
    promisify(execFile)(join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx'), ['scripts/reconcile.ts', ...args], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, DATABASE_URL: live.env.DATABASE_URL, TEMPORAL_ADDRESS: live.env.TEMPORAL_ADDRESS, LOG_LEVEL: 'silent' },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('finds Postgres and Temporal in agreement after all of the above', async () => {
    expect(created).toHaveLength(11);
    const report = await reconcile({ prisma: live.prisma, client: live.client, since: fileStart, scanIds: created });
    expect(report).toMatchObject({ checked: 11, inAgreement: 11, problems: [], truncated: false });
    const api = await request(live.app)
      .get('/api/monitoring/reconcile')
      .query({ since: '1h', clientId: clientFor('d') })
      .set(adminAuth)
      .expect(200);
    expect(api.body).toMatchObject({ checked: 2, inAgreement: 2, problems: [] });
    const clean = await cli(['--since', '1h', '--client-id', clientFor('d')]);
    expect(clean).toMatchObject({ code: 0, stdout: '' });
    expect(clean.stderr).toMatch(/2 scan\(s\) checked .*, 2 in agreement, 0 problem\(s\)/);
  });

  it('reports every kind of disagreement, exactly, and nothing once it is repaired', async () => {
    const { prisma } = live;
    const completedB = (await prisma.scan.findFirstOrThrow({ where: { clientId: clientFor('b') } })).id;
    const orphan = randomUUID();
    // A failed scan recorded as completed, a completed one still running, a row without a workflow.
    await prisma.scan.update({ where: { id: originalId }, data: { status: 'completed' } });
    await prisma.scan.update({ where: { id: completedB }, data: { status: 'running' } });
    await prisma.scan.create({
      data: {
        id: orphan,
        workflowId: `scan-${orphan}`,
        url: 'https://example.com/',
        targetHost: 'example.com',
        clientId: clientFor('d'),
        queue: 'low',
        priority: 5,
      },
    });
    try {
      const scanIds = [...created, orphan];
      // The idle stack's scans are queued with no worker to start them: with a 1 s threshold instead of 10 min they
      // are stuck.
      const report = await reconcile({ prisma, client: live.client, since: fileStart, scanIds, stuckAfterMs: 1_000 });
      expect(report.checked).toBe(12);
      const idleIds = (await prisma.scan.findMany({ where: { clientId: clientFor('a') }, select: { id: true } })).map((s) => s.id);
      const byId = Object.fromEntries(report.problems.map((p) => [p.scanId, p]));
      expect(report.problems).toHaveLength(3 + idleIds.length);
      expect(report.inAgreement).toBe(12 - 3 - idleIds.length);
      expect(byId[originalId]).toEqual({
        scanId: originalId,
        workflowId: `scan-${originalId}`,
        postgres: 'completed',
        temporal: 'failed',
        kind: 'status_mismatch',
        detail: 'Postgres says completed, the workflow ended FAILED',
      });
      expect(byId[completedB]).toMatchObject({ postgres: 'running', temporal: 'completed', kind: 'terminal_in_temporal_not_in_postgres' });
      expect(byId[orphan]).toMatchObject({ postgres: 'queued', temporal: 'missing', kind: 'missing_workflow' });
      for (const id of idleIds) expect(byId[id]).toMatchObject({ postgres: 'queued', temporal: 'queued', kind: 'stuck' });

      // Every workflow described instead of listed: the same answer.
      const described = await reconcile({ prisma, client: live.client, since: fileStart, scanIds, stuckAfterMs: 1_000, describeAll: true });
      expect(described.problems.sort((x, y) => x.scanId.localeCompare(y.scanId))).toEqual(
        report.problems.sort((x, y) => x.scanId.localeCompare(y.scanId)),
      );

      // With the default 10 min threshold only the first three are problems.
      const normal = await reconcile({ prisma, client: live.client, since: fileStart, scanIds });
      expect(normal.problems.map((p) => p.kind).sort()).toEqual([
        'missing_workflow',
        'status_mismatch',
        'terminal_in_temporal_not_in_postgres',
      ]);

      // The same through the API and the CLI, scoped to one client: the corrupted original and the orphan.
      const api = await request(live.app)
        .get('/api/monitoring/reconcile')
        .query({ since: '1h', clientId: clientFor('d') })
        .set(adminAuth)
        .expect(200);
      expect(api.body).toMatchObject({ checked: 3, inAgreement: 1 });
      expect(api.body.problems.map((p: ScanView) => [p.scanId, p.kind]).sort()).toEqual(
        [
          [originalId, 'status_mismatch'],
          [orphan, 'missing_workflow'],
        ].sort(),
      );
      const dirty = await cli(['--since', '1h', '--client-id', clientFor('d')]);
      expect(dirty.code).toBe(1);
      expect(dirty.stdout.trim().split('\n').sort()).toEqual(
        [
          `missing_workflow scan=${orphan} workflow=scan-${orphan} postgres=queued temporal=missing: Temporal has no workflow scan-${orphan}`,
          `status_mismatch scan=${originalId} workflow=scan-${originalId} postgres=completed temporal=failed: Postgres says completed, the workflow ended FAILED`,
        ].sort(),
      );
    } finally {
      await prisma.scan.update({ where: { id: originalId }, data: { status: 'failed' } });
      await prisma.scan.update({ where: { id: completedB }, data: { status: 'completed' } });
      await prisma.scan.delete({ where: { id: orphan } });
    }
    const repaired = await reconcile({ prisma, client: live.client, since: fileStart, scanIds: created });
    expect(repaired).toMatchObject({ checked: 11, inAgreement: 11, problems: [] });
  });
});
