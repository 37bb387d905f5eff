// Acceptance run for site audits, not part of `npm test` (`npm run soak:audit`, several minutes): a generated
// 300-page site audited end to end from one POST /api/audits, then once more by `wcag audit … --wait --json
// --fail-on serious` run as a subprocess against this stack's API on a real port. Each run scans exactly the site's
// pages, each once, never more than politeness.concurrency at a time, and reports each planted rule once. Prints its
// figures (pages, skips by reason, duration, pages/min, pages in flight, issues by scope, heap).
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import request from 'supertest';
import { PLANTED, startFixtureSite, type FixtureSite } from '../support/fixture-site';
import { adminAuth, TERMINAL_STATUSES } from '../support/scan-client';
import { ADMIN_KEY, eventually, startStack, type Stack } from '../support/stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const ROOT = join(__dirname, '..', '..');
const PAGES = 300;
const CONCURRENCY = 2; // the API's default politeness.concurrency
const PLANTED_RULES = new Set<string>(
  [PLANTED.shared, PLANTED.templates, PLANTED.pages].flatMap((group) => Object.values(group).flat() as string[]),
);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function heapMb(): number {
  gc();
  gc();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}

const figures = (what: string, data: object) => process.stdout.write(`[soak:audit] ${what} ${JSON.stringify(data)}\n`);
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

/** `wcag <args>` as a subprocess (async: the API it talks to runs in this process). */
function wcag(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'wcag.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What one finished audit did to the site, checked and printed. */
async function checkAudit(stack: Stack, site: FixtureSite, audit: Body, durationMs: number, label: string) {
  expect({
    status: audit.status,
    failureReason: audit.failureReason,
    failureMessage: audit.failureMessage,
    progress: audit.progress,
  }).toMatchObject({
    status: 'completed',
  });
  const pages = await stack.prisma.auditPage.findMany({ where: { auditId: audit.auditId }, select: { url: true, status: true } });
  const scanned = pages.filter((p) => p.status === 'scanned').map((p) => pathOf(p.url));
  const fetches = (path: string) => site.requests.filter((r) => r.method === 'GET' && r.path === path).length;
  const perUrl = await stack.prisma.scan.groupBy({ by: ['url'], where: { auditId: audit.auditId }, _count: { _all: true } });
  const issues = audit.report.issues as Body[];
  const byScope = issues.reduce<Record<string, number>>((m, i) => ((m[i.scope] = (m[i.scope] ?? 0) + 1), m), {});
  figures(label, {
    scanned: audit.progress.scanned,
    failed: audit.progress.failed,
    discovered: audit.progress.discovered,
    skippedByReason: audit.progress.skippedByReason,
    durationS: Math.round(durationMs / 100) / 10,
    pagesPerMin: Math.round((audit.progress.scanned / (durationMs / 60_000)) * 10) / 10,
    maxInFlight: site.maxInFlight,
    score: audit.report.score,
    issues: issues.length,
    issuesByScope: byScope,
  });
  expect(scanned.sort()).toEqual(site.expectedUrls().map(pathOf).sort());
  expect(scanned.filter((p) => fetches(p) !== 1)).toEqual([]);
  expect(perUrl.filter((g) => g._count._all > 1)).toEqual([]);
  expect(site.maxInFlight).toBeGreaterThanOrEqual(1);
  expect(site.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
  expect(new Set(issues.map((i) => i.ruleId))).toEqual(PLANTED_RULES);
  // One row per planted rule: asserted by the caller once both runs have printed their figures.
  return issues.map((i) => `${i.ruleId} ${i.scope} ${i.pages}/${i.ofPages} ${i.selector}`);
}

it(
  `audits a ${PAGES}-page site from one POST /api/audits and from \`wcag audit --wait\``,
  async () => {
    const site = await startFixtureSite({ pages: PAGES, delayMs: 0 });
    const stack = await startStack({
      env: { SCAN_ALLOW_PRIVATE_TARGETS: 'false', SCAN_ALLOWED_HOSTS: '127.0.0.1', MAX_CONCURRENT_PAGES: '3', LOG_LEVEL: 'silent' },
    });
    const server: Server = stack.app.listen(0, '127.0.0.1');
    try {
      await new Promise((r) => server.once('listening', r));
      const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const heapBefore = heapMb();

      // 1. One POST /api/audits.
      let startedAt = Date.now();
      const submitted = await request(stack.app)
        .post('/api/audits')
        .set(adminAuth)
        .send({ clientId: 'soak-audit', url: `${site.origin}/`, maxPages: 1000, maxPerPattern: 1000 })
        .expect(202);
      const viaApi = await eventually(
        async () => {
          const r = await request(stack.app).get(`/api/audits/${submitted.body.auditId}`).set(adminAuth).expect(200);
          return TERMINAL_STATUSES.includes(r.body.status) ? (r.body as Body) : undefined;
        },
        1_200_000,
        1_000,
      );
      const apiRows = await checkAudit(stack, site, viaApi, Date.now() - startedAt, 'POST /api/audits');
      const heapAfterApi = heapMb();

      // 2. The CLI, as a CI gate: the site has serious violations, so --fail-on serious exits 1 with the report.
      site.resetStats();
      startedAt = Date.now();
      const cli = await wcag(
        [
          'audit',
          `${site.origin}/`,
          '--client',
          'soak-audit',
          '--max-pages',
          '1000',
          '--max-per-pattern',
          '1000',
          '--wait',
          '--json',
          '--fail-on',
          'serious',
        ],
        { WCAG_API_URL: apiUrl, WCAG_API_KEY: ADMIN_KEY },
      );
      const cliMs = Date.now() - startedAt;
      expect({ code: cli.code, stderr: cli.stderr.trim() }).toEqual({
        code: 1,
        stderr: expect.stringMatching(/site issue\(s\) at or above serious \(--fail-on serious\)/),
      });
      const viaCli = JSON.parse(cli.stdout) as Body;
      const cliRows = await checkAudit(stack, site, viaCli, cliMs, 'wcag audit --wait --json --fail-on serious');
      // Compared with the audit before it: the same site, nothing new and nothing fixed.
      expect(viaCli.report.comparison).toMatchObject({ previousAuditId: viaApi.auditId, new: [], fixed: [] });
      figures('heap of the in-process API and workers (MB)', { before: heapBefore, afterApiAudit: heapAfterApi, afterCliAudit: heapMb() });
      expect(apiRows).toHaveLength(PLANTED_RULES.size);
      expect(cliRows).toHaveLength(PLANTED_RULES.size);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await stack.stop();
      await site.close();
    }
  },
  45 * 60_000,
);
