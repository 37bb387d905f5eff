import { rmSync } from 'node:fs';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { TimeoutError, withTimeout } from '../../lib/async';
import type { Logger } from '../../lib/logger';
import { buildLaunchOptions, type LaunchConfig } from './launch-options';
import type { BrowserPoolStats, RestartCause, TreeMemory } from '../../core/browser-stats';
import { isAlive, killTree, treeMemory } from './process-tree';
import type { EgressProxy } from './egress-proxy';
import { resetPageState, webOrigin } from './page-state-reset';

export type { RestartCause, BrowserPoolStats } from '../../core/browser-stats';

export interface BrowserPoolConfig extends LaunchConfig {
  maxPages: number;
  maxMemoryMb: number;
  healthCheckIntervalMs: number;
  /** Close the browser after this long with no lease; it is relaunched on demand. */
  idleTimeoutMs: number;
  /** How long close() of a page or browser may take before the process tree is SIGKILLed. */
  closeTimeoutMs?: number;
  /** How long a memory restart waits for in-flight scans before cutting them off. */
  drainGraceMs?: number;
}

export interface AcquireOptions {
  /** A one-shot context whose connections all go through this proxy (loopback included). */
  proxyServer?: string;
  /**
   * Warm reuse: the context and page may serve the next scan with the same key, and never one with another key
   * (the key names the client, so no cookie, storage, cache entry or renderer is ever shared between clients).
   */
  reuseKey?: string;
  /** With `reuseKey`: starts the egress proxy a new warm context is bound to for its whole life. */
  startEgress?: () => Promise<EgressProxy>;
}

export interface PageLease {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly browserGeneration: number;
  /** The warm context's egress proxy (its events cleared for this lease); null for one-shot leases. */
  readonly egress: EgressProxy | null;
  /** The page served an earlier scan of the same key (it is prepared already: handlers, headers). */
  readonly warm: boolean;
  /**
   * Ends the lease. `reusable` (only after a scan that ended normally, with a responsive page) keeps a warm
   * context for the next scan of the same key, after its state is reset; otherwise the context is closed (and
   * with it every page and popup), escalating to a kill when close hangs.
   */
  release(opts?: { reusable?: boolean }): Promise<void>;
}

/** A context kept between scans of one key. */
interface WarmSlot {
  key: string;
  context: BrowserContext;
  page: Page;
  egress: EgressProxy | null;
  generation: number;
  uses: number;
  /** Origins the page's frames have had since the last reset: their storage is cleared by the next one. */
  origins: Set<string>;
  /** The reset after the last lease; resolves false when it failed (the slot is then closed, not reused). */
  resetting: Promise<boolean>;
  /** The reset has finished (successfully or not): leasing it now costs no wait. */
  ready: boolean;
}

/** A warm context is replaced after this many scans, so nothing can accumulate in it without bound. */
const MAX_WARM_USES = 50;
/** Warm contexts kept beyond maxPages: one renderer's memory (~50-100 MB) buys never waiting for a reset. */
const SPARE_CONTEXTS = 1;

/**
 * A real CDP round trip to the browser process. `browser.version()` will not do: puppeteer 25 answers it from a
 * value cached at connect, so a frozen (SIGSTOPped, wedged) browser looked healthy forever.
 */
async function cdpRoundTrip(browser: Browser): Promise<void> {
  const session = await browser.target().createCDPSession();
  try {
    await session.send('Browser.getVersion');
  } finally {
    await session.detach().catch(() => undefined);
  }
}

const bounded = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => withTimeout(p, ms, `${what} did not finish within ${ms} ms`);

/**
 * One Chromium per worker process, at most `maxPages` leases at once; restarts on crash, unresponsiveness and
 * memory. A lease is either a fresh one-shot context, or (with `reuseKey`) a warm context kept for its key
 * only: between two scans of one key its state is reset (page-state-reset.ts), and an idle warm context is
 * closed, never handed over, when another key needs the room.
 */
export class BrowserPool {
  private browser: Browser | null = null;
  private launching: Promise<Browser> | null = null;
  private userDataDir: string | null = null;
  private generation = 0;
  private inUse = 0;
  private readonly waiters: Array<() => void> = [];
  /** Warm contexts not leased right now, least recently used first (at most maxPages + SPARE_CONTEXTS). */
  private idle: WarmSlot[] = [];
  private warmLeases = 0;
  private leasesGranted = 0;
  private lastUsedAt = Date.now();
  private draining = false;
  private closed = false;
  private healthTimer: NodeJS.Timeout | null = null;
  private lastHealth: BrowserPoolStats['lastHealthCheck'] = null;
  private lastMemory: TreeMemory = { pssMb: 0, rssMb: 0 };
  private launches = 0;
  private readonly restarts: Record<RestartCause, number> = { crash: 0, unresponsive: 0, memory: 0, killed: 0, manual: 0 };
  private readonly closeTimeoutMs: number;
  private readonly drainGraceMs: number;

