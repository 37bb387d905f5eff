// Real processes for fault-tolerance tests: worker processes (`tsx workers/main.ts`), a private Temporal dev server
// that can be restarted on the same port and SQLite file, and a private Postgres instance that can be stopped and
// started without touching the shared cluster other test runs use. Everything spawned is tracked by a
// ProcessRegistry, whose cleanup() kills whatever is still running (also orphaned Chromium trees) and removes temp dirs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { isAlive, processTree } from '../../activities/browser/process-tree';
import { freePort, startTemporalDevServer, type DevServer } from '../../lib/temporal-dev-server';
import type { TaskQueues } from '../../core/contracts';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `p` at most `ms`; the timer is cleared either way, so nothing keeps jest alive afterwards. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------------------------
// /proc helpers

function readProc(pid: number, file: string): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** Alive and not a zombie. */
export function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  const stat = readProc(pid, 'stat');
  if (stat === null) return false;
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

function cmdlineOf(pid: number): string[] {
  return (readProc(pid, 'cmdline') ?? '').split('\0').filter(Boolean);
}

const PROFILE_FLAG = '--user-data-dir=';

/** The Chromium profile directories (`--user-data-dir`) used by any of these processes. */
export function chromiumProfiles(pids: number[]): string[] {
  const dirs = new Set<string>();
  for (const pid of pids) {
    for (const arg of cmdlineOf(pid)) if (arg.startsWith(PROFILE_FLAG)) dirs.add(arg.slice(PROFILE_FLAG.length));
  }
  return [...dirs];
}

/** Live (non-zombie) processes anywhere on the machine whose command line uses this Chromium profile. */
export function processesUsingProfile(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (cmdlineOf(pid).includes(`${PROFILE_FLAG}${dir}`) && isRunning(pid)) out.push(pid);
  }
  return out;
}

/** `pid (type)` for messages: the Chromium process type (`browser` for the main process) or the executable. */
export function describeProcess(pid: number): string {
  const args = cmdlineOf(pid);
  const type = args.find((a) => a.startsWith('--type='))?.slice('--type='.length);
  return `${pid} (${type ?? (args[0]?.includes('chrom') ? 'browser' : (args[0] ?? 'gone'))})`;
}

function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Worker processes

export interface WorkerSpawnOptions {
  /** A label for logs and messages (A, B, …). */
  name: string;
  temporalAddress: string;
  databaseUrl: string;
  taskQueuePrefix: string;
  maxConcurrentPages?: number;
  /** Anything else for the worker's environment. */
  env?: Record<string, string>;
  /** Another command than `tsx workers/main.ts` (the cluster test runs the image's `node dist/...`), and its cwd. */
  argv?: string[];
  cwd?: string;
}

export interface WorkerProcess {
  readonly name: string;
  /** The spawned `tsx` process: also the process group id (spawned detached). */
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the spawned process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** The pid and all its live descendants: tsx, the node process running workers/main.ts, Chromium. */
  tree(): number[];
  /** Worker identities (`hostname:pid`, as createWorkers sets them) any process of the tree would poll with. */
  identities(): Set<string>;
  /** Chromium profile dirs this worker has been seen using (remembered across calls, for cleanup and checks). */
  profilesSeen(): string[];
  /** SIGKILL the whole process group at once (tsx and the worker), as a crash or the OOM killer would. */
  sigkill(): void;
  /** SIGTERM (tsx relays it to the worker), then SIGKILL the group and any leftover Chromium after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of the worker's stdout+stderr. */
  logTail(lines?: number): string;
}

