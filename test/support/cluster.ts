// The production topology of docker-compose.yml as local processes (no Docker engine here, and the base images are
// unreachable): a private Postgres, Temporal's schema job, the real Temporal server (Go build from
// scripts/cluster/install-temporal-server.sh) on PostgreSQL persistence and SQL visibility, the namespace job, the
// migration job, N workers and N APIs. Every command, environment and health check is read from the compose file
// (through Compose's own loader, scripts/cluster/compose-config) and the Dockerfile's runtime stage; only what a
// Docker network provides is replaced (host names, ports, loopback binding), plus the test knobs named in TEST_KNOBS.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { freePort, portOpen } from '../../lib/temporal-dev-server';
import type { ProcessRegistry, PrivatePostgres, WorkerProcess } from './processes';

const ROOT = join(__dirname, '..', '..');
const TOOLS = join(ROOT, '.tools');
const TEMPORAL_CLI = join(TOOLS, 'venv', 'bin', 'temporal');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const ADMIN_KEY = 'cluster-test-admin-key-0123456789';
export const METRICS_TOKEN = 'cluster-test-metrics-token-0123';

/**
 * Not what compose sets, on purpose: targets are a fixture site on loopback, one bulk exceeds the default 10 scans
 * an hour per client, and the API limits and host breaker would otherwise get in the way of a load test.
 * MAX_CONCURRENT_PAGES 2 instead of compose's 3: two workers share a 2-core machine with other work.
 */
export const TEST_KNOBS: Record<string, string> = {
  SCAN_ALLOW_PRIVATE_TARGETS: 'true',
  MAX_SCANS_PER_HOUR: '1000000',
  API_RATE_LIMIT_PER_KEY: '0',
  API_RATE_LIMIT_PER_IP: '0',
  BREAKER_FAILURE_THRESHOLD: '1000000',
  MAX_CONCURRENT_PAGES: '2',
  LOG_LEVEL: 'info',
};

export interface ComposeService {
  command?: string[];
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] };
}

/** The tools this needs, built once per machine; a missing one fails with the command that builds it. */
export async function requireTools(): Promise<void> {
  const need: Array<[string, string]> = [
    [join(TOOLS, `temporal-server-${await temporalVersion()}`, 'temporal-server'), 'bash scripts/cluster/install-temporal-server.sh'],
    [join(TOOLS, 'compose-config', 'compose-config'), 'bash scripts/cluster/install-tools.sh'],
    [TEMPORAL_CLI, 'npm run setup'],
    [join(ROOT, 'dist', 'api', 'main.js'), 'npm run build'],
  ];
  const missing = need.filter(([file]) => !existsSync(file));
  if (missing.length) throw new Error(`missing ${missing.map(([f, cmd]) => `${f} (${cmd})`).join(', ')}`);
}

/** docker-compose.yml resolved by Compose's loader with its own defaults (no .env), every profile on. */
export async function composeServices(): Promise<Record<string, ComposeService>> {
  const dir = mkdtempSync(join(tmpdir(), 'wcag-compose-'));
  try {
    // A copy in an empty directory: the developer's .env (env_file) must not leak into the model.
    copyFileSync(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
    const { stdout } = await run(
      join(TOOLS, 'compose-config', 'compose-config'),
      ['-profile', 'monitoring', join(dir, 'docker-compose.yml')],
      { env: { PATH: process.env.PATH ?? '', COMPOSE_DISABLE_ENV_FILE: 'true', METRICS_TOKEN }, maxBuffer: 16 << 20 },
    );
    return (parse(stdout) as { services: Record<string, ComposeService> }).services;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A service's environment, with `replace` applied: each key must be set by compose (or the test notices the drift). */
export function serviceEnv(svc: ComposeService, replace: Record<string, string>, add: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.environment ?? {})) if (v !== null) env[k] = v;
  for (const [k, v] of Object.entries(replace)) {
    if (!(k in env)) throw new Error(`compose no longer sets ${k} for this service (the cluster test replaces it)`);
    env[k] = v;
  }
  return { ...env, ...add };
}

/** `from` must occur in `value`: a host name or port the compose file uses that the local run replaces. */
export function rewrite(value: string | undefined, from: string, to: string): string {
  if (!value?.includes(from)) throw new Error(`expected "${from}" in "${value}" (docker-compose.yml changed?)`);
  return value.replace(from, to);
}

// ---------------------------------------------------------------------------------------------------------------
// The image, as a directory: the runtime stage's COPY --from=build lines applied to this checkout's build (npm run build)

export interface Image {
  dir: string;
  env: Record<string, string>;
}

function dockerfileInstructions(): string[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  return lines.slice(lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true));
}