  constructor(
    private readonly cfg: BrowserPoolConfig,
    private readonly logger: Logger,
  ) {
    this.closeTimeoutMs = cfg.closeTimeoutMs ?? 5_000;
    this.drainGraceMs = cfg.drainGraceMs ?? 30_000;
    this.healthTimer = setInterval(() => void this.healthCheck(), cfg.healthCheckIntervalMs);
    this.healthTimer.unref();
  }

  /**
   * Waits for a free slot, then hands out a warm page of the same key or opens a fresh context and page. With
   * `proxyServer` every connection of the context goes through it, loopback included (Chromium would otherwise
   * bypass a proxy for loopback).
   */
  async acquire(signal?: AbortSignal, opts: AcquireOptions = {}): Promise<PageLease> {
    await this.takeSlot(signal);
    try {
      const browser = await this.ensureBrowser();
      if (opts.reuseKey !== undefined) return await this.leaseWarm(browser, opts.reuseKey, opts.startEgress);
      const generation = this.generation;
      const context = await this.newContext(browser, opts.proxyServer);
      const page = await bounded(context.newPage(), this.closeTimeoutMs * 2, 'opening a page');
      this.leasesGranted++;
      let released = false;
      return {
        page,
        context,
        browserGeneration: generation,
        egress: null,
        warm: false,
        release: async () => {
          if (released) return;
          released = true;
          try {
            await this.closeContext(context, generation);
          } finally {
            this.giveSlot();
          }
        },
      };
    } catch (err) {
      this.giveSlot();
      // A browser that cannot open a context or page in time is wedged: do not hand it the next scan too.
      if (err instanceof TimeoutError) {
        this.restarts.unresponsive++;
        this.killBrowser('unresponsive');
      }
      throw err;
    }
  }

  private newContext(browser: Browser, proxyServer: string | undefined): Promise<BrowserContext> {
    return bounded(
      browser.createBrowserContext({
        downloadBehavior: { policy: 'deny' },
        ...(proxyServer && { proxyServer, proxyBypassList: ['<-loopback>'] }),
      }),
      this.closeTimeoutMs * 2,
      'creating a browser context',
    );
  }

  /**
   * The caller holds a slot. An idle warm context of this key whose reset is done; else a new one while there is
   * room for one spare context (so one client's steady stream never waits for a reset: the spare is ready while
   * the page just released is being reset); else this key's context that is still resetting; else a new one in
   * place of the least recently used idle context of another key.
   */
  private async leaseWarm(browser: Browser, key: string, startEgress: AcquireOptions['startEgress']): Promise<PageLease> {
    let slot: WarmSlot | null = null;
    while (!slot) {
      const mine = this.idle.filter((s) => s.key === key);
      const room = this.idle.length + this.inUse <= this.cfg.maxPages + SPARE_CONTEXTS;
      const candidate = mine.find((s) => s.ready) ?? (room ? undefined : mine[0]);
      if (!candidate) break;
      this.idle.splice(this.idle.indexOf(candidate), 1);
      if (candidate.generation === this.generation && (await candidate.resetting) && !candidate.page.isClosed()) slot = candidate;
      else this.discardSlot(candidate);
    }
    const warm = slot !== null;
    if (!slot) {
      // Room for the new context: the least recently used idle one (of any key) is closed, never reused.
      while (this.idle.length > 0 && this.idle.length + this.inUse > this.cfg.maxPages + SPARE_CONTEXTS)
        this.discardSlot(this.idle.shift()!);
      slot = await this.openWarmSlot(browser, key, startEgress);
    }
    slot.uses++;
    slot.egress?.resetEvents();
    this.leasesGranted++;
    if (warm) this.warmLeases++;
    const leased = slot;
    let released = false;
    return {
      page: leased.page,
      context: leased.context,
      browserGeneration: leased.generation,
      egress: leased.egress,
      warm,
      release: async ({ reusable = false } = {}) => {
        if (released) return;
        released = true;
        try {
          if (reusable && this.canKeep(leased)) this.keepWarm(leased);
          else await this.closeSlot(leased);
        } finally {
          this.giveSlot();
        }
      },
    };
  }

