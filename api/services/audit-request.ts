// What an audit request resolves to before anything is stored or started: its checked target and its options with
// every default applied. POST /api/audits and an audit schedule (POST /api/schedules with `audit`) both go through
// here, so a scheduled audit is validated exactly like a submitted one, once, when the schedule is created.
import { AUDIT_DEFAULTS, type AuditOptions } from '../../core/audit';
import type { Env } from '../../lib/env';
import { checkUrlSyntax, type UrlPolicy } from '../../targets/url-safety';
import { compilePatterns } from '../../audits/scope';
import { invalidFields, type FieldProblem } from '../http-errors';
import type { AuditOptionsBody } from '../schemas/audits.schema';
import type { Principal } from './api-key.service';
import type { RateLimitService, RateLimitStatus } from './rate-limit.service';
import type { ScanService } from './scan.service';
import { scanOptionsFrom, type RequestedScanOptions } from './scan-options';

export interface AuditRequestDeps {
  env: Env;
  urlPolicy: UrlPolicy;
  /** Its target rules (DNS included) are the ones audits are checked under. */
  scans: Pick<ScanService, 'assertSubmittable'>;
  rateLimits?: Pick<RateLimitService, 'status'>;
}

/** An audit's start URL, its options as requested and its per-page scan settings. */
export type AuditRequest = AuditOptionsBody & RequestedScanOptions & { url: string };

export interface ResolvedAuditRequest {
  target: URL;
  options: AuditOptions;
  /** The client key's hourly quota as it stands (undefined for the admin key, which is exempt). */
  quota?: RateLimitStatus;
}

/** Field problems of include/exclude patterns, named `include[2]` etc. */
function patternProblems(field: string, patterns: string[] | undefined): FieldProblem[] {
  if (!patterns?.length) return [];
  const compiled = compilePatterns(patterns);
  return compiled.ok ? [] : compiled.errors.map((e) => ({ field: `${field}[${e.index}]`, message: e.message }));
}

/**
 * The most pages this principal's audit may ask for: AUDIT_MAX_PAGES, and for a client key also its hourly scan
 * quota (every page is a scan charged to it, so a bigger audit could never finish within one hour's budget).
 */
async function pageCeiling(deps: AuditRequestDeps, principal: Principal, clientId: string) {
  const { env } = deps;
  if (principal.kind === 'admin') return { ceiling: env.AUDIT_MAX_PAGES, quota: undefined };
  const quota = await deps.rateLimits?.status(clientId);
  return { ceiling: Math.min(env.AUDIT_MAX_PAGES, quota?.limit ?? env.AUDIT_MAX_PAGES), quota };
}

/** The audit's options with every default applied, or a 400 naming each bad field (`fieldPrefix` + its name). */
function optionsFor(deps: AuditRequestDeps, req: AuditRequest, ceiling: number, fieldPrefix: string): AuditOptions {
  const { env } = deps;
  const problems: FieldProblem[] = [];
  if (req.maxPages !== undefined && req.maxPages > ceiling) {
    problems.push({ field: `${fieldPrefix}maxPages`, message: `must be at most ${ceiling} (the ceiling for this client)`, ceiling });
  }
  const concurrency = req.politeness?.concurrency;
  if (concurrency !== undefined && concurrency > env.AUDIT_MAX_CONCURRENCY) {
    problems.push({
      field: `${fieldPrefix}politeness.concurrency`,
      message: `must be at most ${env.AUDIT_MAX_CONCURRENCY} (AUDIT_MAX_CONCURRENCY)`,
      ceiling: env.AUDIT_MAX_CONCURRENCY,
    });
  }
  problems.push(...patternProblems(`${fieldPrefix}include`, req.include), ...patternProblems(`${fieldPrefix}exclude`, req.exclude));
  const sitemap = req.sitemap ?? AUDIT_DEFAULTS.sitemap;
  if (sitemap !== 'auto' && sitemap !== 'off') {
    const check = checkUrlSyntax(sitemap, deps.urlPolicy);
    if (!check.ok) problems.push({ field: `${fieldPrefix}sitemap`, message: check.reason, category: check.category });
  }
  if (problems.length) throw invalidFields(problems);
  return {
    maxPages: req.maxPages ?? Math.min(env.AUDIT_DEFAULT_MAX_PAGES, ceiling),
    maxDepth: req.maxDepth ?? AUDIT_DEFAULTS.maxDepth,
    include: req.include ?? [],
    exclude: req.exclude ?? [],
    sitemap,
    respectRobots: req.respectRobots,
    ...(req.sampling && { sampling: req.sampling }),
    politeness: {
      concurrency: concurrency ?? Math.min(AUDIT_DEFAULTS.concurrency, env.AUDIT_MAX_CONCURRENCY),
      delayMs: req.politeness?.delayMs ?? AUDIT_DEFAULTS.delayMs,
    },
    maxPerPattern: req.maxPerPattern ?? AUDIT_DEFAULTS.maxPerPattern,
    ...scanOptionsFrom(env, req),
  };
}

/**
 * Checks an audit request for `clientId` as `principal` makes it: the start URL under the target-safety rules (DNS
 * included, like scans), maxPages under the client's ceiling, politeness under AUDIT_MAX_CONCURRENCY, the patterns
 * and the sitemap URL. Throws the 400 naming every bad option at once; the options' fields are named
 * `fieldPrefix` + their name ("audit." for a schedule's).
 */
export async function resolveAuditRequest(
  deps: AuditRequestDeps,
  req: AuditRequest,
  principal: Principal,
  clientId: string,
  fieldPrefix = '',
): Promise<ResolvedAuditRequest> {
  const target = await deps.scans.assertSubmittable(req.url);
  const { ceiling, quota } = await pageCeiling(deps, principal, clientId);
  return { target, options: optionsFor(deps, req, ceiling, fieldPrefix), quota };
}