export function assembleImage(): Image {
  const dir = mkdtempSync(join(tmpdir(), 'wcag-image-'));
  const env: Record<string, string> = {};
  for (const line of dockerfileInstructions()) {
    const copy = /^COPY --from=build \/app\/(\S+) (\S+)$/.exec(line);
    if (copy) {
      const [, src, dest] = copy;
      const target = join(dir, dest.replace(/^\.\//, ''), dest.endsWith('/') ? src.split('/').pop()! : '');
      mkdirSync(dirname(target), { recursive: true });
      // node_modules: linked, not copied (and not pruned of dev dependencies as the build stage does).
      if (src === 'node_modules') symlinkSync(join(ROOT, 'node_modules'), target);
      else cpSync(join(ROOT, src), target, { recursive: true });
    }
    const envLine = /^ENV (.+)$/.exec(line);
    if (envLine) for (const m of envLine[1].matchAll(/(\w+)=(\S+)/g)) env[m[1]] = m[2];
  }
  if (!Object.keys(env).length) throw new Error('no ENV in the Dockerfile runtime stage');
  return { dir, env };
}

/** Runs a compose health check command (`[CMD, node, dist/scripts/healthcheck.js, api]`) in the image until it passes. */
export async function waitHealthy(image: Image, svc: ComposeService, env: Record<string, string>, timeoutMs = 120_000): Promise<void> {
  const test = svc.healthcheck?.test ?? [];
  if (test[0] !== 'CMD' || test[1] !== 'node') throw new Error(`unexpected health check ${JSON.stringify(test)}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await run(process.execPath, test.slice(2), { cwd: image.dir, env: { PATH: process.env.PATH ?? '', ...env } });
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`health check ${test.join(' ')} still failing: ${(err as { stderr?: string }).stderr ?? err}`);
      await sleep(1_000);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The Temporal server

export interface ClusterTemporal {
  address: string;
  metricsAddress: string;
  logFile: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** wcag.yaml with the task-queue partitions set to `partitions` (compose runs 1; the issue measures the default 4). */
export function dynamicConfigWithPartitions(dir: string, partitions: number): string {
  const src = readFileSync(join(ROOT, 'deploy', 'temporal', 'dynamicconfig', 'wcag.yaml'), 'utf8');
  let replaced = 0;
  const out = src.replace(/^(matching\.numTaskqueue(?:Read|Write)Partitions:\n\s+- value:) \d+$/gm, (_, head: string) => {
    replaced++;
    return `${head} ${partitions}`;
  });
  if (replaced !== 2) throw new Error('wcag.yaml no longer sets the read and write partitions');
  const file = join(dir, 'wcag.yaml');
  writeFileSync(file, out);
  return file;
}

/**
 * A free port below 32768: Temporal stores each service's membership port in a Postgres smallint (found by this test:
 * a kernel-chosen ephemeral port, 32768 and up, fails the server's start with "out of range for type smallint").
 */
async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
}

export async function startTemporalServer(
  temporal: ComposeService,
  pg: { host: string; port: number },
  dynamicConfigFile: string,
  dir: string,
): Promise<ClusterTemporal> {
  const ports: Record<string, number> = {};
  for (const name of [
    'FRONTEND_GRPC',
    'FRONTEND_HTTP',
    'FRONTEND_MEMBERSHIP',
    'HISTORY_GRPC',
    'HISTORY_MEMBERSHIP',
    'MATCHING_GRPC',
    'MATCHING_MEMBERSHIP',
    'WORKER_GRPC',
    'WORKER_MEMBERSHIP',
  ])
    ports[`${name}_PORT`] = await freeLowPort();
  const metricsPort = await freePort();
  const env = serviceEnv(
    temporal,
    {
      POSTGRES_SEEDS: pg.host,
      DB_PORT: String(pg.port),
      // compose binds 0.0.0.0 inside its network; here, loopback only (the image's entrypoint then needs no
      // broadcast address, and runs just `temporal-server start`).
      BIND_ON_IP: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: dynamicConfigFile,
      PROMETHEUS_ENDPOINT: rewrite(temporal.environment?.PROMETHEUS_ENDPOINT ?? '', '0.0.0.0:8000', `127.0.0.1:${metricsPort}`),
    },
    { ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), LOG_LEVEL: 'warn' },
  );
  const logFile = join(dir, 'temporal-server.log');
  const bin = join(TOOLS, `temporal-server-${await temporalVersion()}`, 'temporal-server');
  let child: ChildProcess | null = null;
  const start = async () => {
    const fd = openSync(logFile, 'a');
    const c = spawn(bin, ['start'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child = c;
    let exited = false;
    c.once('exit', () => (exited = true));
    // compose's health check: `nc -z localhost 7233`.
    const deadline = Date.now() + 120_000;
    const died = () => new Error(`temporal-server exited during start:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    while (!(await portOpen('127.0.0.1', ports.FRONTEND_GRPC_PORT))) {
      if (exited) throw died();
      if (Date.now() > deadline) throw new Error('temporal-server did not open its frontend port in time');
      await sleep(250);
    }
    // The frontend port opens before the other services have joined: a start that fails (membership, persistence)
    // exits a moment later. Serving = `temporal operator cluster health` answers SERVING.
    for (;;) {
      if (exited) throw died();
      const health = await run(TEMPORAL_CLI, ['operator', 'cluster', 'health', '--address', `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`]).catch(
        () => null,
      );
      if (health?.stdout.includes('SERVING')) break;
      if (Date.now() > deadline) throw new Error('temporal-server did not answer SERVING in time');
      await sleep(500);
    }
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => c.kill('SIGKILL'), 15_000);
      c.once('exit', () => (clearTimeout(force), resolve()));
      c.kill('SIGTERM');
    });
  };
  await start();
  return { address: `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`, metricsAddress: `127.0.0.1:${metricsPort}`, logFile, start, stop };
}

