// The API in a process of its own, started from its real entry point (`npm run api`, what `npm start` and compose
// run), so the monitoring benchmark measures the API's CPU and not the workers' sharing its event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '../../lib/temporal-dev-server';

const ROOT = join(__dirname, '..', '..');
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

export interface ApiProcess {
  baseUrl: string;
  /** The admin key made up for this process (ADMIN_API_KEY), never written anywhere. */
  apiKey: string;
  pid: number;
  stop(): Promise<void>;
}

export interface ApiProcessOptions {
  /** Configuration the process runs with, on top of this process's environment (DATABASE_URL, TEMPORAL_ADDRESS, …). */
  env: Record<string, string>;
  /** Node flags before the entry point, e.g. `--cpu-prof --cpu-prof-dir=…` to profile the API alone. */
  nodeArgs?: string[];
  log: (line: string) => void;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

async function waitReady(baseUrl: string, child: ChildProcess, stderrTail: () => string): Promise<void> {
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`API process exited with ${child.exitCode} before it was ready: ${stderrTail()}`);
    try {
      const res = await fetch(`${baseUrl}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`API process not ready within ${READY_TIMEOUT_MS / 1000} s: ${stderrTail()}`);
}

/** Spawns `api/main.ts` (via tsx, as `npm run api`) on 127.0.0.1 and a free port, and waits for `/readyz`. */
export async function startApiProcess(o: ApiProcessOptions): Promise<ApiProcess> {
  const port = await freePort();
  const apiKey = randomBytes(24).toString('hex');
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', join(ROOT, 'api', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...o.env, ADMIN_API_KEY: apiKey, PORT: String(port), API_HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGTERM: the API closes its server, Temporal connection and Prisma (and writes a --cpu-prof profile).
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited(child);
    clearTimeout(timer);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitReady(baseUrl, child, () => stderr.trim().split('\n').slice(-5).join(' | '));
  } catch (err) {
    await stop();
    throw err;
  }
  o.log(`monitoring: API in its own process (pid ${child.pid}) at ${baseUrl}`);
  return { baseUrl, apiKey, pid: child.pid!, stop };
}
