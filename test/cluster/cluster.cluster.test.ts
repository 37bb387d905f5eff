// The production topology (issue #16), run as processes with docker-compose.yml's commands and environment: the real
// Temporal server on PostgreSQL (persistence + SQL visibility, 4 partitions per task queue), two workers and two APIs
// from the image's layout (`node dist/...`), a 200-item bulk through both APIs with a worker SIGKILLed, the Temporal
// server restarted and one API stopped on the way. `npm run test:cluster` (not part of `npm test`: minutes long,
// needs scripts/cluster/install-*.sh). Prints the priority and fairness figures with 4 partitions.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { taskQueues } from '../../core/contracts';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { reconcile, formatProblem } from '../../monitoring/reconcile';
import {
  ADMIN_KEY,
  appEnv,
  assembleImage,
  composeServices,
  dynamicConfigWithPartitions,
  METRICS_TOKEN,
  pgAddress,
  requireTools,
  runMigrateJob,
  runNamespaceJob,
  runSchemaJob,
  spawnApp,
  startPrometheus,
  startTemporalServer,
  TEST_KNOBS,
  waitHealthy,
  type ClusterTemporal,
  type ComposeService,
  type Image,
  type LocalPrometheus,
} from '../support/cluster';
import { freePort } from '../../lib/temporal-dev-server';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { ProcessRegistry, waitForWorkerReady, type WorkerProcess } from '../support/processes';
import { TERMINAL_STATUSES } from '../support/scan-client';
import { eventually } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PARTITIONS = Number(process.env.CLUSTER_PARTITIONS ?? 4);
/** Items per bulk: [client-a low, client-b low, client-a high, client-b high]; 200 in all by default. */
const SCALE = Number(process.env.CLUSTER_SCALE ?? 1);
const SIZES = [70, 70, 30, 30].map((n) => Math.max(2, Math.round(n * SCALE)));
const TOTAL = SIZES.reduce((a, b) => a + b, 0);
const log = (line: string) => process.stdout.write(`[cluster] ${line}\n`);

interface Api {
  name: string;
  url: string;
  proc: WorkerProcess;
  env: Record<string, string>;
}
interface AppWorker {
  name: string;
  proc: WorkerProcess;
  env: Record<string, string>;
}

const procs = new ProcessRegistry();
let dir: string;
let services: Record<string, ComposeService>;
let image: Image;
let temporal: ClusterTemporal;
let databaseUrl: string;
let client: Client;
let prisma: PrismaClient;
let site: FixtureServer;
let prometheus: LocalPrometheus | null = null;
const firstFetch = new Map<string, number>();
const apis: Api[] = [];
const workers: AppWorker[] = [];
const timings: Record<string, number> = {};
let scheduleId = '';
const bulkIds: string[] = [];

