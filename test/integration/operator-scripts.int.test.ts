// The operator scripts (scan-bulk.sh, monitor-queue.sh, health-check.sh), the `wcag` CLI and the command-line
// conventions shared with conformance and bench (--json, --version, --help, exit statuses, plain output in a pipe),
// run as real child processes against a real stack listening on a port: API + workers + Chromium + fixture pages.
// Chromium budget: 8 light scans. Every child's stdout is a pipe (so output is the plain kind), except under `script`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lib/temporal-dev-server';
import { readFileSync } from 'node:fs';
import { USAGE as CONFORMANCE_USAGE } from '../../scripts/conformance/args';
import { healthVerdict } from '../../scripts/exit-status';
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
const WCAG = join(ROOT, 'scripts', 'wcag.js');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const EMOJI = /[\u{1F300}-\u{1FAFF}\u2600-\u27BF]/u;

/** Output to a pipe: no emoji, no carriage returns, no cursor movement. */
function expectPlain(r: Run): void {
  for (const text of [r.stdout, r.stderr]) {
    expect(text).not.toMatch(EMOJI);
    expect(text).not.toContain('\r');
    expect(text).not.toContain('\x1b[');
  }
}

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
    expect(r.stdout).toMatch(/\[1\/2\] http:\/\/127\.0\.0\.1:\d+\/(clean|violations)\.html completed \(score \d+\)/);
    expect(r.stdout).toMatch(/\[2\/2\] http/);
    expect(r.stdout).toContain('Bulk scan completed!\nTotal processed: 2\nSuccessful: 2\nFailed: 0\n');
    expectPlain(r);
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
    expect(r.stdout).toContain(`] ${id} failed: http_error`);
    expect(r.stdout).toContain('Total processed: 2\nSuccessful: 0\nFailed: 2\n');
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
    expect(r.code).toBe(1);
  });

  it('reports a malformed file in one line and submits nothing', async () => {
    const file = join(dir, 'bad.txt');
    await writeFile(file, `${site.url('/clean.html')}\nnot a url\n`);
    const r = await run(script('scan-bulk.sh'), ['--urls', file, 'low', base]);
    expect(r.stderr).toBe(`wcag: ${file}:2: expected one URL per line, got "not a url" (see wcag --help)\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});

describe('health-check.sh', () => {
  it("exits with the monitoring-plugin status of the API's health", async () => {
    const res = await fetch(`${base}/api/monitoring/health`, { headers: adminAuth });
    const { status, components } = (await res.json()) as { status: string; components: Record<string, { status: string }> };
    const r = await run(script('health-check.sh'), [base]);
    expect(r.stdout).toMatch(/^Health Status\nStatus: /);
    expect(r.stdout.toLowerCase()).toContain(status);
    for (const name of Object.keys(components)) expect(r.stdout).toMatch(new RegExp(`^  ${name} +`, 'm'));
    expect(r.stdout).toMatch(/Success rate: /);
    // Every component that is not healthy gets a recommendation.
    const unhealthy = Object.entries(components)
      .filter(([, c]) => c.status !== 'healthy')
      .map(([n]) => n);
    for (const name of unhealthy) expect(r.stdout).toMatch(new RegExp(`^  - ${name}: `, 'm'));
    expectPlain(r);
    expect(r.code).toBe(healthVerdict(status).exitStatus);
  });

  it('says in one line that the key was refused, and exits UNKNOWN (3)', async () => {
    const r = await run(script('health-check.sh'), [base], { key: 'not-a-real-key-0123456789abcdef' });
    expect(r.stderr).toMatch(/^wcag: the API refused the key \(401[^\n]*\n$/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(3);
  });

  it('says in one line that the server cannot be reached, and exits UNKNOWN (3)', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await run(script('health-check.sh'), [closed]);
    expect(r.stderr).toBe(`wcag: cannot reach the API at ${closed} (connection refused); is it running? (npm start, or --api <url>)\n`);
    expect(r.code).toBe(3);
  });

  it('exits UNKNOWN (3) on a bad command line, since 2 would read as CRITICAL', async () => {
    expect((await run(script('health-check.sh'), [base, 'extra'])).code).toBe(3);
    const r = await run(WCAG, ['health', '--bogus', '--api', base]);
    expect(r.stderr).toBe('wcag: unknown option --bogus (see wcag --help)\n');
    expect(r.code).toBe(3);
  });
});

describe('monitor-queue.sh', () => {
  it('refreshes the statistics until Ctrl-C, then exits 0', async () => {
    const r = await run(script('monitor-queue.sh'), [base, '0.5'], {
      until: (out) => (out.match(/\[Refreshes every 0\.5 seconds/g) ?? []).length >= 2,
    });
    expect(r.stdout).toMatch(/^Queue Statistics \(finished in the last 24h\)\n/);
    expect(r.stdout).toMatch(/Completed: +\d+ jobs/);
    expect(r.stdout).toContain('\nHealth Status\n');
    expect(r.stdout).toMatch(/monitor stopped\n$/);
    expect(r.stderr).toBe('');
    expectPlain(r);
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
    expect(r.stdout).toMatch(/^queued scan [0-9a-f-]{36} \(workflow scan-[0-9a-f-]{36}\)\ncompleted: score \d+, [1-9]\d* violations/);
    expectPlain(r);
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
    expect(stats.code).toBe(1);
  });
});

describe('wcag on a terminal', () => {
  // util-linux `script` gives the child a pseudo-terminal (the pty turns \n into \r\n, so only the escapes are checked).
  const onTty = (args: string[]) => run('script', ['-q', '-e', '-c', [WCAG, ...args].join(' '), join(dir, 'typescript')]);

  it('uses emoji, and redraws the bulk progress bar in place, clearing the line each time', async () => {
    const file = join(dir, 'tty.txt');
    await writeFile(file, `${site.url('/clean.html')}\n`);
    const r = await onTty(['bulk', file, '--urls', '--client', client, '--interval', '0.5', '--api', base]);
    expect(r.stdout).toMatch(/\r\x1b\[2K\[█+\] 1\/1  ✅ 1  ❌ 0/);
    expect(r.stdout).toContain('✅ Bulk scan completed!');
    expect(r.code).toBe(0);
    const health = await onTty(['health', '--api', base]);
    expect(health.stdout).toContain('🩺 Health Status');
  });
});

describe('wcag --json', () => {
  const json = async (args: string[], opts: { key?: string; until?: (stdout: string) => boolean } = {}) => {
    const r = await run(WCAG, [...args, '--json', '--api', base], opts);
    expectPlain(r);
    return r;
  };

  it('scan: the accepted scan; with --wait the finished scan, progress on stderr', async () => {
    const queued = await json(['scan', site.url('/clean.html'), '--client', client, '--queue', 'high']);
    expect(queued.code).toBe(0);
    expect(queued.stderr).toBe('');
    expect(JSON.parse(queued.stdout)).toMatchObject({ scanId: expect.any(String), workflowId: expect.stringMatching(/^scan-/) });

    const r = await json(['scan', site.url('/violations.html'), '--client', client, '--queue', 'high', '--wait']);
    expect(r.code).toBe(0);
    const scan = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(scan).toMatchObject({
      status: 'completed',
      score: expect.any(Number),
      counts: expect.objectContaining({ violations: expect.any(Number) }),
    });
    expect(r.stderr).toMatch(/^queued scan [0-9a-f-]{36} \(workflow scan-[0-9a-f-]{36}\)\ncompleted: score \d+/);
  });

  it('bulk: the outcome of the whole file', async () => {
    const file = join(dir, 'json.txt');
    await writeFile(file, `${site.url('/clean.html')}\n`);
    const r = await json(['bulk', file, '--urls', '--client', client, '--queue', 'high', '--interval', '0.5']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      bulkId: expect.any(String),
      queue: 'high',
      total: 1,
      accepted: 1,
      successful: 1,
      failed: 0,
      failures: [],
    });
    expect(report.items).toEqual([expect.objectContaining({ index: 0, status: 'completed', url: site.url('/clean.html') })]);
    expect(r.stderr).toContain('Bulk scan completed!');
  });

  it('audit: the accepted audit', async () => {
    const r = await json(['audit', site.url('/clean.html'), '--client', client, '--max-pages', '1']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ auditId: expect.any(String), workflowId: expect.stringMatching(/^audit-/) });
  });

  it('stats: the queue statistics', async () => {
    const r = await json(['stats']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ waiting: expect.any(Number), completed: expect.any(Number), window: '24h' });
  });

  it('health: verdict, exit status, recommendations and the report', async () => {
    const r = await json(['health']);
    const doc = JSON.parse(r.stdout) as {
      verdict: string;
      exitStatus: number;
      status: string;
      recommendations: unknown[];
      report: unknown;
    };
    expect(doc).toMatchObject({ verdict: expect.stringMatching(/^(OK|WARNING|CRITICAL)$/), recommendations: expect.any(Array) });
    expect(healthVerdict(doc.status)).toEqual({ verdict: doc.verdict, exitStatus: doc.exitStatus });
    expect(r.code).toBe(doc.exitStatus);
  });

  it('health: UNKNOWN (3) with the reason when the API cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await run(WCAG, ['health', '--json', '--api', closed]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      verdict: 'UNKNOWN',
      exitStatus: 3,
      status: null,
      report: null,
      error: expect.stringContaining('cannot reach'),
    });
    expect(r.code).toBe(3);
  });

  it('monitor: one JSON line per refresh until Ctrl-C', async () => {
    const r = await run(WCAG, ['monitor', '--json', '--interval', '0.5', '--api', base], {
      until: (out) => out.split('\n').filter(Boolean).length >= 2,
    });
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ asOf: expect.any(String), stats: expect.any(Object) });
    expect(r.stderr).toBe('monitor stopped\n');
    expect(r.code).toBe(0);
  });

  it('keys create: the key', async () => {
    const r = await json(['keys', 'create', '--client', client, '--name', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: expect.any(String), clientId: client, key: expect.any(String) });
  });
});

describe('--version, --help and usage errors of wcag, conformance and bench', () => {
  it('prints the version', async () => {
    for (const [cmd, args, name] of [
      [WCAG, ['--version'], 'wcag'],
      [TSX, ['scripts/conformance.ts', '--version'], 'conformance'],
      [TSX, ['scripts/bench.ts', '--version'], 'bench'],
    ] as const) {
      const r = await run(cmd, [...args]);
      expect(r.stdout).toMatch(new RegExp(`^${name} ${VERSION.replace(/\./g, '\\.')}( \\([0-9a-f]+\\))?\\n$`));
      expect(r.code).toBe(0);
    }
    const v = await run(WCAG, ['--version', '--json']);
    expect(JSON.parse(v.stdout)).toMatchObject({ name: 'wcag', version: VERSION });
  });

  it('answers a usage error with 2 and one line pointing to --help', async () => {
    for (const [cmd, args, line] of [
      [WCAG, ['stats', '--bogus'], /^wcag: unknown option --bogus \(see wcag --help\)\n$/],
      [WCAG, [], /^wcag: missing command \(see wcag --help\)\n$/],
      [TSX, ['scripts/conformance.ts'], /^conformance: missing <dir> \(see npm run conformance -- --help\)\n$/],
      [TSX, ['scripts/bench.ts', '--fast'], /^bench: unknown option --fast \(see npm run bench -- --help\)\n$/],
      [TSX, ['scripts/bench.ts', '--pages'], /^bench: --pages needs a value \(see npm run bench -- --help\)\n$/],
    ] as const) {
      const r = await run(cmd, [...args]);
      expect({ args, stderr: r.stderr, code: r.code }).toEqual({ args, stderr: expect.stringMatching(line), code: 2 });
      expect(r.stdout).toBe('');
    }
  });

  it('bench --help and conformance --help list every flag and exit 0', async () => {
    const bench = await run(TSX, ['scripts/bench.ts', '--help']);
    expect(bench.code).toBe(0);
    for (const flag of [
      '--quick',
      '--only',
      '--pages',
      '--throughput-pages',
      '--corpus',
      '--concurrency',
      '--history-sample',
      '--backlog-window',
      '--backlog-sub-windows',
      '--history',
      '--soak',
      '--transient',
      '--seed',
      '--out',
      '--log-level',
      '--version',
      '--help',
    ])
      expect(bench.stdout).toContain(flag);
    expect(bench.stdout).toMatch(/--pages N +corpus size \(default 100, --quick 30\)/);
    const conformance = await run(TSX, ['scripts/conformance.ts', '--help']);
    expect(conformance.code).toBe(0);
    // The usage text itself is checked flag by flag in scripts/conformance/args.test.ts; here, that the process prints it.
    expect(conformance.stdout).toContain(CONFORMANCE_USAGE.trim());
  });
});
