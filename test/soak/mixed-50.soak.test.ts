// Acceptance run for the scan engine, not part of `npm test` (a few minutes here; `npm run soak:mixed`):
// 50 pages mixing hostile and normal ones on one worker. Every scan ends with the status and category its page
// deserves, no Chromium process outlives the worker, and the worker's heap and Chromium's memory return to
// their baseline once the run is over. Prints its figures.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { processTree } from '../../activities/browser/process-tree';
import { startFixtureServer } from '../support/fixture-server';
import { hostileRoutes } from '../support/hostile-routes';
import { submitScan, waitForTerminal } from '../support/scan-client';
import { eventually, startStack } from '../support/stack';

// What each page must end as: [status, failure category or null].
const EXPECTED: Record<string, [string, string | null]> = {
  '/clean.html': ['completed', null],
  '/violations.html': ['completed', null],
  '/frame-violation.html': ['completed', null],
  '/never-finishes': ['failed', 'timeout'],
  '/infinite-loop': ['failed', 'timeout'],
  '/memory-hog': ['failed', 'memory'],
  '/redirect-loop': ['failed', 'navigation'],
  '/redirect-to-metadata': ['failed', 'blocked_target'],
  '/download': ['failed', 'navigation'],
  '/dialogs': ['completed', null],
  '/popup': ['completed', null],
  '/download-trigger': ['completed', null],
  '/blocked-subresource': ['completed', null],
  '/strict-csp': ['completed', null],
  '/meta-refresh': ['completed', null],
};
const HOSTILE = Object.keys(EXPECTED).filter((p) => !p.endsWith('.html'));
const NORMAL = ['/clean.html', '/violations.html', '/frame-violation.html'];
// 50 pages: every hostile page once or twice, the rest normal, interleaved so hostile and normal scans share the pool.
const RUN = Array.from({ length: 50 }, (_, i) => (i % 3 === 1 ? HOSTILE[Math.floor(i / 3) % HOSTILE.length] : NORMAL[i % NORMAL.length]));

// Pages expected to time out get a short budget; the others a generous one, so a loaded machine cannot turn a
// slow normal page into a false timeout.
const budgetFor = (path: string) => (EXPECTED[path][1] === 'timeout' ? 8_000 : 30_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** A Chromium process still running under that pid (pids are reused quickly on a busy machine). */
function alive(pid: number): boolean {
  try {
    return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

it(
  'runs 50 mixed hostile and normal pages with the right outcomes and memory back at baseline',
  async () => {
    const site = await startFixtureServer(hostileRoutes({ blockedUrl: 'http://10.0.0.1/pixel.gif' }));
    const stack = await startStack({
      env: {
        SCAN_ALLOW_PRIVATE_TARGETS: 'false',
        SCAN_ALLOWED_HOSTS: '127.0.0.1',
        PAGE_MAX_HEAP_MB: '384',
        MAX_CONCURRENT_PAGES: '3',
        PAGE_IDLE_TIMEOUT: '2000',
        LOG_LEVEL: 'silent',
      },
    });
    const pool = stack.pool!;
    const pids = new Set<number>();
    const idle = () => eventually(async () => ((await pool.openPages()) === 0 && pool.stats().pagesInUse === 0 ? true : undefined), 60_000);
    try {
      // Warm up: the first scans load axe, compile the workflow code paths and start Chromium's helper processes.
      for (const path of NORMAL)
        await waitForTerminal(
          stack.app,
          await submitScan(stack.app, { url: site.url(path), clientId: 'mixed', timeout: budgetFor(path), maxRetries: 0 }),
        );
      await idle();
      const baseline = { heapMb: heapMb(), chromium: pool.memory() };

      const started = Date.now();
      const scans = await Promise.all(
        RUN.map(async (path) => ({
          path,
          id: await submitScan(stack.app, { url: site.url(path), clientId: 'mixed', timeout: budgetFor(path), maxRetries: 0 }),
        })),
      );
      const sampler = setInterval(() => {
        const pid = pool.stats().pid;
        if (pid) for (const p of [pid, ...processTree(pid)]) pids.add(p);
      }, 500);
      const results = await Promise.all(scans.map(async (s) => ({ ...s, result: await waitForTerminal(stack.app, s.id, 300_000) })));
      clearInterval(sampler);
      const minutes = (Date.now() - started) / 60_000;

      const wrong = results
        .map(({ path, result }) => ({ path, expected: EXPECTED[path], got: [result.status, result.failureReason ?? null] }))
        .filter((r) => r.expected[0] !== r.got[0] || r.expected[1] !== r.got[1]);
      expect(wrong).toEqual([]);

      await idle();
      // Let Chromium release the closed contexts' renderers before measuring again.
      await new Promise((r) => setTimeout(r, 3_000));
      const after = { heapMb: heapMb(), chromium: pool.memory() };
      const restarts = pool.stats().restarts;
      process.stdout.write(
        `50 mixed scans (${HOSTILE.length} hostile kinds) in ${minutes.toFixed(1)} min; ` +
          `worker heap ${baseline.heapMb.toFixed(1)} -> ${after.heapMb.toFixed(1)} MB; ` +
          `Chromium PSS ${baseline.chromium.pssMb.toFixed(0)} -> ${after.chromium.pssMb.toFixed(0)} MB ` +
          `(RSS ${baseline.chromium.rssMb.toFixed(0)} -> ${after.chromium.rssMb.toFixed(0)} MB); restarts ${JSON.stringify(restarts)}\n`,
      );
      // Baseline within noise: a leak of one page's DOM or a context per scan would exceed these by far.
      expect(after.heapMb - baseline.heapMb).toBeLessThan(30);
      expect(after.chromium.pssMb - baseline.chromium.pssMb).toBeLessThan(100);
    } finally {
      await stack.stop();
      await site.close();
    }
    // No Chromium process outlives the worker (its last helpers take a moment to exit after the browser).
    await eventually(async () => ([...pids].some(alive) ? undefined : true), 15_000).catch(() => undefined);
    expect([...pids].filter(alive)).toEqual([]);
  },
  20 * 60_000,
);