async function api(a: Api, path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  const res = await fetch(`${a.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${init.token ?? ADMIN_KEY}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // /metrics is text
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: body as any, text };
}

function startWorker(name: string, metricsPort: number, sdkMetricsPort: number): AppWorker {
  const env = appEnv(
    image,
    services.worker,
    { databaseUrl, temporalAddress: temporal.address },
    {
      ...TEST_KNOBS,
      WORKER_METRICS_PORT: String(metricsPort),
      WORKER_SDK_METRICS_PORT: String(sdkMetricsPort),
      WORKER_METRICS_HOST: '127.0.0.1',
    },
  );
  return { name, proc: spawnApp(procs, image, `worker-${name}`, services.worker, env), env };
}

async function startApi(name: string): Promise<Api> {
  const port = await freePort();
  const env = appEnv(
    image,
    services.api,
    { databaseUrl, temporalAddress: temporal.address },
    { ...TEST_KNOBS, PORT: String(port), API_HOST: '127.0.0.1' },
  );
  const proc = spawnApp(procs, image, `api-${name}`, services.api, env);
  await waitHealthy(image, services.api, env);
  return { name, url: `http://127.0.0.1:${port}`, proc, env };
}

beforeAll(async () => {
  const t0 = Date.now();
  await requireTools();
  dir = mkdtempSync(join(tmpdir(), 'wcag-cluster-'));
  services = await composeServices();
  image = assembleImage();
  // One Postgres for the app and Temporal, as compose runs it; postgres:16's default connection limit.
  const pg = await procs.startPostgres({ maxConnections: 100 });
  const pgAt = pgAddress(pg);
  log(`postgres on ${pgAt.host}:${pgAt.port}; image assembled in ${image.dir}`);

  let t = Date.now();
  await runSchemaJob(services['temporal-schema'], pgAt);
  timings.schemaJobMs = Date.now() - t;

  t = Date.now();
  temporal = await startTemporalServer(services.temporal, pgAt, dynamicConfigWithPartitions(dir, PARTITIONS), dir);
  timings.temporalStartMs = Date.now() - t;
  log(`temporal-server ${temporal.address} (metrics ${temporal.metricsAddress}, log ${temporal.logFile}), ${PARTITIONS} partitions`);

  t = Date.now();
  const nsOut = await runNamespaceJob(services['temporal-setup'], temporal.address);
  expect(nsOut).toContain('is ready');
  timings.namespaceJobMs = Date.now() - t;

  databaseUrl = pg.url('wcag');
  const migrateEnv = appEnv(image, services.migrate, { databaseUrl, temporalAddress: temporal.address });
  t = Date.now();
  const migrated = await runMigrateJob(image, services.migrate, migrateEnv);
  expect(migrated).toMatch(/migration\(s\) applied/);
  timings.migrateJobMs = Date.now() - t;

  client = new Client({ connection: await Connection.connect({ address: temporal.address }), namespace: 'default' });
  prisma = createPrisma({ DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: 4 });
  // Pages served by id, remembering when each was first fetched: that is when the scan left the browser queue
  // (its row's startedAt is the workflow's start, before the queue).
  const bodies = Object.fromEntries(
    ['clean', 'violations'].map((k) => [k, readFileSync(join(ROOT, 'test', 'fixtures', 'pages', `${k}.html`))]),
  );
  site = await startFixtureServer({
    '/item': (req, res) => {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const id = q.get('id') ?? '?';
      if (!firstFetch.has(id)) firstFetch.set(id, Date.now());
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(bodies[q.get('kind') ?? 'clean'] ?? bodies.clean);
    },
  });

  t = Date.now();
  workers.push(startWorker('1', await freePort(), await freePort()), startWorker('2', await freePort(), await freePort()));
  const queues = taskQueues(workers[0].env.TEMPORAL_TASK_QUEUE_PREFIX ?? 'wcag');
  await Promise.all(workers.map((w) => waitForWorkerReady(client, queues, w.proc, 240_000)));
  await Promise.all(workers.map((w) => waitHealthy(image, services.worker, w.env)));
  timings.workersReadyMs = Date.now() - t;
  t = Date.now();
  apis.push(await startApi('1'), await startApi('2'));
  timings.apisHealthyMs = Date.now() - t;
  timings.stackUpMs = Date.now() - t0;
  // CLUSTER_PROMETHEUS=0 leaves Prometheus out (e.g. without scripts/cluster/install-tools.sh).
  if (process.env.CLUSTER_PROMETHEUS !== '0')
    prometheus = await startPrometheus(
      dir,
      {
        api: apis.map((a) => a.url.replace('http://', '')),
        worker: workers.map((w) => `127.0.0.1:${w.env.WORKER_METRICS_PORT}`),
        workerSdk: workers.map((w) => `127.0.0.1:${w.env.WORKER_SDK_METRICS_PORT}`),
        temporal: temporal.metricsAddress,
      },
      METRICS_TOKEN,
    );
  log(`stack up in ${timings.stackUpMs} ms ${JSON.stringify(timings)}`);
}, 600_000);

afterAll(async () => {
  await prometheus?.stop();
  await client?.connection.close().catch(() => undefined);
  await prisma?.$disconnect().catch(() => undefined);
  await site?.close();
  await Promise.allSettled(workers.map((w) => w.proc.stop(20_000)));
  await Promise.allSettled(apis.map((a) => a.proc.stop(20_000)));
  await temporal?.stop();
  await procs.cleanup();
  if (!process.env.TEST_KEEP_FAULT_LOGS) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (image) rmSync(image.dir, { recursive: true, force: true });
  }
});

