import { ApplicationFailure, CancelledFailure, Context, log } from '@temporalio/activity';
import type { HTTPResponse, Page } from 'puppeteer-core';
import type { PrismaClient } from '../lib/prisma';
import { FailureCategory, type AuditPageScan, type PageScanSummary } from '../core/contracts';
import { countByImpact, score, storedRules } from '../core/scoring';
import type { BrowserPool, PageLease } from './browser/browser-pool';
import { startEgressProxy, type EgressProxy } from './browser/egress-proxy';
import { AXE_VERSION, runAxe } from './browser/run-axe';
import { inconclusiveReason, type PageFacts } from './page-facts';
import { classifyScanError, CLIENT_NAVIGATION, httpStatusFailure, ScanFailure } from './scan-errors';
import { saveScanResult } from './scan-records.activity';
import { capturePage, saveScreenshot, type PageScreenshot } from './scan-screenshot';
import { isDatabaseUnavailable, retryWhileDatabaseUnavailable } from './db-retry';
import type { UrlPolicy } from '../targets/url-safety';
import type { BreakerConfig } from '../lib/circuit-breakers';
import type { WorkerMetrics } from '../lib/metrics';
import { deferIfHostOpen, hostOf, noteScanOutcome } from './host-breaker';
import { navigationBudgetMs } from './host-breaker-verdict';
import { guardSiteNavigation, isHtmlContentType, type SiteNavigationGuard } from './browser/site-navigation-guard';
import { collectAuditFactsScript, type AuditPageFacts } from '../audits/page-structure';
import { ScanStageTimer, type TimedStage } from './scan-stage-timer';

export interface ScanPageInput {
  scanId: string;
  /** Every scan-related log line carries the client it is for; the host breakers count and defer per client. */
  clientId?: string;
  url: string;
  timeoutMs: number;
  wcagTags: string[];
  maxAttempts: number;
  /** Set by the patched scan workflow: an open host breaker fails the call non-retryably and the workflow waits. */
  deferWhenHostOpen?: boolean;
  /** A page of a site audit (see core/contracts AuditPageScan). */
  audit?: AuditPageScan;
}

/** What an audit keeps of a rendered page: its links (no second fetch), DOM skeleton and each flagged element's landmark. */
interface AuditFacts {
  links: string[];
  skeleton: string;
  regionByTarget: Map<string, string | null>;
  contentType: string | null;
}

/** Links kept per page: a page with more (a sitemap page, a mega-menu) still gives the audit this many. */
const MAX_LINKS_PER_PAGE = 1_000;

export interface ScanPageConfig {
  maxScanTimeMs: number;
  userAgent?: string;
  acceptLanguage: string;
  /** JS heap above which a page is killed and the scan fails as `memory`. */
  pageMaxHeapMb: number;
  maxRedirects: number;
  /** Store a viewport JPEG and the flagged elements' boxes with the result (SCAN_SCREENSHOTS; Web UI report). */
  screenshots?: boolean;
}

export interface ScanPageDeps {
  pool: BrowserPool;
  prisma: PrismaClient;
  urlPolicy: UrlPolicy;
  config: ScanPageConfig;
  /** Per-target-host circuit breaker settings; absent = no host breaker. */
  hostBreaker?: BreakerConfig;
  metrics: WorkerMetrics;
}

type Stage = 'lease' | 'navigate' | 'settle' | 'axe' | 'store';

export interface BlockedRequest {
  url: string;
  reason: string;
}

interface PageScan {
  results: Awaited<ReturnType<typeof runAxe>>['results'];
  untestedFrames: string[];
  /** What the axe result validator cut (see activities/browser/axe-result-validation.ts). */
  truncated: string[];
  facts: PageFacts;
  finalUrl: string;
  httpStatus: number | null;
  screenshot: PageScreenshot | null;
  audit: AuditFacts | null;
}

