// autocannon in a process of its own: in the benchmark's process its event loop is shared with the workers, and a
// response waiting there while an activity runs would be counted as the endpoint's latency.
import { spawn } from 'node:child_process';

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Seconds per request before it counts as a timeout. */
  timeout: number;
}

export interface LoadResult {
  total: number;
  average: number;
  p50: number;
  p99: number;
  max: number;
  /** Non-2xx answers, errors and timeouts. */
  failed: number;
}

// Runs in the child (CommonJS, resolved from the project's node_modules): options in argv, the figures on stdout.
const CHILD = `
const autocannon = require('autocannon');
const o = JSON.parse(process.argv[1]);
autocannon(o).then((r) => process.stdout.write(JSON.stringify({
  total: r.requests.total, average: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max,
  failed: r.non2xx + r.errors + r.timeouts,
})), (err) => { process.stderr.write(String(err)); process.exit(1); });`;

export function loadInOwnProcess(o: LoadOptions, cwd: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, JSON.stringify(o)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as LoadResult);
      else reject(new Error(`autocannon exited with ${code}: ${err.slice(-500)}`));
    });
  });
}