describe('the production topology on a real Temporal cluster', () => {
  it('runs the schema, namespace and migration jobs and brings up two workers and two APIs healthy', async () => {
    // SQL visibility answers: the namespace job registered our six search attributes.
    const sa = await run(join(ROOT, '.tools', 'venv', 'bin', 'temporal'), [
      'operator',
      'search-attribute',
      'list',
      '--address',
      temporal.address,
    ]);
    for (const name of ['ClientId', 'TargetHost', 'Queue', 'ScanStatus', 'ScanId', 'FailureCategory']) expect(sa.stdout).toContain(name);
    for (const a of apis) expect((await api(a, '/healthz')).status).toBe(200);
  });

  it(`runs a ${TOTAL}-item bulk through both APIs past a worker SIGKILL, a Temporal server restart and an API stop`, async () => {
    const kinds = ['clean', 'violations'];
    const items = (tag: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ url: site.url(`/item?id=${tag}-${i}&kind=${kinds[i % 2]}`) }));
    const started = Date.now();
    // A schedule, every minute, to see one fire through this cluster.
    const sched = await api(apis[1], '/api/schedules', {
      method: 'POST',
      body: { url: site.url('/clean.html?schedule=1'), clientId: 'client-s', cron: '* * * * *' },
    });
    expect(sched.status).toBe(201);
    scheduleId = sched.body.scheduleId;

    // Lows first from both clients (a backlog), then highs: how far do highs overtake with 4 partitions?
    const plan: Array<[Api, string, 'low' | 'high', number, number]> = [
      [apis[0], 'client-a', 'low', 3, SIZES[0]],
      [apis[1], 'client-b', 'low', 3, SIZES[1]],
      [apis[0], 'client-a', 'high', 8, SIZES[2]],
      [apis[1], 'client-b', 'high', 8, SIZES[3]],
    ];
    for (const [a, clientId, queue, priority, n] of plan) {
      const res = await api(a, '/api/scans/bulk', {
        method: 'POST',
        body: { clientId, queue, priority, maxRetries: 2, scans: items(`${clientId}-${queue}`, n) },
      });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ accepted: n });
      bulkIds.push(res.body.bulkId);
      if (queue === 'low') await sleep(2_000);
    }
    timings.submittedMs = Date.now() - started;

    const terminal = () => prisma.scan.count({ where: { bulkId: { in: bulkIds }, status: { in: ['completed', 'failed', 'cancelled'] } } });
    const waitFor = (n: number, timeoutMs: number) =>
      eventually(async () => ((await terminal()) >= n ? true : undefined), timeoutMs, 1_000);

    // 1. SIGKILL worker 1 mid-bulk (a crash or the OOM killer), then restart it (compose: restart: unless-stopped).
    await waitFor(Math.round(TOTAL * 0.15), 900_000);
    const killedAt = Date.now();
    workers[0].proc.sigkill();
    await workers[0].proc.exited;
    log(`worker 1 SIGKILLed at ${await terminal()}/${TOTAL} terminal`);
    await workers[0].proc.stop(1_000); // reaps its Chromium
    await sleep(5_000);
    workers[0] = startWorker('1b', Number(workers[0].env.WORKER_METRICS_PORT), Number(workers[0].env.WORKER_SDK_METRICS_PORT));

    // 2. Restart the Temporal server (SIGTERM, start again on the same Postgres).
    await waitFor(Math.round(TOTAL * 0.4), 900_000);
    const restartAt = Date.now();
    log(`temporal-server restarting at ${await terminal()}/${TOTAL} terminal`);
    await temporal.stop();
    await sleep(3_000);
    await temporal.start();
    timings.temporalDownMs = Date.now() - restartAt;

    // Monitoring answers on both APIs (each keeps its own caches and breakers: see README).
    for (const a of apis) await expectMonitoring(a);

    // 3. Stop API 2 (SIGTERM, graceful); the rest is observed through API 1.
    await waitFor(Math.round(TOTAL * 0.6), 900_000);
    await apis[1].proc.stop(20_000);
    log(`api 2 stopped at ${await terminal()}/${TOTAL} terminal`);

    await waitFor(TOTAL, 1_800_000);
    timings.bulkMs = Date.now() - started;
    timings.afterKillMs = Date.now() - killedAt;
    const progress = await Promise.all(bulkIds.map(async (id) => (await api(apis[0], `/api/scans/bulk/${id}?limit=1`)).body));
    for (const [i, p] of progress.entries()) expect(p).toMatchObject({ total: plan[i][4], queued: 0, running: 0, done: true });

    // Nothing lost or duplicated: one row per bulk item, one result per completed scan, each violation rule once.
    const rows = await prisma.scan.findMany({
      where: { bulkId: { in: bulkIds } },
      select: {
        id: true,
        url: true,
        bulkId: true,
        bulkIndex: true,
        status: true,
        queue: true,
        priority: true,
        clientId: true,
        createdAt: true,
        startedAt: true,
        attempts: true,
        failureReason: true,
      },
    });
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => `${r.bulkId}:${r.bulkIndex}`)).size).toBe(TOTAL);
    expect(rows.filter((r) => !TERMINAL_STATUSES.includes(r.status))).toEqual([]);
    const completed = rows.filter((r) => r.status === 'completed').map((r) => r.id);
    const results = await prisma.scanResult.groupBy({ by: ['scanId'], where: { scanId: { in: completed } }, _count: { _all: true } });
    expect(results.filter((r) => r._count._all !== 1)).toEqual([]);
    expect(results).toHaveLength(completed.length);
    const dupes = await prisma.scanViolation.groupBy({
      by: ['scanId', 'kind', 'ruleId'],
      where: { scanId: { in: completed } },
      _count: { _all: true },
      having: { scanId: { _count: { gt: 1 } } },
    });
    expect(dupes).toEqual([]);
    const byStatus = rows.reduce<Record<string, number>>((m, r) => ((m[r.status] = (m[r.status] ?? 0) + 1), m), {});
    log(
      `bulk of ${TOTAL} terminal in ${(timings.bulkMs / 1000).toFixed(0)} s: ${JSON.stringify(byStatus)}, failures ${JSON.stringify(rows.filter((r) => r.failureReason).map((r) => r.failureReason))}`,
    );
    expect(byStatus.completed).toBe(TOTAL);

    // Temporal agrees for every scan (describe each) and nothing is stuck.
    const report = await reconcile({ prisma, client, scanIds: rows.map((r) => r.id), since: new Date(started - 60_000) });
    expect(report.problems.map(formatProblem)).toEqual([]);
    expect(report).toMatchObject({ checked: TOTAL, inAgreement: TOTAL });

    reportPriority(rows.map((r) => ({ ...r, pageAt: firstFetch.get(new URL(r.url).searchParams.get('id') ?? '') })));
  }, 3_600_000);

  it('answers search-attribute queries through SQL visibility', async () => {
    const expected = await prisma.scan.count({ where: { bulkId: { in: bulkIds }, clientId: 'client-b', status: 'completed' } });
    const count = await eventually(
      async () => {
        const c = await client.workflow.count(`ClientId = "client-b" AND ScanStatus = "completed"`);
        return c.count === expected ? c.count : undefined;
      },
      60_000,
      1_000,
    ).catch(async () => (await client.workflow.count(`ClientId = "client-b" AND ScanStatus = "completed"`)).count);
    expect(count).toBe(expected);
  });

  it('fires a schedule', async () => {
    const fired = await eventually(
      async () => (await prisma.scan.findFirst({ where: { scheduleId, status: 'completed' } })) ?? undefined,
      150_000,
      2_000,
    );
    expect(fired.clientId).toBe('client-s');
  }, 200_000);

  it('Prometheus scrapes both APIs, the workers and the server, and every Grafana dashboard query has data', async () => {
    if (!prometheus) return log('Prometheus skipped (CLUSTER_PROMETHEUS=0)');
    const p = prometheus;
    const up = await p.query('up');
    const upBy = up.map((r) => `${r.metric.job} ${r.metric.instance} ${r.value[1]}`).sort();
    log(`prometheus targets: ${upBy.join('; ')}`);
    // API 2 was stopped on purpose; everything else answers.
    const api1 = apis[0].url.replace('http://', '');
    expect(up.filter((r) => r.metric.instance === api1 || r.metric.job !== 'wcag-api').every((r) => r.value[1] === '1')).toBe(true);
    expect(new Set(up.map((r) => r.metric.job))).toEqual(new Set(['wcag-api', 'wcag-worker', 'wcag-worker-sdk', 'temporal']));
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'dashboards', 'wcag.json'), 'utf8')) as {
      panels: Array<{ title: string; targets?: Array<{ expr?: string }> }>;
    };
    const empty: string[] = [];
    let total = 0;
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? []) {
        if (!target.expr) continue;
        total++;
        const result = await p.query(target.expr).catch((err: Error) => err.message);
        if (typeof result === 'string' || result.length === 0)
          empty.push(`${panel.title}: ${target.expr}${typeof result === 'string' ? ` (${result})` : ''}`);
      }
    log(`dashboard: ${total - empty.length}/${total} queries with data${empty.length ? `; empty:\n  ${empty.join('\n  ')}` : ''}`);
    // Queries of failed attempts have nothing to show when no attempt failed (a SIGKILLed worker records nothing).
    const noFailures = (await p.query('count(wcag_scan_attempts_total{outcome!="completed"})')).length === 0;
    expect(empty.filter((q) => !(noFailures && q.includes('outcome!="completed"')))).toEqual([]);
  });

  it('`npm run reconcile` finds nothing', async () => {
    // Exit 0: everything agrees (1 = problems, listed on stdout; execFile rejects on either failure).
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'reconcile', '--', '--since', '2h'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporal.address, ADMIN_API_KEY: ADMIN_KEY },
    });
    expect(stdout.trim()).toBe('');
    log(`npm run reconcile: ${stderr.trim().split('\n').pop()}`);
  }, 120_000);
});

