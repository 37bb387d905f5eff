// The Grafana dashboard and any Prometheus rules, checked against the real thing: an API (in this process, as the
// other integration tests run it), a worker process (`tsx workers/main.ts`, its own endpoint and the Temporal SDK's
// exporter on) and a Temporal dev server with its metrics port open, after a real scan. Every metric and label a
// query uses must be in what those endpoints really export (scripts/dashboards/check-queries.ts says how).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { freePort, startTemporalDevServerOnFreePort, type DevServer } from '../../lib/temporal-dev-server';
import { checkQuery } from '../../scripts/dashboards/check-queries';
import { dashboardQueries, prometheusTargets, ruleQueries } from '../../scripts/dashboards/deployed-queries';
import { parseExposition, type ScrapedSeries } from '../../scripts/dashboards/exposition';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { ProcessRegistry, waitForWorkerReady, type WorkerProcess } from '../support/processes';
import { adminAuth, scanToEnd } from '../support/scan-client';
import { eventually, startStack, type Stack } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const procs = new ProcessRegistry();
let temporal: DevServer | undefined;
let temporalMetricsPort: number;
let site: FixtureServer | undefined;
let stack: Stack | undefined;
let worker: WorkerProcess;
let workerPort: number;
let sdkPort: number;

beforeAll(async () => {
  temporalMetricsPort = await freePort();
  temporal = await startTemporalDevServerOnFreePort({
    cliPath: process.env.TEMPORAL_CLI_PATH ?? join(ROOT, '.tools', 'venv', 'bin', 'temporal'),
    uiPort: null,
    metricsPort: temporalMetricsPort,
    // The server exports task-queue backlog gauges once a minute by default; the test should not wait that long.
    dynamicConfig: { 'matching.backlogMetricsEmitInterval': '"1s"' },
  });
  site = await startFixtureServer();
  stack = await startStack({ workers: false, env: { TEMPORAL_ADDRESS: temporal.address } });
  [workerPort, sdkPort] = [await freePort(), await freePort()];
  worker = procs.spawnWorker({
    name: 'metrics',
    temporalAddress: temporal.address,
    databaseUrl: stack.env.DATABASE_URL,
    taskQueuePrefix: stack.prefix,
    env: { WORKER_METRICS_HOST: '127.0.0.1', WORKER_METRICS_PORT: String(workerPort), WORKER_SDK_METRICS_PORT: String(sdkPort) },
  });
  await waitForWorkerReady(stack.client, stack.queues, worker, 180_000);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await procs.cleanup();
  await temporal?.stop();
  await site?.close();
});

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

/** The four endpoints Prometheus scrapes (deploy/prometheus/prometheus.yml), each text as scraped now. */
async function scrapeAll(): Promise<Record<'api' | 'worker' | 'sdk' | 'temporal', string>> {
  const [api, workerText, sdk, server] = await Promise.all([
    request(stack!.app)
      .get('/metrics')
      .set(adminAuth)
      .expect(200)
      .then((r) => r.text),
    fetchText(`http://127.0.0.1:${workerPort}/metrics`),
    fetchText(`http://127.0.0.1:${sdkPort}/metrics`),
    fetchText(`http://127.0.0.1:${temporalMetricsPort}/metrics`),
  ]);
  return { api, worker: workerText, sdk, temporal: server };
}

const merged = (texts: Record<string, string>): ScrapedSeries => {
  const all: ScrapedSeries = new Map();
  for (const text of Object.values(texts)) parseExposition(text, all);
  return all;
};

describe('metrics and dashboards against a running API, worker and Temporal server', () => {
  let texts: Record<'api' | 'worker' | 'sdk' | 'temporal', string>;

  it('exports what the README promises once a scan has run: standard names, bounded labels', async () => {
    const scan = await scanToEnd(stack!.app, { url: site!.url('/violations.html') });
    expect(scan.status).toBe('completed');
    await request(stack!.app).get(`/api/scans/${scan.scanId}`).set(adminAuth).expect(200);
    await request(stack!.app).get('/no-such-page-anywhere').expect(404);
    texts = await scrapeAll();
    if (process.env.TEST_METRICS_DUMP)
      for (const [k, v] of Object.entries(texts)) writeFileSync(`${process.env.TEST_METRICS_DUMP}.${k}.txt`, v);

    const api = parseExposition(texts.api);
    const workerSeries = parseExposition(texts.worker);
    // Node's default metrics under their standard names, in both processes (stock Node.js dashboards work).
    for (const s of [api, workerSeries])
      for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) expect(s.has(name)).toBe(true);
    // Route templates, never raw paths; requests no route answered are one value.
    const routes = new Set(api.get('http_request_duration_seconds_count')!.map((l) => l.route));
    expect([...routes]).toEqual(expect.arrayContaining(['/api/scans', '/api/scans/:scanId', 'unmatched']));
    expect([...routes].filter((r) => r.includes(scan.scanId))).toEqual([]);
    // Our own series carry no scan id, URL or host: their label sets are bounded.
    for (const [name, series] of [...api, ...workerSeries]) {
      if (!name.startsWith('wcag_')) continue;
      for (const labels of series)
        expect({ name, values: Object.values(labels).filter((v) => /127\.0\.0\.1|:\/\/|[0-9a-f]{8}-/.test(v)) }).toEqual({
          name,
          values: [],
        });
    }
    // The SDK's exporter with Prometheus's conventions: counters end in _total, durations in seconds.
    const sdk = parseExposition(texts.sdk);
    const sdkNames = [...sdk.keys()];
    expect(sdkNames.filter((n) => n.startsWith('temporal_')).length).toBeGreaterThan(5);
    expect(sdkNames).toEqual(expect.arrayContaining(['temporal_activity_execution_latency_seconds_bucket']));
  }, 240_000);

  it('every metric and label the dashboard and rules query is really exported', async () => {
    const queries = [...dashboardQueries(ROOT), ...ruleQueries(ROOT)];
    expect(queries.length).toBeGreaterThan(10);
    const targets = prometheusTargets(ROOT);
    // The server's backlog gauges and the SDK's buffered metrics appear within seconds of the scan, not at once.
    let problems: string[] = [];
    await eventually(
      async () => {
        texts = await scrapeAll();
        const series = merged(texts);
        problems = queries.flatMap((q) => checkQuery(q, series, targets));
        return problems.length === 0 ? true : undefined;
      },
      60_000,
      2_000,
    ).catch(() => undefined);
    if (process.env.TEST_METRICS_DUMP)
      for (const [k, v] of Object.entries(texts)) writeFileSync(`${process.env.TEST_METRICS_DUMP}.${k}.txt`, v);
    expect(problems).toEqual([]);
    // The check can fail on the real series: the queue-depth query this dashboard shipped with before.
    const before = 'sum by (task_queue) (approximate_backlog_count{task_queue=~".*-(browser|scans-high|scans-low)"})';
    expect(checkQuery({ where: 'old panel', expr: before }, merged(texts), targets)).toEqual([
      expect.stringContaining('label task_queue is not on approximate_backlog_count'),
      expect.stringContaining('by (task_queue)'),
    ]);
  }, 120_000);
});
