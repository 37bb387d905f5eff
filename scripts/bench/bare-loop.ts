// The bare loop: the same Chromium (flags and launch options), the same number of pages and the same axe
// configuration as the platform, with no API, Temporal or database. Two variants:
// - `same-scan`: what one scanPage attempt of one client does to the browser (the pool's warm per-client context
//   with its egress proxy, reset between pages, the same page preparation, `load` + settle, runAxe) — the ratio
//   platform/this is the cost of durability and orchestration (and the screenshot and result writes), nothing else;
// - `reuse`: C long-lived pages reused for every URL, no proxy, no reset: the practical limit of this machine
//   (PERF-NOTES), which shows what isolation still costs.
import puppeteer, { type Page } from 'puppeteer-core';
import pino from 'pino';
import { buildLaunchOptions } from '../../activities/browser/launch-options';
import { runAxe } from '../../activities/browser/run-axe';
import { startEgressProxy } from '../../activities/browser/egress-proxy';
import { preparePage, SETTLE, type ScanPageConfig } from '../../activities/scan-page.activity';
import { parseViewport, type Env } from '../../lib/env';
import { urlPolicyFrom } from '../../targets/url-policy';
import { createBrowserPool } from '../../workers/create-workers';
import { mapBounded } from '../conformance/bounded';
import { startCpuMeter, type CpuSeconds } from './cpu';

export type BareMode = 'same-scan' | 'reuse';

export interface BarePageTiming {
  url: string;
  /** The lease (same-scan: a warm page, or a new context with its egress proxy) and its preparation; 0 for reuse. */
  setupMs: number;
  /** Parts of setup (same-scan): the lease, preparing the page. */
  leaseMs?: number;
  prepareMs?: number;
  navigateMs: number;
  settleMs: number;
  axeMs: number;
  totalMs: number;
  violations: string[];
  error?: string;
}

export interface BareRun {
  mode: BareMode;
  concurrency: number;
  pages: number;
  wallMs: number;
  timings: BarePageTiming[];
  /** CPU over the timed part: Chromium's tree and this process (the loop's client side and the corpus server). */
  cpu: CpuSeconds;
}

function scanConfig(env: Env): ScanPageConfig {
  return {
    maxScanTimeMs: env.MAX_SCAN_TIME,
    userAgent: env.SCAN_USER_AGENT,
    acceptLanguage: env.SCAN_ACCEPT_LANGUAGE,
    pageMaxHeapMb: env.PAGE_MAX_HEAP_MB,
    maxRedirects: 10,
  };
}

async function measure(
  page: Page,
  url: string,
  tags: string[],
  navTimeoutMs: number,
): Promise<Omit<BarePageTiming, 'setupMs' | 'totalMs' | 'url'>> {
  let t = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: navTimeoutMs });
  const navigateMs = Date.now() - t;
  t = Date.now();
  await page.waitForNetworkIdle(SETTLE).catch(() => undefined);
  const settleMs = Date.now() - t;
  t = Date.now();
  const { results } = await runAxe(page, tags);
  return { navigateMs, settleMs, axeMs: Date.now() - t, violations: results.violations.map((v) => v.id) };
}

/** Scans every URL once with `env.MAX_CONCURRENT_PAGES` pages in flight. */
export async function runBareLoop(env: Env, urls: readonly string[], mode: BareMode): Promise<BareRun> {
  const concurrency = env.MAX_CONCURRENT_PAGES;
  const tags = env.SCAN_WCAG_TAGS.split(',');
  const navTimeoutMs = Math.floor(env.SCAN_DEFAULT_TIMEOUT * 0.6);
  const cfg = scanConfig(env);
  let started = Date.now();
  if (mode === 'same-scan') {
    const pool = createBrowserPool(env, pino({ level: 'silent' }));
    const policy = urlPolicyFrom(env);
    try {
      // Launch Chromium before the clock starts, as the platform's warm-up scan does.
      await (await pool.acquire()).release();
      const meter = startCpuMeter(() => pool.stats().pid);
      started = Date.now();
      const timings = await mapBounded(urls, concurrency, async (url) => {
        const t0 = Date.now();
        // The platform's browser work exactly: one client's warm context (its proxy started with it, its state
        // reset between pages), prepared on first use.
        const lease = await pool.acquire(undefined, {
          reuseKey: 'bench',
          ...(!policy.allowPrivateTargets && { startEgress: () => startEgressProxy({ policy }) }),
        });
        const leased = Date.now();
        let reusable = false;
        try {
          if (!lease.warm) await preparePage(lease.page, cfg);
          const setupMs = Date.now() - t0;
          const parts = { leaseMs: leased - t0, prepareMs: Date.now() - leased };
          const m = await measure(lease.page, url, tags, navTimeoutMs);
          reusable = true;
          return { url, setupMs, ...parts, ...m, totalMs: Date.now() - t0 };
        } catch (err) {
          return {
            url,
            setupMs: 0,
            navigateMs: 0,
            settleMs: 0,
            axeMs: 0,
            totalMs: Date.now() - t0,
            violations: [],
            error: (err as Error).message,
          };
        } finally {
          await lease.release({ reusable });
        }
      });
      return { mode, concurrency, pages: urls.length, wallMs: Date.now() - started, timings, cpu: meter.stop() };
    } finally {
      await pool.close();
    }
  }
  const launch = buildLaunchOptions({
    chromePath: env.CHROME_PATH,
    launchTimeoutMs: env.BROWSER_LAUNCH_TIMEOUT,
    viewport: parseViewport(env.SCAN_VIEWPORT),
    protocolTimeoutMs: env.MAX_SCAN_TIME + 10_000,
  });
  const browser = await puppeteer.launch(launch);
  try {
    const context = await browser.createBrowserContext({ downloadBehavior: { policy: 'deny' } });
    const pages = await Promise.all(Array.from({ length: concurrency }, () => context.newPage()));
    await Promise.all(pages.map((p) => preparePage(p, cfg)));
    const free = [...pages];
    const meter = startCpuMeter(() => browser.process()?.pid);
    started = Date.now();
    const timings = await mapBounded(urls, concurrency, async (url) => {
      const page = free.pop()!;
      const t0 = Date.now();
      try {
        const m = await measure(page, url, tags, navTimeoutMs);
        return { url, setupMs: 0, ...m, totalMs: Date.now() - t0 };
      } catch (err) {
        return {
          url,
          setupMs: 0,
          navigateMs: 0,
          settleMs: 0,
          axeMs: 0,
          totalMs: Date.now() - t0,
          violations: [],
          error: (err as Error).message,
        };
      } finally {
        free.push(page);
      }
    });
    return { mode, concurrency, pages: urls.length, wallMs: Date.now() - started, timings, cpu: meter.stop() };
  } finally {
    await browser.close().catch(() => undefined);
    const { rmSync } = await import('node:fs');
    rmSync(launch.userDataDir, { recursive: true, force: true });
  }
}