/** Monitoring on one API instance; right after a Temporal restart its health may say 503 for a while: how long is logged. */
async function expectMonitoring(a: Api) {
  const first = await api(a, '/api/monitoring/health');
  const since = Date.now();
  const health = await eventually(
    async () => {
      const h = await api(a, '/api/monitoring/health');
      return h.status === 200 ? h : undefined;
    },
    120_000,
    1_000,
  );
  if (first.status !== 200)
    log(
      `api ${a.name}: /api/monitoring/health ${first.status} (${JSON.stringify(first.body).slice(0, 300)}), 200 after ${Date.now() - since} ms`,
    );
  const queue = await api(a, '/api/monitoring/queue/health');
  expect(queue.status).toBe(200);
  const metrics = await api(a, '/metrics', { token: METRICS_TOKEN });
  expect(metrics.status).toBe(200);
  expect(metrics.text).toMatch(/^wcag_/m);
  log(`api ${a.name}: health ${health.body.status}, queue ${JSON.stringify(queue.body).slice(0, 160)}`);
}

/**
 * Priority with PARTITIONS partitions, from when each page was first fetched (left the browser queue): of the (high,
 * low) pairs where the low was submitted first and was still queued when the high was submitted, how many had the
 * low fetched first (strict priority: 0). Fairness: while both clients had low scans queued, each one's share of
 * the low pages fetched.
 */
