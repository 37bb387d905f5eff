// Every hostile page ends with the right status and category within its limit, and the next scan on the same
// worker still succeeds. Runs with the address rule ON (only the fixture host allowed), like production.
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { processTree } from '../../activities/browser/process-tree';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { hostileRoutes } from '../support/hostile-routes';
import { adminAuth } from '../support/scan-client';
import { eventually, startStack, type Stack } from '../support/stack';

const BUDGET_MS = 8_000;
// Closing a page, recording the outcome and polling add a few seconds to the budget, never more.
const SLACK_MS = 12_000;

type ScanResult = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('hostile pages', () => {
  let stack: Stack;
  let site: FixtureServer;

  beforeAll(async () => {
    site = await startFixtureServer(hostileRoutes({ blockedUrl: 'http://10.0.0.1/pixel.gif' }));
    stack = await startStack({
      env: {
        SCAN_ALLOW_PRIVATE_TARGETS: 'false',
        SCAN_ALLOWED_HOSTS: '127.0.0.1',
        PAGE_MAX_HEAP_MB: '384',
        MAX_CONCURRENT_PAGES: '3',
      },
    });
  });
  afterAll(async () => {
    const pid = stack?.pool?.stats().pid;
    await stack?.stop();
    await site?.close();
    // No Chromium process outlives the worker.
    if (pid) expect(processTree(pid).filter((p) => readProc(p))).toEqual([]);
  });

  function readProc(pid: number): boolean {
    try {
      readFileSync(`/proc/${pid}/stat`);
      return true;
    } catch {
      return false;
    }
  }

  async function scan(path: string, extra: Record<string, unknown> = {}): Promise<ScanResult> {
    const submitted = Date.now();
    const res = await request(stack.app)
      .post('/api/scans')
      .set(adminAuth)
      .send({ url: site.url(path), clientId: 'hostile', timeout: BUDGET_MS, maxRetries: 0, ...extra })
      .expect(202);
    const result = await eventually(async () => {
      const r = await request(stack.app).get(`/api/scans/${res.body.scanId}`).set(adminAuth);
      return ['completed', 'failed', 'cancelled'].includes(r.body.status) ? (r.body as ScanResult) : undefined;
    }, 120_000);
    return { ...result, wallMs: Date.now() - submitted };
  }

  async function expectNextScanSucceeds(): Promise<void> {
    const next = await scan('/clean.html');
    expect(next).toMatchObject({ status: 'completed', score: 100 });
    expect(stack.pool!.stats().pagesInUse).toBe(0);
  }

  it.each([
    ['a response that never finishes', '/never-finishes', 'timeout'],
    ['an infinite JS loop after load', '/infinite-loop', 'timeout'],
    ['a memory hog', '/memory-hog', 'memory'],
    ['a redirect loop', '/redirect-loop', 'navigation'],
    ['a redirect to the metadata address', '/redirect-to-metadata', 'blocked_target'],
    ['a URL that is a download', '/download', 'navigation'],
  ])('fails %s (%s) as %s within its limit', async (_name, path, category) => {
    const result = await scan(path);
    expect(result).toMatchObject({ status: 'failed', failureReason: category });
    expect(result.failedAttempts).toEqual([expect.objectContaining({ attempt: 1, category })]);
    expect(result.wallMs).toBeLessThan(BUDGET_MS + SLACK_MS);
    await expectNextScanSucceeds();
  });

  it('does not retry a blocked target even when retries are allowed', async () => {
    const result = await scan('/redirect-to-metadata', { maxRetries: 3 });
    expect(result).toMatchObject({ status: 'failed', failureReason: 'blocked_target', attempts: 1 });
  });

  it.each([
    ['dismisses alert, confirm and prompt', '/dialogs'],
    ['closes popups', '/popup'],
    ['refuses a download the page triggers', '/download-trigger'],
  ])('%s and completes', async (_name, path) => {
    const result = await scan(path);
    expect(result).toMatchObject({ status: 'completed', inconclusive: false });
    expect(result.wallMs).toBeLessThan(BUDGET_MS + SLACK_MS);
    expect(await stack.pool!.openPages()).toBe(0);
    await expectNextScanSucceeds();
  });

  it.each([
    ['a meta refresh', '/meta-refresh'],
    ['a script redirect during the scan', '/script-redirect'],
  ])('follows %s and scans the final document', async (_name, path) => {
    const result = await scan(path);
    expect(result).toMatchObject({ status: 'completed', failedAttempts: [] });
    await expectNextScanSucceeds();
  });

  it('aborts and counts subresource requests to blocked addresses, and still scans the page', async () => {
    const result = await scan('/blocked-subresource');
    expect(result.status).toBe('completed');
    const blocked = result.result.blockedRequests as Array<{ url: string }>;
    expect(blocked.map((b) => new URL(b.url).hostname).sort()).toEqual(['10.0.0.1', '169.254.169.254']);
    await expectNextScanSucceeds();
  });

  it('scans a 20,000-element DOM', async () => {
    const result = await scan('/huge-dom', { timeout: 60_000 });
    expect(result).toMatchObject({ status: 'completed', failedAttempts: [] });
    await expectNextScanSucceeds();
  });

  it('tests every level of 30 nested iframes', async () => {
    const result = await scan('/nested-frames', { timeout: 60_000 });
    expect(result.status).toBe('completed');
    const imageAlt = result.violations.find((v: { ruleId: string }) => v.ruleId === 'image-alt');
    // The offending image sits in the 30th nested frame: its target is 30 frame selectors plus its own.
    expect(imageAlt.targets[0]).toHaveLength(31);
    await expectNextScanSucceeds();
  });

  it('scans a page with a strict Content-Security-Policy', async () => {
    const result = await scan('/strict-csp');
    expect(result.status).toBe('completed');
    expect(result.violations.map((v: { ruleId: string }) => v.ruleId)).toEqual(['image-alt']);
  });

  it('fails a scan whose renderer crashes as crash, and the browser keeps serving', async () => {
    const pending = scan('/slow');
    const browserPid = await eventually(async () =>
      stack.pool!.stats().pagesInUse > 0 ? (stack.pool!.stats().pid ?? undefined) : undefined,
    );
    await new Promise((r) => setTimeout(r, 800));
    const renderers = processTree(browserPid).filter((pid) => {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmd.includes('--type=renderer') && !cmd.includes('--extension-process');
      } catch {
        return false;
      }
    });
    expect(renderers.length).toBeGreaterThan(0);
    for (const pid of renderers) process.kill(pid, 'SIGKILL');
    const result = await pending;
    expect(result).toMatchObject({ status: 'failed', failureReason: 'crash' });
    expect(stack.pool!.stats().pid).toBe(browserPid);
    await expectNextScanSucceeds();
  });
});
