// runCommand against a fake API: where each kind of output goes (stdout, stderr), with and without --json and a TTY.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from './args';
import { runCommand, type Io } from './commands';
import { CliError, type Api } from './http';

function fakeIo(tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    write: (t) => void out.push(t),
    error: (t) => void err.push(t),
    tty,
    errTty: tty,
    sleep: () => Promise.resolve(),
    interrupted: () => Promise.resolve(),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

function fakeApi(routes: Record<string, unknown | (() => unknown)>): Api {
  const answer = (path: string) => {
    const key = Object.keys(routes).find((k) => path.startsWith(k));
    if (!key) throw new Error(`no route for ${path}`);
    const r = routes[key];
    const body = typeof r === 'function' ? (r as () => unknown)() : r;
    return Promise.resolve({ status: 200, body: body as never });
  };
  return { baseUrl: 'http://api.test', get: (p) => answer(`GET ${p}`), post: (p) => answer(`POST ${p}`) };
}

const STATS = { waiting: 1, active: 0, finishing: 0, completed: 5, failed: 0, delayed: 0, cancelled: 0, window: '24h', asOf: 'now' };
const HEALTHY = { status: 'healthy', components: { database: { status: 'healthy' } } };
const NO_EMOJI = /[\u{1F300}-\u{1FAFF}\u2600-\u27BF]/u;

describe('runCommand --json', () => {
  it('stats: one JSON document on stdout, nothing else', async () => {
    const { io, stdout, stderr } = fakeIo();
    const code = await runCommand({ kind: 'stats' }, fakeApi({ 'GET /api/monitoring/queue/stats': STATS }), io, { json: true });
    expect(code).toBe(0);
    expect(JSON.parse(stdout())).toEqual(STATS);
    expect(stderr()).toBe('');
  });

  it('scan --wait: the final scan on stdout, the queued line on stderr, exit 1 when it failed', async () => {
    const { io, stdout, stderr } = fakeIo();
    const api = fakeApi({
      'POST /api/scans': { scanId: 's1', workflowId: 'scan-s1' },
      'GET /api/scans/s1': { scanId: 's1', status: 'failed', failureReason: 'timeout', score: null },
    });
    const cmd: Command = { kind: 'scan', url: 'https://e.test/', wait: true, queue: 'low' };
    expect(await runCommand(cmd, api, io, { json: true })).toBe(1);
    expect(JSON.parse(stdout())).toMatchObject({ scanId: 's1', status: 'failed', failureReason: 'timeout' });
    expect(stderr()).toBe('queued scan s1 (workflow scan-s1)\nfailed: timeout\n');
  });

  it('health: the verdict, exit status, recommendations and report', async () => {
    const { io, stdout } = fakeIo();
    const report = { status: 'warning', components: { workers: { status: 'warning', message: 'one left' } } };
    const code = await runCommand({ kind: 'health' }, fakeApi({ 'GET /api/monitoring/health': report }), io, { json: true });
    expect(code).toBe(1);
    const doc = JSON.parse(stdout()) as Record<string, unknown>;
    expect(doc).toMatchObject({ verdict: 'WARNING', exitStatus: 1, status: 'warning', report });
    expect(doc.recommendations).toEqual([expect.stringMatching(/^workers: /)]);
  });

  it('health: UNKNOWN (3) with the reason when the API cannot be asked', async () => {
    const { io, stdout, stderr } = fakeIo();
    const api: Api = {
      baseUrl: 'x',
      get: () => Promise.reject(new CliError('cannot reach the API')),
      post: () => Promise.reject(new Error()),
    };
    expect(await runCommand({ kind: 'health' }, api, io, { json: true })).toBe(3);
    expect(JSON.parse(stdout())).toEqual({
      verdict: 'UNKNOWN',
      exitStatus: 3,
      status: null,
      recommendations: [],
      report: null,
      error: 'cannot reach the API',
    });
    expect(stderr()).toBe('wcag: cannot reach the API\n');
  });

  it('health: UNKNOWN for a status the CLI does not know', async () => {
    const { io } = fakeIo();
    expect(await runCommand({ kind: 'health' }, fakeApi({ 'GET /api/monitoring/health': { status: 'degraded' } }), io)).toBe(3);
  });

  it('monitor: one JSON line per refresh', async () => {
    const api = fakeApi({ 'GET /api/monitoring/queue/stats': STATS, 'GET /api/monitoring/health': HEALTHY });
    // Ctrl-C arrives during the first wait: exactly one refresh.
    const once = fakeIo();
    let resolveStop: () => void = () => undefined;
    const stop = new Promise<void>((r) => (resolveStop = r));
    const sleep = () => {
      resolveStop();
      return Promise.resolve();
    };
    await runCommand({ kind: 'monitor', intervalMs: 1 }, api, { ...once.io, sleep, interrupted: () => stop }, { json: true });
    const lines = once.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ stats: STATS, health: HEALTHY, asOf: expect.any(String) });
    expect(once.stderr()).toBe('monitor stopped\n');
  });

  it('bulk: the report on stdout, plain progress lines on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wcag-cmd-'));
    const file = join(dir, 'urls.txt');
    await writeFile(file, 'https://a.test/\nhttps://b.test/\n');
    const items = [
      { index: 0, scanId: 's0', url: 'https://a.test/', status: 'completed', score: 90 },
      { index: 1, scanId: 's1', url: 'https://b.test/', status: 'failed', score: null, failureReason: 'http_error' },
    ];
    const api = fakeApi({
      'POST /api/scans/bulk': { bulkId: 'b1', accepted: 2, rejected: [] },
      'GET /api/scans/bulk/b1': { bulkId: 'b1', total: 2, running: 0, done: true, status: 'completed', items },
    });
    const { io, stdout, stderr } = fakeIo();
    const cmd: Command = { kind: 'bulk', file, urls: true, queue: 'low', clientId: 'c', intervalMs: 1 };
    expect(await runCommand(cmd, api, io, { json: true })).toBe(1);
    expect(JSON.parse(stdout())).toEqual({
      bulkId: 'b1',
      queue: 'low',
      total: 2,
      accepted: 2,
      successful: 1,
      failed: 1,
      failures: [{ item: 'https://b.test/', line: 2, reason: 'http_error' }],
      items,
    });
    expect(stderr()).toContain('[2/2] https://b.test/ failed: http_error\n');
    expect(stderr()).not.toMatch(NO_EMOJI);
    expect(stderr()).not.toContain('\r');
  });
});