  private async openWarmSlot(browser: Browser, key: string, startEgress: AcquireOptions['startEgress']): Promise<WarmSlot> {
    const generation = this.generation;
    const egress = startEgress ? await startEgress() : null;
    try {
      const context = await this.newContext(browser, egress?.url);
      const page = await bounded(context.newPage(), this.closeTimeoutMs * 2, 'opening a page').catch(async (err: unknown) => {
        await this.closeContext(context, generation);
        throw err;
      });
      const slot: WarmSlot = {
        key,
        context,
        page,
        egress,
        generation,
        uses: 0,
        origins: new Set(),
        resetting: Promise.resolve(true),
        ready: true,
      };
      page.on('framenavigated', (frame) => {
        const origin = webOrigin(frame.url());
        if (origin) slot.origins.add(origin);
      });
      return slot;
    } catch (err) {
      await egress?.close();
      throw err;
    }
  }

  private canKeep(slot: WarmSlot): boolean {
    return (
      !this.closed &&
      !this.draining &&
      slot.generation === this.generation &&
      this.browser?.connected === true &&
      slot.uses < MAX_WARM_USES &&
      !slot.page.isClosed()
    );
  }

  /** Back to the idle list at once; its reset runs meanwhile and the next lease of its key waits for it. */
  private keepWarm(slot: WarmSlot): void {
    const origins = new Set(slot.origins);
    slot.origins.clear();
    slot.ready = false;
    slot.resetting = bounded(resetPageState(slot.page, origins), this.closeTimeoutMs, 'resetting a warm page')
      .then(
        () => true,
        (err: unknown) => {
          this.logger.warn({ err: (err as Error).message }, 'warm page reset failed; closing its context');
          return false;
        },
      )
      .finally(() => {
        slot.ready = true;
      });
    this.idle.push(slot);
    while (this.idle.length > this.cfg.maxPages + SPARE_CONTEXTS) this.discardSlot(this.idle.shift()!);
  }

  /** Closes a slot in the background (its context's close is bounded and escalates to a kill). */
  private discardSlot(slot: WarmSlot): void {
    void this.closeSlot(slot);
  }

  private async closeSlot(slot: WarmSlot): Promise<void> {
    try {
      await this.closeContext(slot.context, slot.generation);
    } finally {
      await slot.egress?.close();
    }
  }

  /** Forgets every idle warm context (its browser is going away) and closes their egress proxies. */
  private dropIdle(): void {
    for (const slot of this.idle.splice(0)) void slot.egress?.close();
  }

  stats(): BrowserPoolStats {
    return {
      connected: this.browser?.connected ?? false,
      pid: this.browser?.process()?.pid ?? null,
      pagesInUse: this.inUse,
      maxPages: this.cfg.maxPages,
      waiting: this.waiters.length,
      leasesGranted: this.leasesGranted,
      restarts: { ...this.restarts },
      chromium: { ...this.lastMemory },
      launches: this.launches,
      lastHealthCheck: this.lastHealth,
      draining: this.draining,
      warmPages: this.idle.length,
      warmResetting: this.idle.filter((s) => !s.ready).length,
      warmLeases: this.warmLeases,
    };
  }

  /** Page targets actually open in Chromium right now (all contexts), to check the pool against reality. */
  /** Browser contexts open in Chromium right now (leased and warm), the default one excluded. */
  browserContextCount(): number {
    const browser = this.browser;
    if (!browser?.connected) return 0;
    return browser.browserContexts().filter((c) => c !== browser.defaultBrowserContext()).length;
  }

  async openPages(): Promise<number> {
    const browser = this.browser;
    if (!browser?.connected) return 0;
    // The default context only holds the about:blank tab Chromium starts with; scans never use it. An idle warm
    // context's own page is kept on purpose (anything else in it is closed by its reset).
    const kept = new Set(this.idle.map((s) => s.page));
    const counts = await Promise.all(
      browser
        .browserContexts()
        .filter((c) => c !== browser.defaultBrowserContext())
        .map((c) => c.pages()),
    );
    return counts.reduce((n, pages) => n + pages.filter((p) => !kept.has(p)).length, 0);
  }

  /** The Chromium tree's memory, measured now. */
  memory(): TreeMemory {
    const pid = this.browser?.process()?.pid;
    this.lastMemory = pid ? treeMemory(pid) : { pssMb: 0, rssMb: 0 };
    return this.lastMemory;
  }

  /**
   * Stop leasing, let in-flight scans finish within the grace period, then relaunch lazily. Scans still running
   * when the grace ends are cut off and fail as `crash`, which the retry policy retries.
   */
  async restart(cause: RestartCause, graceMs = this.drainGraceMs): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.logger.warn({ cause, pagesInUse: this.inUse }, 'restarting browser');
    try {
      const until = Date.now() + graceMs;
      while (this.inUse > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      this.restarts[cause]++;
      await this.shutdownBrowser();
    } finally {
      this.draining = false;
      this.wakeWaiters();
    }
  }