const HEARTBEAT_MS = 2_000;
/** Failures after which the page is still in a normal state (it answered; nothing hung, crashed or was cut off). */
const REUSABLE_AFTER: ReadonlySet<string> = new Set([
  FailureCategory.HttpError,
  FailureCategory.NotHtml,
  FailureCategory.OffSite,
  FailureCategory.BlockedTarget,
]);
const CLIENT_REDIRECT_WAIT_MS = 5_000;
const MEMORY_POLL_MS = 1_000;
// After `load`, wait for the network to go quiet, but never long: streaming and long-polling pages never do.
export const SETTLE = { idleTime: 300, timeout: 1_500, concurrency: 2 };

function collectFacts(): PageFacts {
  const body = document.body;
  const text = (body?.innerText ?? '').replace(/\s+/g, ' ').trim();
  return {
    title: document.title ?? '',
    readyState: document.readyState,
    text: text.slice(0, 2_000),
    textLength: text.length,
    elementCount: document.getElementsByTagName('*').length,
    mediaCount: body ? body.querySelectorAll('img,svg,video,canvas,input,select,textarea,iframe,object,embed,picture').length : 0,
    busy: !!document.querySelector('body[aria-busy="true"], main[aria-busy="true"]'),
  };
}

/** A promise that rejects when `ms` pass or the signal aborts, whichever first. */
function budget(ms: number, signal: AbortSignal): { promise: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout;
  let onAbort: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ScanFailure(FailureCategory.Timeout, `scan exceeded its ${ms} ms limit`, true)), ms);
    onAbort = () => reject(new CancelledFailure('scan cancelled'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, clear: () => (clearTimeout(timer), signal.removeEventListener('abort', onAbort)) };
}

/**
 * Rejects as soon as the page's renderer dies (`crash`, or `memory` when its heap was already large) or its JS
 * heap passes the cap (`memory`). The heap is polled; a renderer stuck in a loop does not answer and is skipped.
 */
function watchPage(page: Page, capMb: number): { promise: Promise<never>; clear: () => void } {
  let lastMb = 0;
  let timer: NodeJS.Timeout;
  let onCrash: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const probe = page.metrics().then((m) => {
        lastMb = Math.round((m.JSHeapUsedSize ?? 0) / 1048576);
        if (lastMb > capMb) reject(new ScanFailure(FailureCategory.Memory, `page JS heap reached ${lastMb} MB (limit ${capMb} MB)`, true));
      });
      probe.catch(() => undefined);
    }, MEMORY_POLL_MS);
    onCrash = () =>
      reject(
        lastMb > capMb / 2
          ? new ScanFailure(FailureCategory.Memory, `page crashed with a ${lastMb} MB JS heap`, true)
          : new ScanFailure(FailureCategory.Crash, 'the page renderer crashed', true),
      );
    // puppeteer reports a dead renderer as the page's 'error' event; navigation alone would wait for its timeout.
    page.once('error', onCrash);
  });
  return { promise, clear: () => (clearInterval(timer), page.off('error', onCrash)) };
}

/** Dialog and popup handlers, CSP bypass and headers: also used by the benchmark's bare loop. */
export async function preparePage(page: Page, cfg: ScanPageConfig): Promise<void> {
  // Without a handler an alert blocks `load` forever. beforeunload is accepted: dismissing it cancels navigation.
  page.on('dialog', (d) => void (d.type() === 'beforeunload' ? d.accept() : d.dismiss()).catch(() => undefined));
  page.on('popup', (p) => void p?.close().catch(() => undefined));
  await page.setBypassCSP(true);
  if (cfg.userAgent) await page.setUserAgent({ userAgent: cfg.userAgent });
  await page.setExtraHTTPHeaders({ 'Accept-Language': cfg.acceptLanguage });
}

/** The proxy's verdict on a failed tunnel or a response it made itself, as a scan failure. */
function egressFailure(egress: EgressProxy | null, response?: HTTPResponse | null): ScanFailure | null {
  if (!egress) return null;
  const headers = response?.headers() ?? {};
  if (headers['x-egress-blocked']) return new ScanFailure(FailureCategory.BlockedTarget, headers['x-egress-blocked'], false);
  if (headers['x-egress-error'])
    return new ScanFailure(FailureCategory.Navigation, `could not reach the site (${headers['x-egress-error']})`, true);
  if (response) return null;
  // A refused CONNECT (https, wss) reaches Chromium only as ERR_TUNNEL_CONNECTION_FAILED: the proxy knows why.
  const last = egress.events[egress.events.length - 1];
  if (!last) return null;
  if (last.kind === 'blocked') return new ScanFailure(FailureCategory.BlockedTarget, last.reason, false);
  return new ScanFailure(FailureCategory.Navigation, `could not reach ${last.host} (${last.reason})`, true);
}