describe('runCommand on a terminal and in a pipe', () => {
  const audit = (status: string) => ({
    auditId: 'a1',
    status,
    options: { maxPages: 10 },
    progress: { discovered: 3, queued: 0, scanning: 0, scanned: status === 'running' ? 1 : 3, failed: 0, skipped: 0 },
    report: status === 'completed' ? { score: 90, issues: [] } : null,
  });

  function auditApi() {
    const answers = [audit('running'), audit('completed')];
    return fakeApi({
      'POST /api/audits': { auditId: 'a1', workflowId: 'audit-a1', status: 'queued' },
      'GET /api/audits/a1': () => answers.shift(),
    });
  }
  const cmd: Command = { kind: 'audit', url: 'https://e.test/', include: [], exclude: [], wait: true };

  it('redraws the audit progress in place on a terminal, clearing the line', async () => {
    const { io, stdout } = fakeIo(true);
    expect(await runCommand(cmd, auditApi(), io)).toBe(0);
    expect(stdout()).toContain('\r\x1b[2Kscanned 1/10 · failed 0 · skipped 0 · discovered 3 (running)\r\x1b[2Kscanned 3/10');
    expect(stdout()).toContain('✅ audit a1 completed');
  });

  it('writes plain lines without emoji or carriage returns in a pipe', async () => {
    const { io, stdout } = fakeIo(false);
    expect(await runCommand(cmd, auditApi(), io)).toBe(0);
    expect(stdout()).not.toContain('\r');
    expect(stdout()).not.toMatch(NO_EMOJI);
    expect(stdout()).toContain('scanned 1/10 · failed 0 · skipped 0 · discovered 3 (running)\nscanned 3/10');
  });

  it('prints health without emoji in a pipe', async () => {
    const { io, stdout } = fakeIo(false);
    expect(await runCommand({ kind: 'health' }, fakeApi({ 'GET /api/monitoring/health': HEALTHY }), io)).toBe(0);
    expect(stdout()).toBe('Health Status\nStatus: Healthy\n  database   healthy\n');
  });
});
