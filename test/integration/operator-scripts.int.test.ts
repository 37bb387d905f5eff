// The operator scripts (scan-bulk.sh, monitor-queue.sh, health-check.sh) and the `wcag` CLI, run as real child
// processes against a real stack listening on a port: API + workers + Chromium + fixture pages.
// Chromium budget: 4 light scans.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lib/temporal-dev-server';
import { healthExitCode } from '../../scripts/cli/format';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { adminAuth } from '../support/scan-client';
import { ADMIN_KEY, startStack, type Stack } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const client = `ops-${randomBytes(3).toString('hex')}`;

let site: FixtureServer;
let stack: Stack;
let server: Server;
let base: string;
let dir: string;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a script to the end (or until `until` sees its stdout and the child gets SIGINT). */
function run(cmd: string, args: string[], opts: { key?: string; until?: (stdout: string) => boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      // No ADMIN_API_KEY from the test environment: the key is exactly what the test gives.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, WCAG_API_KEY: opts.key ?? ADMIN_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.until && !interrupted && opts.until(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const script = (name: string) => join(ROOT, 'scripts', name);

beforeAll(async () => {
  site = await startFixtureServer({
    '/gone': (_req, res) =>
      void res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Gone</title><p>Gone</p>'),
  });
  stack = await startStack({ env: { MAX_CONCURRENT_PAGES: '2' } });
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'wcag-ops-'));
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await stack?.stop();
  await site?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('scan-bulk.sh', () => {
  it('scans every URL of a file, prints progress and the summary, and exits 0', async () => {
    const file = join(dir, 'ok.txt');
    await writeFile(file, `# two pages\n${site.url('/clean.html')}\n\n${site.url('/violations.html')}\n`);
    const r = await run(script('scan-bulk.sh'), ['--urls', '--client', client, file, 'high', base]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/submitted bulk [0-9a-f-]{36}: 2 of 2 accepted, queue high/);
    expect(r.stdout).toMatch(/\[1\/2\] ✅ http:\/\/127\.0\.0\.1:\d+\/(clean|violations)\.html completed \(score \d+\)/);
    expect(r.stdout).toMatch(/\[2\/2\] ✅ /);
    expect(r.stdout).toContain('✅ Bulk scan completed!\n📊 Total processed: 2\n✅ Successful: 2\n❌ Failed: 0\n');
    expect(r.code).toBe(0);
  });

  it('scans prospect ids, and exits non-zero naming each failed id with its reason', async () => {
    const res = await fetch(`${base}/api/prospects`, {
      method: 'POST',
      headers: { ...adminAuth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientId: client, url: site.url('/gone') }),
    });
    const { id } = (await res.json()) as { id: string };
    const unknown = '00000000-0000-4000-8000-000000000000';
    const file = join(dir, 'prospects.txt');
    await writeFile(file, `# the seed's format\n${id}\n${unknown}\n`);
    const r = await run(script('scan-bulk.sh'), [file, 'low', base]);
    expect(r.stdout).toContain('1 of 2 accepted');
    expect(r.stdout).toContain(`❌ ${id} failed: http_error`);
    expect(r.stdout).toContain('📊 Total processed: 2\n✅ Successful: 0\n❌ Failed: 2\n');
    expect(r.stdout).toContain(`   - ${unknown}: rejected: prospect ${unknown} not found`);
    expect(r.stdout).toContain(`   - ${id}: http_error`);
    expect(r.code).toBe(1);
  });

  it('says in one line why nothing was accepted', async () => {
    const file = join(dir, 'no-client.txt');
    await writeFile(file, `# no --client with the admin key\n${site.url('/clean.html')}\n`);
    const r = await run(script('scan-bulk.sh'), ['--urls', file, 'low', base]);
    expect(r.stderr).toBe(
      `wcag: no item of ${file} was accepted (line 2: clientId: is required); with the admin key, --client <id> says whose scans they are\n`,
    );
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('reports a malformed file in one line and submits nothing', async () => {
    const file = join(dir, 'bad.txt');
    await writeFile(file, `${site.url('/clean.html')}\nnot a url\n`);
    const r = await run(script('scan-bulk.sh'), ['--urls', file, 'low', base]);
    expect(r.stderr).toBe(`wcag: ${file}:2: expected one URL per line, got "not a url"\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});

describe('health-check.sh', () => {
  it("exits with the code of the API's health status", async () => {
    const res = await fetch(`${base}/api/monitoring/health`, { headers: adminAuth });
    const { status, components } = (await res.json()) as { status: string; components: Record<string, { status: string }> };
    const r = await run(script('health-check.sh'), [base]);
    expect(r.stdout).toContain('🩺 Health Status');
    expect(r.stdout).toContain(`Status: `);
    expect(r.stdout.toLowerCase()).toContain(status);
    for (const name of Object.keys(components)) expect(r.stdout).toMatch(new RegExp(`^  \\S+ +${name} `, 'm'));
    expect(r.stdout).toMatch(/Success rate: /);
    // Every component that is not healthy gets a recommendation.
    const unhealthy = Object.entries(components)
      .filter(([, c]) => c.status !== 'healthy')
      .map(([n]) => n);
    for (const name of unhealthy) expect(r.stdout).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    expect(r.code).toBe(healthExitCode(status));
  });

  it('says in one line that the key was refused', async () => {
    const r = await run(script('health-check.sh'), [base], { key: 'not-a-real-key-0123456789abcdef' });
    expect(r.stderr).toMatch(/^wcag: the API refused the key \(401[^\n]*\n$/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('says in one line that the server cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await run(script('health-check.sh'), [closed]);
    expect(r.stderr).toBe(`wcag: cannot reach the API at ${closed} (connection refused); is it running? (npm start, or --api <url>)\n`);
    expect(r.code).toBe(2);
  });
});

describe('monitor-queue.sh', () => {
  it('refreshes the statistics until Ctrl-C, then exits 0', async () => {
    const r = await run(script('monitor-queue.sh'), [base, '0.5'], {
      until: (out) => (out.match(/\[Refreshes every 0\.5 seconds/g) ?? []).length >= 2,
    });
    expect(r.stdout).toContain('📊 Queue Statistics (finished in the last 24h)');
    expect(r.stdout).toMatch(/Completed: +\d+ jobs/);
    expect(r.stdout).toContain('🩺 Health Status');
    expect(r.stdout).toMatch(/monitor stopped\n$/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('wcag', () => {
  it('scan --wait follows one scan to its result', async () => {
    const r = await run(join(ROOT, 'scripts', 'wcag.js'), [
      'scan',
      site.url('/violations.html'),
      '--wait',
      '--client',
      client,
      '--queue',
      'high',
      '--api',
      base,
    ]);
    expect(r.stdout).toMatch(/^queued scan [0-9a-f-]{36} \(workflow scan-[0-9a-f-]{36}\)\n✅ completed: score \d+, [1-9]\d* violations/);
    expect(r.code).toBe(0);
  });

  it('keys create prints a key that the API then accepts for that client', async () => {
    const r = await run(join(ROOT, 'scripts', 'wcag.js'), ['keys', 'create', '--client', client, '--api', base]);
    expect(r.code).toBe(0);
    const key = r.stdout.trim().split('\n').at(-1)!;
    const res = await fetch(`${base}/api/scans?limit=1`, { headers: { Authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    // A client key may not read queue statistics: one line, non-zero.
    const stats = await run(join(ROOT, 'scripts', 'wcag.js'), ['stats', '--api', base], { key });
    expect(stats.stderr).toMatch(/^wcag: the key is not allowed to GET \/api\/monitoring\/queue\/stats \(403[^\n]*\n$/);
    expect(stats.code).toBe(2);
  });
});