  /** One health round: CDP round trip with a deadline, memory of the whole tree, idle close. */
  async healthCheck(): Promise<void> {
    const browser = this.browser;
    if (!browser || this.draining || this.closed) return;
    const at = new Date().toISOString();
    if (!browser.connected) return; // the disconnected handler does the rest
    try {
      await bounded(cdpRoundTrip(browser), this.closeTimeoutMs, 'browser health round trip');
    } catch {
      this.lastHealth = { at, ok: false, message: 'browser did not answer a CDP round trip' };
      this.restarts.unresponsive++;
      this.killBrowser('unresponsive');
      return;
    }
    const { pssMb } = this.memory();
    if (pssMb > this.cfg.maxMemoryMb) {
      this.lastHealth = { at, ok: false, message: `Chromium tree uses ${pssMb} MB PSS (limit ${this.cfg.maxMemoryMb} MB)` };
      await this.restart('memory');
      return;
    }
    this.lastHealth = { at, ok: true, message: `responsive, ${pssMb} MB PSS` };
    if (this.inUse === 0 && Date.now() - this.lastUsedAt > this.cfg.idleTimeoutMs) {
      this.logger.info({ idleMs: Date.now() - this.lastUsedAt }, 'closing idle browser');
      await this.shutdownBrowser();
    }
  }

  /** Closes the browser (killing it if close hangs) and refuses further leases. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.wakeWaiters();
    if (this.launching) await this.launching.catch(() => undefined);
    await this.shutdownBrowser();
  }

  private async takeSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.closed) throw new Error('browser pool is closed');
      signal?.throwIfAborted();
      if (this.inUse < this.cfg.maxPages && !this.draining) {
        this.inUse++;
        this.lastUsedAt = Date.now();
        return;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  private giveSlot(): void {
    this.inUse--;
    this.lastUsedAt = Date.now();
    this.waiters.shift()?.();
  }

  private wakeWaiters(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private ensureBrowser(): Promise<Browser> {
    if (this.browser?.connected) return Promise.resolve(this.browser);
    // Single flight: concurrent acquires share one launch.
    this.launching ??= this.launch().finally(() => {
      this.launching = null;
    });
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    const opts = buildLaunchOptions(this.cfg);
    this.userDataDir = opts.userDataDir;
    const started = Date.now();
    const browser = await puppeteer.launch(opts);
    // CDP runs over stdio pipes 3 and 4. puppeteer drops its error listeners when its transport closes, so a
    // killed browser's late ECONNRESET/EPIPE would be an unhandled 'error' event that takes the worker down.
    for (const stream of browser.process()?.stdio.slice(3, 5) ?? []) stream?.on('error', () => undefined);
    const generation = ++this.generation;
    this.launches++;
    browser.once('disconnected', () => {
      if (this.browser !== browser) return; // an orderly shutdown already forgot it
      this.browser = null;
      this.dropIdle();
      this.restarts.crash++;
      this.logger.error({ generation }, 'browser disconnected unexpectedly');
      const pid = browser.process()?.pid;
      if (pid && isAlive(pid)) killTree(pid);
      this.removeProfile(opts.userDataDir);
    });
    this.browser = browser;
    this.logger.info({ pid: browser.process()?.pid, ms: Date.now() - started, generation }, 'browser launched');
    return browser;
  }

  private async closeContext(context: BrowserContext, generation: number): Promise<void> {
    if (generation !== this.generation || !this.browser?.connected) return; // that browser is gone already
    try {
      await bounded(context.close(), this.closeTimeoutMs, 'closing a browser context');
    } catch (err) {
      // A wedged renderer can hold close() for minutes: kill the whole tree and relaunch on the next lease.
      this.logger.error({ err: (err as Error).message }, 'context close hung; killing browser');
      this.restarts.killed++;
      this.killBrowser('killed');
    }
  }

  private killBrowser(cause: RestartCause): void {
    const browser = this.browser;
    if (!browser) return;
    this.browser = null;
    this.dropIdle();
    const pid = browser.process()?.pid;
    const signalled = pid ? killTree(pid) : 0;
    this.logger.warn({ cause, pid, signalled }, 'browser process tree killed');
    // The ChildProcess object reaps the main pid; renderer children are reparented and reaped by init/tini.
    void browser.disconnect().catch(() => undefined);
    this.removeProfile(this.userDataDir);
  }

  private async shutdownBrowser(): Promise<void> {
    const browser = this.browser;
    if (!browser) return;
    this.browser = null;
    this.dropIdle();
    const dir = this.userDataDir;
    try {
      await bounded(browser.close(), this.closeTimeoutMs, 'closing the browser');
    } catch {
      const pid = browser.process()?.pid;
      if (pid) killTree(pid);
    }
    // Close before deleting the profile: Chromium still writes to it while shutting down.
    this.removeProfile(dir);
  }

  private removeProfile(dir: string | null): void {
    if (!dir) return;
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // best effort: a leftover temp dir is not worth failing a scan for
    }
  }
}