function reportPriority(rows: Array<{ queue: string; clientId: string; createdAt: Date; pageAt: number | undefined }>) {
  const fetched = rows.filter((r) => r.pageAt !== undefined).map((r) => ({ ...r, submitted: r.createdAt.getTime(), at: r.pageAt! }));
  expect(fetched).toHaveLength(rows.length);
  const highs = fetched.filter((r) => r.queue === 'high');
  const lows = fetched.filter((r) => r.queue === 'low');
  let pairs = 0;
  let inverted = 0;
  let highsOvertaken = 0;
  for (const h of highs) {
    let mine = 0;
    for (const l of lows) {
      if (l.submitted >= h.submitted || l.at <= h.submitted) continue;
      pairs++;
      if (l.at < h.at) {
        inverted++;
        mine++;
      }
    }
    if (mine > 0) highsOvertaken++;
  }
  const lastHigh = Math.max(...highs.map((h) => h.at));
  const lowsBeforeLastHigh = lows.filter((l) => l.at > Math.min(...highs.map((h) => h.submitted)) && l.at < lastHigh).length;
  const bFirst = Math.min(...lows.filter((r) => r.clientId === 'client-b').map((r) => r.submitted));
  const lastA = Math.max(...lows.filter((r) => r.clientId === 'client-a').map((r) => r.at));
  const lastB = Math.max(...lows.filter((r) => r.clientId === 'client-b').map((r) => r.at));
  const window = lows.filter((r) => r.at >= bFirst && r.at <= Math.min(lastA, lastB));
  const share = window.length ? window.filter((r) => r.clientId === 'client-b').length / window.length : 0;
  log(
    `priority (${PARTITIONS} partitions): ${inverted}/${pairs} (${pairs ? ((100 * inverted) / pairs).toFixed(1) : '0'}%) (high, earlier low still queued) pairs had the low fetched first; ` +
      `${highsOvertaken}/${highs.length} high scans were overtaken by such a low; ${lowsBeforeLastHigh} low pages fetched between the first high's submission and the last high's fetch`,
  );
  log(
    `fairness: while both clients had low scans queued, client-b got ${(100 * share).toFixed(0)}% of ${window.length} low pages fetched (even: 50%)`,
  );
}