async function navigate(page: Page, url: string, timeoutMs: number, egress: EgressProxy | null, cfg: ScanPageConfig) {
  let response: HTTPResponse | null = null;
  let loadIncomplete = false;
  try {
    response = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  } catch (err) {
    if (/ERR_TUNNEL_CONNECTION_FAILED|ERR_PROXY_CONNECTION_FAILED/.test((err as Error).message)) throw egressFailure(egress) ?? err;
    if ((err as Error).name !== 'TimeoutError') throw err;
    // `load` never came (a hanging subresource, say): scan anyway if the document itself is parsed.
    const state = await Promise.race([
      page.evaluate(() => document.readyState).catch(() => 'unknown'),
      new Promise<string>((r) => setTimeout(() => r('unknown'), 2_000)),
    ]);
    if (state !== 'interactive' && state !== 'complete') throw err;
    loadIncomplete = true;
  }
  const refused = egressFailure(egress, response);
  if (refused) throw refused;
  if (page.url().startsWith('chrome-error://')) throw new ScanFailure(FailureCategory.Navigation, 'browser showed an error page', true);
  if (response) {
    const failure = httpStatusFailure(response.status(), response.headers()['retry-after']);
    if (failure) throw failure;
    if (response.request().redirectChain().length > cfg.maxRedirects) {
      throw new ScanFailure(FailureCategory.Navigation, `more than ${cfg.maxRedirects} redirects`, true);
    }
  }
  return { httpStatus: response?.status() ?? null, loadIncomplete };
}

async function scanLeasedPage(
  lease: PageLease,
  egress: EgressProxy | null,
  input: ScanPageInput,
  budgetMs: number,
  deps: ScanPageDeps,
  setStage: (s: Stage | TimedStage) => void,
): Promise<PageScan> {
  const { page } = lease;
  setStage('prepare');
  // A warm page was prepared for its first scan (handlers, CSP bypass and headers stay with the page).
  if (!lease.warm) await preparePage(page, deps.config);
  const guard = input.audit ? await guardSiteNavigation(page, input.audit.siteHosts) : null;
  try {
    setStage('navigate');
    // Navigation may use most of the budget; axe needs the rest (big DOMs take seconds).
    const nav = await navigate(page, input.url, navigationBudgetMs(budgetMs), egress, deps.config).catch((err: unknown) => {
      // An HTTP error answer (a 429 in text/plain, say) stays that: only its redirect off the site would say more.
      const answered = err instanceof ScanFailure && err.httpStatus !== undefined;
      throw (guard && auditNavigationFailure(guard, page, { contentType: !answered })) ?? err;
    });
    const leftSite = guard && auditNavigationFailure(guard, page);
    if (leftSite) throw leftSite;
    setStage('settle');
    await page.waitForNetworkIdle(SETTLE).catch(() => undefined);
    setStage('axe');
    const { results, untestedFrames, truncated } = await runAxeOnSettledDocument(page, input.wcagTags);
    setStage('facts');
    const facts = await page.evaluate(collectFacts);
    const audit = guard ? await auditFactsOf(page, guard, results.violations) : null;
    // Best effort and bounded (5 s): a page that cannot be captured still has its result.
    if (deps.config.screenshots) setStage('screenshot');
    const screenshot = deps.config.screenshots ? await capturePage(page, results) : null;
    return { results, untestedFrames, truncated, facts, finalUrl: page.url(), httpStatus: nav.httpStatus, screenshot, audit };
  } finally {
    await guard?.stop();
  }
}