export async function temporalVersion(): Promise<string> {
  const { stdout } = await run('bash', [join(ROOT, 'scripts', 'cluster', 'temporal-version.sh')]);
  return stdout.trim();
}

// ---------------------------------------------------------------------------------------------------------------
// The one-shot jobs, as compose runs them (their scripts, with the tools from .tools/ on PATH)

export async function runSchemaJob(svc: ComposeService, pg: { host: string; port: number }): Promise<string> {
  const toolDir = join(TOOLS, `temporal-server-${await temporalVersion()}`);
  const env = serviceEnv(svc, { POSTGRES_SEEDS: pg.host, DB_PORT: String(pg.port) }, { TEMPORAL_SCHEMA_DIR: join(toolDir, 'schema') });
  const { stdout } = await run('sh', [join(ROOT, 'deploy', 'temporal', 'setup-schema.sh')], {
    env: { PATH: `${toolDir}:${process.env.PATH ?? ''}`, ...env },
    maxBuffer: 64 << 20,
  });
  return stdout;
}

export async function runNamespaceJob(svc: ComposeService, temporalAddress: string): Promise<string> {
  const env = serviceEnv(svc, { TEMPORAL_ADDRESS: rewrite(svc.environment?.TEMPORAL_ADDRESS ?? '', 'temporal:7233', temporalAddress) });
  const { stdout } = await run('sh', [join(ROOT, 'deploy', 'temporal', 'setup-namespace.sh')], {
    env: { PATH: `${join(TOOLS, 'venv', 'bin')}:${process.env.PATH ?? ''}`, ...env },
  });
  return stdout;
}

/** The app services' environment (migrate, api, worker): the image's ENV, then compose's, with the local addresses. */
export function appEnv(
  image: Image,
  svc: ComposeService,
  local: { databaseUrl: string; temporalAddress: string },
  add: Record<string, string> = {},
) {
  return {
    ...image.env,
    ...serviceEnv(svc, {
      DATABASE_URL: local.databaseUrl,
      TEMPORAL_ADDRESS: rewrite(svc.environment?.TEMPORAL_ADDRESS ?? '', 'temporal:7233', local.temporalAddress),
    }),
    // From .env in compose (secrets): fixed test values here.
    ADMIN_API_KEY: ADMIN_KEY,
    METRICS_TOKEN,
    ...add,
  };
}