function spawnWorker(o: WorkerSpawnOptions, dir: string): WorkerProcess {
  const logFile = join(dir, `worker-${o.name}.log`);
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, o.argv ?? [join(ROOT, 'node_modules', '.bin', 'tsx'), 'workers/main.ts'], {
    cwd: o.cwd ?? ROOT,
    detached: true,
    stdio: ['ignore', fd, fd],
    // A command of its own (the image's) gets only its own environment, as in a container.
    env: o.argv
      ? { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/', ...o.env }
      : {
          ...process.env,
          NODE_ENV: 'test',
          // info: the worker's own "worker started" / browser lines, useful in the log file when a test fails.
          LOG_LEVEL: 'info',
          TEMPORAL_ADDRESS: o.temporalAddress,
          TEMPORAL_NAMESPACE: 'default',
          DATABASE_URL: o.databaseUrl,
          DATABASE_POOL_SIZE: '3',
          TEMPORAL_TASK_QUEUE_PREFIX: o.taskQueuePrefix,
          SCAN_ALLOW_PRIVATE_TARGETS: 'true',
          MAX_CONCURRENT_PAGES: String(o.maxConcurrentPages ?? 1),
          // Several test workers run on one host (and maybe beside a developer's `npm start`).
          WORKER_METRICS_PORT: '0',
          WORKER_SDK_METRICS_PORT: '0',
          CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium',
          ...o.env,
        },
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`worker ${o.name} could not be spawned`);
  const pid = child.pid;
  let exited = false;
  const exitedP = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
  });
  const profiles = new Set<string>();
  const tree = () => {
    if (exited) return [];
    const pids = processTree(pid).filter(isRunning);
    for (const d of chromiumProfiles(pids)) profiles.add(d);
    return pids;
  };
  /** SIGKILLs whatever still runs with one of this worker's profiles, waits for it to die, removes the profiles. */
  const reapChromium = async () => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const left = [...profiles].flatMap(processesUsingProfile);
      if (left.length === 0 || Date.now() > deadline) break;
      for (const p of left) killQuietly(p);
      await sleep(100);
    }
    for (const dir of profiles) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  const sigkill = () => {
    tree(); // remember the profiles before the tree is gone
    killQuietly(-pid);
  };
  return {
    name: o.name,
    pid,
    logFile,
    exited: exitedP,
    hasExited: () => exited,
    tree,
    identities: () => new Set(tree().map((p) => `${hostname()}:${p}`)),
    profilesSeen() {
      tree();
      return [...profiles];
    },
    sigkill,
    async stop(graceMs = 20_000) {
      if (!exited) {
        tree();
        killQuietly(pid, 'SIGTERM');
        await within(exitedP, graceMs);
        if (!exited) sigkill();
        await within(exitedP, 5_000);
      }
      // A worker's Chromium runs in a process group of its own (puppeteer spawns it detached): a worker killed
      // before it closed its browser may leave the tree behind; never leave it running on a shared machine.
      await reapChromium();
    },
    logTail(lines = 40) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
  };
}

// Numeric proto enums (temporal.api.enums.v1): TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_WORKFLOW / _ACTIVITY.
const KIND_NORMAL = 1;
const TYPE_WORKFLOW = 1;
const TYPE_ACTIVITY = 2;

/** Identities of the pollers Temporal has seen recently on a task queue. */
export async function pollerIdentities(client: Client, taskQueue: string, type: 'workflow' | 'activity'): Promise<string[]> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: KIND_NORMAL },
    taskQueueType: type === 'workflow' ? TYPE_WORKFLOW : TYPE_ACTIVITY,
  });
  return (res.pollers ?? []).map((p) => p.identity ?? '');
}

/**
 * Resolves when Temporal reports this worker polling all three of its queues (workflow tasks on the scan queues,
 * activity tasks on the browser queue); throws early if the worker process exits.
 */