/** An audit page that left the site or is not HTML: recorded as such by the audit, never retried. */
function auditNavigationFailure(guard: SiteNavigationGuard, page: Page, check = { contentType: true }): ScanFailure | null {
  const offSite = guard.offSiteTarget();
  if (offSite) return new ScanFailure(FailureCategory.OffSite, `left the audited site for ${safeOrigin(offSite)}`, false);
  const type = guard.mainContentType();
  if (check.contentType && !isHtmlContentType(type))
    return new ScanFailure(FailureCategory.NotHtml, `not an HTML page (${type?.split(';')[0]})`, false);
  // Belt and braces: a navigation the guard could not see (none is known) still ends off the site's hosts.
  const url = page.url();
  if (url.startsWith('http') && !guard.isOnSite(url))
    return new ScanFailure(FailureCategory.OffSite, `left the audited site for ${safeOrigin(url)}`, false);
  return null;
}

const safeOrigin = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return 'another address';
  }
};

async function auditFactsOf(
  page: Page,
  guard: SiteNavigationGuard,
  violations: Array<{ nodes: Array<{ target: unknown }> }>,
): Promise<AuditFacts> {
  const targets = violations.flatMap((v) => v.nodes.slice(0, 50).map((n) => n.target));
  const simple = targets.filter((t): t is string[] => Array.isArray(t) && t.every((x) => typeof x === 'string'));
  const facts = (await page.evaluate(collectAuditFactsScript(simple, MAX_LINKS_PER_PAGE))) as AuditPageFacts;
  const regionByTarget = new Map<string, string | null>();
  simple.forEach((t, i) => regionByTarget.set(JSON.stringify(t), facts.regions[i] ?? null));
  return { links: facts.links, skeleton: facts.skeleton, regionByTarget, contentType: guard.mainContentType() };
}

/**
 * Records that an attempt started (only while the scan runs: a late attempt must not reopen an ended scan). An
 * attempt after one that left no record (its worker died, so Temporal timed it out) records that one as `timeout`.
 * Best effort: the scan itself does not need these writes.
 */
async function markAttemptStarted(prisma: PrismaClient, scanId: string, attempt: number, lastBeat: { stage?: string } | undefined) {
  try {
    await prisma.scan.updateMany({ where: { id: scanId, status: 'running' }, data: { attempts: attempt, stage: 'scanning' } });
    if (attempt > 1) {
      await prisma.scanAttempt.createMany({
        data: [
          {
            scanId,
            attempt: attempt - 1,
            category: FailureCategory.Timeout,
            message: `the worker stopped responding${lastBeat?.stage ? ` during ${lastBeat.stage}` : ''}`,
          },
        ],
        skipDuplicates: true,
      });
    }
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
  }
}

/**
 * A meta refresh or script redirect can replace the document while axe runs. Then the scan follows it once:
 * wait for the new document to load and test that one; a page that keeps moving fails as `navigation`.
 */
async function runAxeOnSettledDocument(page: Page, tags: string[]) {
  try {
    return await runAxe(page, tags);
  } catch (err) {
    if (!CLIENT_NAVIGATION.test((err as Error).message)) throw err;
    await page.waitForNavigation({ waitUntil: 'load', timeout: CLIENT_REDIRECT_WAIT_MS }).catch(() => undefined);
    if (page.url().startsWith('chrome-error://')) {
      throw new ScanFailure(FailureCategory.Navigation, 'the page redirected to an address that could not be loaded', true);
    }
    return runAxe(page, tags);
  }
}