export async function runMigrateJob(image: Image, svc: ComposeService, env: Record<string, string>): Promise<string> {
  const [node, ...args] = svc.command ?? [];
  if (node !== 'node') throw new Error(`unexpected migrate command ${JSON.stringify(svc.command)}`);
  const { stdout } = await run(process.execPath, args, { cwd: image.dir, env: { PATH: process.env.PATH ?? '', ...env } });
  return stdout;
}

/** An app process (`node dist/...` from the service's command) in its own process group, tracked by the registry. */
export function spawnApp(
  procs: ProcessRegistry,
  image: Image,
  name: string,
  svc: ComposeService,
  env: Record<string, string>,
): WorkerProcess {
  const [node, ...args] = svc.command ?? [];
  if (node !== 'node') throw new Error(`unexpected command ${JSON.stringify(svc.command)}`);
  return procs.spawnWorker({
    name,
    argv: args,
    cwd: image.dir,
    temporalAddress: env.TEMPORAL_ADDRESS,
    databaseUrl: env.DATABASE_URL,
    taskQueuePrefix: env.TEMPORAL_TASK_QUEUE_PREFIX ?? 'wcag',
    env,
  });
}

export function pgAddress(pg: PrivatePostgres): { host: string; port: number } {
  const u = new URL(pg.url('postgres'));
  return { host: u.hostname, port: Number(u.port) };
}

// ---------------------------------------------------------------------------------------------------------------
// Prometheus (Debian's build, scripts/cluster/install-tools.sh) on deploy/prometheus/prometheus.yml

export interface LocalPrometheus {
  url: string;
  /** Instant query; the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/**
 * deploy/prometheus/prometheus.yml with only the targets replaced (compose's service names and Docker DNS become
 * loopback ports) and the token file written; a 5 s scrape interval instead of 15 s so a short run has samples.
 */
export async function startPrometheus(
  dir: string,
  targets: { api: string[]; worker: string[]; workerSdk: string[]; temporal: string },
  metricsToken: string,
): Promise<LocalPrometheus> {
  type Scrape = {
    job_name: string;
    static_configs?: Array<{ targets: string[] }>;
    dns_sd_configs?: unknown;
    authorization?: { credentials_file?: string };
  };
  const config = parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    scrape_configs: Scrape[];
  };
  const job = (name: string) => {
    const j = config.scrape_configs.find((s) => s.job_name === name);
    if (!j) throw new Error(`prometheus.yml has no job ${name}`);
    return j;
  };
  const tokenFile = join(dir, 'metrics_token');
  writeFileSync(tokenFile, metricsToken);
  const api = job('wcag-api');
  if (!api.authorization?.credentials_file) throw new Error('prometheus.yml: the API job lost its token file');
  api.authorization.credentials_file = tokenFile;
  api.static_configs = [{ targets: targets.api }];
  const worker = job('wcag-worker');
  if (!worker.dns_sd_configs) throw new Error('prometheus.yml: the worker job no longer finds replicas through DNS');
  delete worker.dns_sd_configs;
  worker.static_configs = [{ targets: targets.worker }];
  const workerSdk = job('wcag-worker-sdk');
  if (!workerSdk.dns_sd_configs) throw new Error('prometheus.yml: the worker SDK job no longer finds replicas through DNS');
  delete workerSdk.dns_sd_configs;
  workerSdk.static_configs = [{ targets: targets.workerSdk }];
  job('temporal').static_configs = [{ targets: [targets.temporal] }];
  config.global.scrape_interval = '5s';
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, JSON.stringify(config));
  const port = await freePort();
  const logFile = join(dir, 'prometheus.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(
    join(TOOLS, 'prometheus', 'prometheus'),
    [`--config.file=${file}`, `--storage.tsdb.path=${join(dir, 'prometheus-data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) throw new Error('prometheus not ready in time');
    await sleep(500);
  }
  return {
    url,
    async query(expr) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { result: [] } };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
      return body.data!.result;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
