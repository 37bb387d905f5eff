import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { SEARCH_ATTRIBUTE_KEYS } from '../core/contracts';

export interface DevServerOptions {
  cliPath: string;
  ip?: string;
  port: number;
  /** null runs it headless (tests). */
  uiPort: number | null;
  /** SQLite file, so workflows survive a restart; omitted = in memory. */
  dbFile?: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  readyTimeoutMs?: number;
  stdio?: 'inherit' | 'ignore' | 'pipe';
  /** Serves the server's Prometheus metrics on this port (`/metrics`); omitted = the CLI's default. */
  metricsPort?: number;
  /** More dynamic-config values (`key: value`, value as YAML), after ours. */
  dynamicConfig?: Record<string, string>;
}

export interface DevServer {
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Task-queue priority and fairness are in server 1.32 but off by default when self-hosted: the browser queue
 * relies on both (high scans first; one client's bulk cannot starve another client). A production cluster needs
 * the same two dynamic-config values (see README). Priority is ordered within a task-queue partition, and a
 * poller served by one partition can take a low task while a high one waits in another: a single-node server
 * gains nothing from the default 4 partitions, so it runs one and the ordering is strict.
 */
export const PRIORITY_AND_FAIRNESS_FLAGS = [
  '--dynamic-config-value',
  'matching.useNewMatcher=true',
  '--dynamic-config-value',
  'matching.enableFairness=true',
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
];

/** The flags that register our custom search attributes at start. */
export function searchAttributeFlags(): string[] {
  // KEYWORD is the SDK's enum value; the CLI spells it Keyword.
  return SEARCH_ATTRIBUTE_KEYS.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
}

/** Whether something accepts TCP connections there (what a `nc -z host port` health check asks). */
export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Starts `temporal server start-dev` and resolves once its frontend accepts connections. */
export async function startTemporalDevServer(o: DevServerOptions): Promise<DevServer> {
  const ip = o.ip ?? '127.0.0.1';
  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(o.port),
    '--namespace',
    o.namespace ?? 'default',
    '--log-level',
    o.logLevel ?? 'warn',
    ...searchAttributeFlags(),
    ...PRIORITY_AND_FAIRNESS_FLAGS,
    ...(o.uiPort === null ? ['--headless'] : ['--ui-port', String(o.uiPort)]),
    ...(o.dbFile ? ['--db-filename', o.dbFile] : []),
    ...(o.metricsPort ? ['--metrics-port', String(o.metricsPort)] : []),
    ...Object.entries(o.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]),
  ];
  // Unless the caller wants the output, stderr is still read (its last 2 KB) so a start that fails can say why.
  const child = spawn(o.cliPath, args, { stdio: o.stdio ?? ['ignore', 'ignore', 'pipe'] });
  // A Go panic says why in its first lines and where in the rest: keep the start and the end.
  let stderrHead = '';
  let stderrTail = '';
  if (!o.stdio)
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderrHead.length < 1024) stderrHead = (stderrHead + chunk.toString()).slice(0, 1024);
      else stderrTail = (stderrTail + chunk.toString()).slice(-1024);
    });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) {
      throw new Error(
        `temporal dev server exited during start (${o.cliPath} ${args.join(' ')})${stderrHead ? `: ${stderrHead.trim()}${stderrTail ? ` … ${stderrTail.trim()}` : ''}` : ''}`,
      );
    }
    if (await portOpen(ip, o.port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('temporal dev server did not start in time');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `${ip}:${o.port}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => (clearTimeout(force), resolve()));
        child.kill('SIGTERM');
      }),
  };
}

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts a dev server on a free port, trying a new port when the server exits during start: freePort() releases the
 * port before the server binds it (and the server binds more ports of its own), so on a busy machine another process
 * sometimes takes one in between.
 */
export async function startTemporalDevServerOnFreePort(
  o: Omit<Parameters<typeof startTemporalDevServer>[0], 'port'>,
  attempts = 3,
): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTemporalDevServer({ ...o, port: await freePort() });
    } catch (err) {
      if (attempt >= attempts || !/exited during start/.test((err as Error).message)) throw err;
    }
  }
}