/** The browser activity: lease a page, navigate, run axe, store the full result, return a small summary. */
export function createScanPageActivity(deps: ScanPageDeps) {
  return {
    async scanPage(input: ScanPageInput): Promise<PageScanSummary> {
      const ctx = Context.current();
      const { attempt } = ctx.info;
      const started = Date.now();
      const host = hostOf(input.url);
      if (deps.hostBreaker && host)
        await deferIfHostOpen(deps.prisma, deps.metrics, deps.hostBreaker, host, input.deferWhenHostOpen === true, input.clientId);
      let stage: Stage = 'lease';
      const timer = new ScanStageTimer((s, seconds) => deps.metrics.scanStageDuration.observe({ stage: s }, seconds));
      timer.enter('lease');
      // Set once the page is known to be responsive and in a normal state: only then may its client's next scan
      // reuse it (BrowserPool reuseKey); a timed-out, crashed or killed page's context is closed.
      let reusable = false;
      const beat = setInterval(() => ctx.heartbeat({ stage, attempt }), HEARTBEAT_MS);
      ctx.heartbeat({ stage, attempt });
      const budgetMs = Math.min(input.timeoutMs, deps.config.maxScanTimeMs);
      let lease: PageLease | undefined;
      let watch: ReturnType<typeof watchPage> | undefined;
      let egress: EgressProxy | null = null;
      let limit: ReturnType<typeof budget> | undefined;
      let navStartedAt: number | undefined;
      // What the host breaker needs to know about how the attempt ended (activities/host-breaker-verdict.ts).
      const ended = (category: string, extra: { message?: string; httpStatus?: number } = {}) => ({
        category,
        ...extra,
        stage,
        budgetMs,
        hostMs: navStartedAt === undefined ? 0 : Date.now() - navStartedAt,
        clientId: input.clientId,
        durationMs: Date.now() - started,
      });
      try {
        // Written while the page is leased (both take a few ms; a warm lease takes about one): waited for below.
        const marked = markAttemptStarted(deps.prisma, input.scanId, attempt, ctx.info.heartbeatDetails as { stage?: string } | undefined);
        marked.catch(() => undefined);
        limit = budget(budgetMs, ctx.cancellationSignal);
        // Every connection the page makes goes through its context's egress proxy, which applies the target address
        // rules and connects to the address it checked (no DNS-rebinding window). Not needed when the rules are off.
        // The context is this client's only: it may be warm from the client's previous scan, never another's.
        const policy = deps.urlPolicy;
        const acquiring = deps.pool.acquire(ctx.cancellationSignal, {
          reuseKey: `client:${input.clientId ?? ''}`,
          ...(!policy.allowPrivateTargets && { startEgress: () => startEgressProxy({ policy }) }),
        });
        try {
          lease = await Promise.race([acquiring, limit.promise]).catch((err: unknown) => {
            // The budget ran out first; the lease may still arrive later: give it straight back.
            acquiring.then(
              (late) => late.release(),
              () => undefined,
            );
            throw err;
          });
        } finally {
          await marked;
        }
        egress = lease.egress;
        watch = watchPage(lease.page, deps.config.pageMaxHeapMb);
        // When navigation starts the host is contacted: the host breaker only counts time from here on.
        const work = scanLeasedPage(lease, egress, input, budgetMs, deps, (s) => {
          if (s === 'navigate') navStartedAt = Date.now();
          if (s === 'navigate' || s === 'settle' || s === 'axe') stage = s;
          timer.enter(s);
        });
        work.catch(() => undefined); // if the budget or the watch wins, closing the page rejects the abandoned work
        const scan = await Promise.race([work, limit.promise, watch.promise]).catch((err: unknown) => {
          // The page answered normally (an HTTP error, a non-HTML or off-site answer): it is fit for the next scan.
          reusable = err instanceof ScanFailure && REUSABLE_AFTER.has(err.category);
          throw err;
        });
        reusable = true;

        const reason = inconclusiveReason(scan.facts, scan.untestedFrames);
        if (reason && attempt < input.maxAttempts) {
          throw new ScanFailure(FailureCategory.Inconclusive, reason, true);
        }
        stage = 'store';
        timer.enter('store');
        const blocked: BlockedRequest[] = (egress?.events ?? [])
          .filter((e) => e.kind === 'blocked')
          .map((e) => ({ url: (e.url ?? `${e.host}:${e.port}`).slice(0, 300), reason: e.reason }));
        const rules = storedRules(scan.results);
        if (scan.audit) {
          const regions = scan.audit.regionByTarget;
          for (const rule of rules) for (const node of rule.nodes) node.region = regions.get(JSON.stringify(node.target)) ?? null;
        }
        const violations = rules.filter((r) => r.kind === 'violation');
        // Until just before Temporal's own limit for this attempt: the page work is done and worth keeping.
        const saveDeadline = started + deps.config.maxScanTimeMs + 10_000;
        const stored = {
          scanId: input.scanId,
          axeVersion: AXE_VERSION,
          finalUrl: scan.finalUrl,
          httpStatus: scan.httpStatus,
          pageTitle: scan.facts.title.slice(0, 300),
          blockedRequests: blocked.slice(0, 100),
          raw: { ...scan.results, untestedFrames: scan.untestedFrames, ...(scan.truncated.length > 0 && { truncated: scan.truncated }) },
          rules,
          ...(scan.audit && { links: scan.audit.links, skeleton: scan.audit.skeleton, contentType: scan.audit.contentType }),
        };
        // The screenshot is written alongside the result (best effort), not after it: one round trip less per scan.
        const screenshotSaved = scan.screenshot
          ? saveScreenshot(deps.prisma, input.scanId, scan.screenshot).catch((err: unknown) =>
              log.warn('screenshot not stored', { scanId: input.scanId, clientId: input.clientId, message: (err as Error).message }),
            )
          : null;
        await retryWhileDatabaseUnavailable(
          () => saveScanResult(deps.prisma, stored),
          saveDeadline,
          () => ctx.heartbeat({ stage, attempt }),
        ).finally(() => screenshotSaved);
        await noteScanOutcome(deps.prisma, deps.metrics, deps.hostBreaker, host, ended('completed'));
        return {
          score: reason ? null : score(violations),
          violationCount: violations.length,
          incompleteCount: rules.length - violations.length,
          counts: countByImpact(violations),
          inconclusive: reason !== null,
          inconclusiveReason: reason ?? undefined,
          axeVersion: AXE_VERSION,
          finalUrl: scan.finalUrl,
          httpStatus: scan.httpStatus,
          blockedRequests: egress?.blockedCount() ?? 0,
          durationMs: Date.now() - started,
        };
      } catch (err) {
        if (ctx.cancellationSignal.aborted || err instanceof CancelledFailure) {
          await noteScanOutcome(deps.prisma, deps.metrics, deps.hostBreaker, host, ended('cancelled'));
          throw err instanceof CancelledFailure ? err : new CancelledFailure('scan cancelled');
        }
        const failure = classifyScanError(err);
        await noteScanOutcome(
          deps.prisma,
          deps.metrics,
          deps.hostBreaker,
          host,
          ended(failure.category, { message: failure.message, httpStatus: failure.httpStatus }),
        );
        log.warn('scan attempt failed', {
          scanId: input.scanId,
          clientId: input.clientId,
          attempt,
          stage,
          category: failure.category,
          message: failure.message,
        });
        // The attempt log is best effort; the outcome itself is recorded by the workflow.
        const willRetry = failure.retryable && attempt < input.maxAttempts;
        await deps.prisma
          .$transaction([
            deps.prisma.scanAttempt.upsert({
              where: { scanId_attempt: { scanId: input.scanId, attempt } },
              create: { scanId: input.scanId, attempt, category: failure.category, message: failure.message },
              update: { category: failure.category, message: failure.message },
            }),
            // Between attempts the scan counts as "delayed" in the queue statistics.
            deps.prisma.scan.updateMany({
              where: { id: input.scanId, stage: 'scanning' },
              data: { stage: willRetry ? 'retry_wait' : 'scanning' },
            }),
          ])
          .catch(() => undefined);
        throw ApplicationFailure.create({
          type: failure.category,
          message: failure.message,
          nonRetryable: !failure.retryable,
          // A 429/503 with Retry-After: the next attempt waits as long as the site asked (capped in scan-errors.ts).
          ...(failure.retryAfterMs !== undefined && { nextRetryDelay: failure.retryAfterMs }),
        });
      } finally {
        timer.enter('release');
        clearInterval(beat);
        watch?.clear();
        limit?.clear();
        // What the client is not told (blocked requests and failures name no resolved address): the logs keep it.
        // Read before the release: a warm context's proxy starts its next scan's events afresh.
        const refusals = egress?.events.flatMap((e) => (e.detail ? [`${e.url ?? `${e.host}:${e.port}`}: ${e.detail}`] : [])) ?? [];
        if (refusals.length > 0) log.info('egress refused internal addresses', { scanId: input.scanId, refusals: refusals.slice(0, 20) });
        await lease?.release({ reusable });
        timer.end();
      }
    },
  };
}