export async function waitForWorkerReady(client: Client, queues: TaskQueues, worker: WorkerProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const wanted: Array<[string, 'workflow' | 'activity']> = [
    [queues.high, 'workflow'],
    [queues.low, 'workflow'],
    [queues.browser, 'activity'],
  ];
  let last = '';
  for (;;) {
    if (worker.hasExited()) throw new Error(`worker ${worker.name} exited during start:\n${worker.logTail()}`);
    try {
      const mine = worker.identities();
      const seen = await Promise.all(wanted.map(([q, t]) => pollerIdentities(client, q, t)));
      if (seen.every((ids) => ids.some((id) => mine.has(id)))) return;
      last = `pollers: ${JSON.stringify(seen)}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > deadline) throw new Error(`worker ${worker.name} not polling within ${timeoutMs} ms (${last}):\n${worker.logTail()}`);
    await sleep(500);
  }
}

/**
 * Stops a service for `ms`, then starts it again, also when the stop half failed (the rest of the test and its
 * cleanup need it). Returns when the stop began and the downtime as the test saw it.
 */
export async function outage(
  service: { stop(): Promise<void>; start(): Promise<void> },
  ms: number,
): Promise<{ stoppedAt: number; downMs: number }> {
  const stoppedAt = Date.now();
  try {
    await service.stop();
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    await service.start();
  }
  return { stoppedAt, downMs: Date.now() - stoppedAt };
}

// ---------------------------------------------------------------------------------------------------------------
// A private Temporal dev server that keeps its address and data across a restart

export interface RestartableTemporal {
  readonly address: string;
  readonly dbFile: string;
  isUp(): boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function startRestartableTemporal(dir: string): Promise<RestartableTemporal> {
  const cliPath = process.env.TEMPORAL_CLI_PATH ?? join(ROOT, '.tools', 'venv', 'bin', 'temporal');
  let port = await freePort();
  const dbFile = join(dir, 'temporal.sqlite');
  let server: DevServer | null = null;
  const start = async () => {
    if (server) return;
    server = await startTemporalDevServer({ cliPath, port, uiPort: null, dbFile, readyTimeoutMs: 90_000 });
  };
  // The first start may pick a new port: freePort() releases the port before the server binds it, and once in a
  // while another process takes it in between. Restarts keep the address, as the test needs.
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      break;
    } catch (err) {
      if (attempt === 3 || !/exited during start/.test((err as Error).message)) throw err;
      port = await freePort();
    }
  }
  return {
    address: `127.0.0.1:${port}`,
    dbFile,
    isUp: () => server !== null,
    async stop() {
      const s = server;
      server = null;
      await s?.stop(); // SIGTERM, SIGKILL after 10 s; resolves on exit
    },
    start,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A private Postgres instance (initdb in a temp dir): stopping it breaks nobody else's tests

export interface PrivatePostgres {
  /** URL of a database on this instance (role `wcag`, trust auth on 127.0.0.1). */
  url(database: string): string;
  isUp(): boolean;
  /** `pg_ctl stop -m fast`: what `pg_ctlcluster … stop -m fast` does to a cluster. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function postgresBinDir(): string {
  if (process.env.TEST_PG_BIN_DIR) return process.env.TEST_PG_BIN_DIR;
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (set TEST_PG_BIN_DIR)');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

async function startPrivatePostgres(dir: string, maxConnections = 50): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const port = await freePort();
  const data = join(dir, 'data');
  // Postgres refuses to run as root: as root, run its tools as the `postgres` user in a dir it owns.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], { cwd: dir }) : run(join(bin, tool), args, { cwd: dir });
  await pg('initdb', ['-D', data, '-U', 'wcag', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=${maxConnections}`;
  let up = false;
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-l', join(dir, 'postgres.log'), '-o', opts, '-w', '-t', '60', 'start']);
    up = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    await pg('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    up = false;
  };
  await start();
  return {
    url: (database) => `postgresql://wcag@127.0.0.1:${port}/${database}`,
    isUp: () => up,
    stop: () => stop('fast'),
    start,
    async destroy() {
      // Whatever state the test left it in: stop it if a postmaster still runs.
      await stop('immediate').catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The registry: one per test file, cleanup() in afterEach/afterAll

export class ProcessRegistry {
  private readonly workers: WorkerProcess[] = [];
  private readonly temporals: RestartableTemporal[] = [];
  private readonly postgres: PrivatePostgres[] = [];
  private readonly dirs: string[] = [];

  private tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Spawns `node node_modules/.bin/tsx workers/main.ts` (or `o.argv`) in a process group of its own. */
  spawnWorker(o: WorkerSpawnOptions): WorkerProcess {
    const w = spawnWorker(o, this.tempDir(`wcag-fault-worker-${o.name}-`));
    this.workers.push(w);
    return w;
  }

  async startTemporal(): Promise<RestartableTemporal> {
    const t = await startRestartableTemporal(this.tempDir('wcag-fault-temporal-'));
    this.temporals.push(t);
    return t;
  }

  async startPostgres(o: { maxConnections?: number } = {}): Promise<PrivatePostgres> {
    const p = await startPrivatePostgres(this.tempDir('wcag-fault-pg-'), o.maxConnections);
    this.postgres.push(p);
    return p;
  }

  /** Workers first (they use the servers), then the servers, then the temp dirs. Never throws. */
  async cleanup(): Promise<void> {
    await Promise.allSettled(this.workers.splice(0).map((w) => w.stop(10_000)));
    await Promise.allSettled(this.temporals.splice(0).map((t) => t.stop()));
    await Promise.allSettled(this.postgres.splice(0).map((p) => p.destroy()));
    // TEST_KEEP_FAULT_LOGS=1 keeps worker logs, the dev server's SQLite file and the Postgres log for a post-mortem.
    const dirs = this.dirs.splice(0);
    if (!process.env.TEST_KEEP_FAULT_LOGS) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
