// The Web UI: server-rendered pages on the API's Express app, signed in with a session cookie (see session.ts).
import { auditEarl } from './audit-earl';
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { parseDuration } from '../../lib/time-window';
import { FAILURE_CATEGORIES, isFailureCategory } from '../../core/contracts';
import { HttpError } from '../http-errors';
import { sendProblem } from '../problem-details';
import { TokenBuckets } from '../middleware/abuse-limit';
import { announceRateLimit, retryAfterOnRefusals } from '../middleware/rate-limit-headers';
import { pageCsp, WEB_PAGE_CSP } from '../middleware/security-headers';
import type { ApiKeyService, Principal } from '../services/api-key.service';
import { ASSETS } from './assets-dir';
import { buildScanExport, EXPORT_FORMATS, sendScanExport } from './scan-exports';
import {
  cookiesOf,
  LOGIN_CSRF_COOKIE,
  loadSession,
  newToken,
  requireCsrf,
  requireSession,
  sameToken,
  SESSION_COOKIE,
  sessionOf,
  setCookie as writeCookie,
  type SessionStore,
} from './session';
import { isRange, type UiService } from './ui.service';
import { dashboardPage, dashboardRegions, dashboardSummary } from './views/dashboard';
import { errorPage, homePage, loginPage, type PageContext } from './views/layout';
import { comparePage, failedPage, prospectPage, scanReportPage } from './views/reports';
import { auditListPage, auditPage, auditProgressRegion, auditSummary, isFinished, type AuditFormState } from './views/audits';
import { sendPdf, type AuditPdf } from './audit-pdf';
import { CreateAuditBody, ListAuditsQuery } from '../schemas/audits.schema';
import { describeZodError } from '../middleware/validate';
import { isUuid } from '../../lib/ids';

export interface UiRouterDeps {
  ui: UiService;
  keys: ApiKeyService;
  /** Audit report PDFs (printed by the browser workers). */
  pdfs: AuditPdf;
  sessions: SessionStore;
  /** Sign-in attempts per client IP per minute (the API's abuse limiter's buckets); 0 or absent = unlimited. */
  loginPerMinute?: number;
  /** Told of each throttled sign-in (the safety layer's `abuse_limited` counter). */
  onLoginLimited?: () => void;
  /** Mark every cookie Secure, even on a request that arrived over plain HTTP (NODE_ENV=production). */
  secureCookies?: boolean;
}

const PAGE_CSP = pageCsp(WEB_PAGE_CSP);

/** Only a path on this site: never an absolute or protocol-relative URL (no open redirect). */
const localPath = (v: unknown, fallback = '/'): string =>
  typeof v === 'string' && v.startsWith('/') && !v.startsWith('//') && !v.startsWith('/\\') ? v : fallback;

const ctxOf = (res: Response): PageContext & { csrfToken: string } => {
  const s = sessionOf(res);
  return { principal: s?.principal, csrfToken: s?.csrfToken ?? '' };
};
const principal = (res: Response): Principal => sessionOf(res)!.principal;
// Messages after an action come from this fixed list (a free-text `?msg=` would let a link put words in our mouth).
const FLASH: Record<string, (scanId: string) => string> = {
  cancelled: (id) => `Cancellation requested for scan ${id}.`,
  retried: (id) => `Retry queued as scan ${id}.`,
  'retry-running': (id) => `A retry is already running: scan ${id}.`,
};
function flashOf(req: Request): string | undefined {
  const { done, scan } = req.query;
  return typeof done === 'string' && FLASH[done] && typeof scan === 'string' && isUuid(scan) ? FLASH[done](scan) : undefined;
}
const sendPage = (res: Response, body: string, status = 200) => res.status(status).type('html').send(body);

export function uiRouter(deps: UiRouterDeps): Router {
  const { ui, keys, sessions } = deps;
  const setCookie = (req: Request, res: Response, name: string, value: string, maxAgeMs?: number) =>
    writeCookie(req, res, name, value, maxAgeMs, deps.secureCookies);
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 20 });

  router.use(
    '/ui/assets',
    express.static(ASSETS, { index: false, maxAge: '5m', setHeaders: (res) => res.setHeader('Cache-Control', 'public, max-age=300') }),
  );

  const pages = Router();
  pages.use((req, res, next) => {
    // The JSON API keeps its own headers and auth.
    if (req.path === '/api' || req.path.startsWith('/api/')) return next('router');
    PAGE_CSP(req, res, next);
  });
  pages.use(loadSession(sessions));

  const adminOnly = (_req: Request, res: Response, next: (err?: unknown) => void) =>
    next(principal(res).kind === 'admin' ? undefined : new HttpError(403, 'forbidden', 'This page is for operators.'));

  // --- sign in / out -------------------------------------------------------------------------------------
  pages.get('/login', (req, res) => {
    if (sessionOf(res)) return res.redirect(303, localPath(req.query.next));
    // Login CSRF: a double-submit token (cookie + form field) until a session exists.
    const token = newToken();
    setCookie(req, res, LOGIN_CSRF_COOKIE, token, 3_600_000);
    sendPage(res, loginPage({ csrfToken: token, next: localPath(req.query.next) }));
  });

  // Key guessing is throttled per client IP (behind a trusted proxy, the forwarded address), before the body is read.
  const loginBuckets = new TokenBuckets(deps.loginPerMinute ?? 0);
  const loginLimit = (req: Request, res: Response, next: () => void) => {
    const taken = loginBuckets.takeCounted(`login:${req.ip ?? 'unknown'}`);
    if (taken) announceRateLimit(res, taken.state);
    if (!taken?.retryAfter) return next();
    const wait = taken.retryAfter;
    deps.onLoginLimited?.();
    // The form shown again keeps the browser's login CSRF token (a new one only if it has none).
    let token = cookiesOf(req)[LOGIN_CSRF_COOKIE];
    if (!token) setCookie(req, res, LOGIN_CSRF_COOKIE, (token = newToken()), 3_600_000);
    res.set('Retry-After', String(wait));
    const error = `Too many sign-in attempts from your network address. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.`;
    sendPage(res, loginPage({ csrfToken: token, next: localPath(req.query.next), error }), 429);
  };

  pages.post('/login', loginLimit, form, async (req, res) => {
    const body = req.body as { apiKey?: unknown; _csrf?: unknown; next?: unknown };
    const next = localPath(body.next);
    if (typeof body._csrf !== 'string' || !sameToken(body._csrf, cookiesOf(req)[LOGIN_CSRF_COOKIE])) {
      const token = newToken();
      setCookie(req, res, LOGIN_CSRF_COOKIE, token, 3_600_000);
      return sendPage(res, loginPage({ csrfToken: token, next, error: 'The sign-in form expired. Please enter your key again.' }), 403);
    }
    const key = typeof body.apiKey === 'string' ? body.apiKey.trim() : '';
    const who = key && key.length <= 200 ? await keys.authenticate(key) : null;
    if (!who) {
      return sendPage(res, loginPage({ csrfToken: body._csrf, next, error: 'That API key is not valid (or has been revoked).' }), 401);
    }
    const { token } = await sessions.create(who, key);
    res.clearCookie(LOGIN_CSRF_COOKIE, { path: '/' });
    setCookie(req, res, SESSION_COOKIE, token, sessions.ttlMs);
    res.redirect(303, next === '/' && who.kind === 'admin' ? '/dashboard' : next);
  });

  pages.post('/logout', form, requireSession, requireCsrf, async (req, res) => {
    await sessions.destroy(sessionOf(res)!.tokenHash);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });

  // --- pages ---------------------------------------------------------------------------------------------
  pages.get('/', requireSession, async (_req, res) => {
    const p = principal(res);
    if (p.kind === 'admin') return res.redirect(303, '/dashboard');
    sendPage(res, homePage(ctxOf(res), await ui.recentScans(p.clientId)));
  });

  pages.get('/dashboard', requireSession, adminOnly, async (req, res) => {
    const range = isRange(req.query.range) ? req.query.range : '24h';
    sendPage(res, dashboardPage(await ui.dashboard(range), ctxOf(res), flashOf(req)));
  });

  pages.get('/dashboard/live', requireSession, adminOnly, async (req, res) => {
    const range = isRange(req.query.range) ? req.query.range : '24h';
    const d = await ui.dashboard(range);
    res.json({ asOf: d.asOf, summary: dashboardSummary(d), regions: dashboardRegions(d, ctxOf(res).csrfToken) });
  });

  pages.get('/failed', requireSession, adminOnly, async (req, res) => {
    const q = req.query;
    const filters = {
      category: typeof q.category === 'string' && isFailureCategory(q.category) ? q.category : undefined,
      clientId: typeof q.clientId === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(q.clientId) ? q.clientId : undefined,
      since: typeof q.since === 'string' && parseDuration(q.since) !== null ? q.since : undefined,
    };
    let before: { at: Date; id?: string } | undefined;
    if (typeof q.before === 'string') {
      const [at, id] = q.before.split('_');
      const d = new Date(at);
      if (!Number.isNaN(d.getTime()) && (id === undefined || isUuid(id))) before = { at: d, id };
    }
    const data = await ui.failed({
      category: filters.category,
      clientId: filters.clientId,
      since: filters.since ? new Date(Date.now() - (parseDuration(filters.since) as number)) : undefined,
      limit: 50,
      before,
    });
    sendPage(res, failedPage(data, filters, FAILURE_CATEGORIES, ctxOf(res), flashOf(req)));
  });

  pages.post('/failed/:id/retry', form, requireSession, requireCsrf, adminOnly, async (req, res) => {
    const id = String(req.params.id);
    if (!isUuid(id)) throw new HttpError(404, 'not_found', 'No such scan.');
    const r = await ui.retry(id);
    res.redirect(303, `/failed?done=${r.existing ? 'retry-running' : 'retried'}&scan=${r.scanId}`);
  });

  pages.post('/scans/:id/cancel', form, requireSession, requireCsrf, async (req, res) => {
    const scan = await ui.cancel(String(req.params.id), principal(res));
    if (!scan) throw new HttpError(404, 'not_found', 'No such scan.');
    const back = localPath((req.body as { next?: unknown }).next, `/scans/${scan.scanId}`);
    res.redirect(303, `${back}${back.includes('?') ? '&' : '?'}done=cancelled&scan=${scan.scanId}`);
  });

  const reportOr404 = async (req: Request, res: Response) => {
    const rep = await ui.report(String(req.params.id), principal(res));
    // Another client's scan is reported as absent, as the API does.
    if (!rep) throw new HttpError(404, 'not_found', 'No such scan, or it is not yours to see.');
    return rep;
  };

  pages.get('/scans/:id', requireSession, async (req, res) => {
    sendPage(res, scanReportPage(await reportOr404(req, res), ctxOf(res)));
  });

  pages.get('/scans/:id/screenshot.jpg', requireSession, async (req, res) => {
    const shot = await ui.screenshot(String(req.params.id), principal(res));
    if (!shot) throw new HttpError(404, 'not_found', 'No screenshot.');
    res.set('Cache-Control', 'private, max-age=3600').type(shot.mime).send(Buffer.from(shot.image));
  });

  // Exports: the same builder as GET /api/scans/:id/<format> (scan-exports.ts).
  for (const format of EXPORT_FORMATS) {
    pages.get(`/scans/:id/${format}`, requireSession, async (req, res) => {
      const exp = await buildScanExport(ui, String(req.params.id), principal(res), format);
      if (!exp) throw new HttpError(404, 'not_found', 'No such scan, or it is not yours to see.');
      sendScanExport(res, exp);
    });
  }

  const prospectOr404 = async (req: Request, res: Response) => {
    const p = await ui.prospect(String(req.params.id), principal(res));
    if (!p) throw new HttpError(404, 'not_found', 'No such prospect, or it is not yours to see.');
    return p;
  };

  pages.get('/prospects/:id', requireSession, async (req, res) => {
    const p = await prospectOr404(req, res);
    sendPage(res, prospectPage(p, ctxOf(res), { url: p.prospect.url }));
  });

  // "Start audit": the audit service's submit, with the API's validation; a refusal is shown in the form.
  pages.post('/prospects/:id/audits', form, requireSession, requireCsrf, async (req, res) => {
    const p = await prospectOr404(req, res);
    const body = req.body as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
    const state: AuditFormState = { url: text(body.url), maxPages: text(body.maxPages), perTemplate: text(body.perTemplate) };
    const refuse = (status: number, error: string, fields: string[]) =>
      sendPage(res, prospectPage(p, ctxOf(res), { ...state, error, fields }), status);
    const parsed = CreateAuditBody.safeParse({
      url: state.url,
      clientId: p.prospect.clientId,
      prospectId: p.prospect.id,
      ...(state.maxPages && { maxPages: Number(state.maxPages) }),
      ...(state.perTemplate && { sampling: { perTemplate: Number(state.perTemplate) } }),
    });
    if (!parsed.success) {
      const { message, fields } = describeZodError(parsed.error);
      return refuse(
        400,
        `The audit was not started. ${message}`,
        fields.map((f) => f.field),
      );
    }
    try {
      const audit = await ui.submitAudit(parsed.data, principal(res));
      res.redirect(303, `/audits/${audit.auditId}`);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      const fields = ((err.details as { fields?: Array<{ field: string }> } | undefined)?.fields ?? []).map((f) => f.field);
      refuse(err.status, `The audit was not started. ${err.message}`, fields);
    }
  });

  // --- site audits -----------------------------------------------------------------------------------------
  pages.get('/audits', requireSession, async (req, res) => {
    const q = ListAuditsQuery.safeParse(req.query);
    const query = q.success ? q.data : ListAuditsQuery.parse({});
    if (principal(res).kind !== 'admin') delete query.clientId;
    const data = await ui.auditList({ ...query, limit: 50 }, principal(res));
    sendPage(res, auditListPage(data, { clientId: query.clientId, status: query.status }, ctxOf(res)));
  });

  const auditOr404 = async (req: Request, res: Response) => {
    const audit = await ui.audit(String(req.params.id), principal(res));
    if (!audit) throw new HttpError(404, 'not_found', 'No such audit, or it is not yours to see.');
    return audit;
  };

  const AUDIT_FLASH: Record<string, string> = {
    cancelled: 'Cancellation requested: the audit stops once the pages in flight are done.',
    finished: 'The audit had already finished: there was nothing to cancel.',
  };

  pages.get('/audits/:id', requireSession, async (req, res) => {
    const flash = typeof req.query.done === 'string' ? AUDIT_FLASH[req.query.done] : undefined;
    sendPage(res, auditPage(await auditOr404(req, res), ctxOf(res), flash));
  });

  pages.get('/audits/:id/live', requireSession, async (req, res) => {
    const audit = await auditOr404(req, res);
    res.json({
      asOf: new Date(),
      summary: auditSummary(audit),
      regions: { progress: auditProgressRegion(audit, ctxOf(res).csrfToken) },
      // Finished: the script stops polling; the region links to the report.
      final: isFinished(audit.status),
    });
  });

  pages.post('/audits/:id/cancel', form, requireSession, requireCsrf, async (req, res) => {
    const id = String(req.params.id);
    try {
      const r = await ui.cancelAudit(id, principal(res));
      res.redirect(303, `/audits/${r.auditId}?done=cancelled`);
    } catch (err) {
      if (err instanceof HttpError && err.status === 409) return res.redirect(303, `/audits/${id}?done=finished`);
      throw err;
    }
  });

  // Exports: the audit service's (as GET /api/audits/:id/report.{csv,json}) and the PDF (as /api/audits/:id/report.pdf).
  pages.get('/audits/:id/report.csv', requireSession, async (req, res) => {
    const id = String(req.params.id);
    const csv = await ui.auditReportCsv(id, principal(res));
    res.attachment(`audit-${id}-issues.csv`).type('text/csv; charset=utf-8').send(csv);
  });

  pages.get('/audits/:id/report.json', requireSession, async (req, res) => {
    const id = String(req.params.id);
    const report = await ui.auditReportJson(id, principal(res));
    res.attachment(`audit-${id}-report.json`).json(report);
  });

  pages.get('/audits/:id/report.earl.jsonld', requireSession, async (req, res) => {
    const id = String(req.params.id);
    const earl = await auditEarl(ui, id, principal(res));
    if (!earl) throw new HttpError(404, 'not_found', 'No such audit, or it is not yours to see.');
    res
      .attachment(`audit-${id}-earl.jsonld`)
      .type('application/ld+json')
      .send(JSON.stringify(earl, null, 2));
  });

  pages.get('/audits/:id/report.pdf', requireSession, async (req, res) => {
    const pdf = await deps.pdfs.pdf(String(req.params.id), principal(res));
    if (!pdf) throw new HttpError(404, 'not_found', 'No such audit, or it is not yours to see.');
    sendPdf(res, pdf);
  });

  pages.get('/prospects/:id/compare', requireSession, async (req, res) => {
    const c = await ui.compare(String(req.params.id), String(req.query.a ?? ''), String(req.query.b ?? ''), principal(res));
    if (!c) throw new HttpError(404, 'not_found', 'No such prospect, or it is not yours to see.');
    sendPage(res, comparePage(c, ctxOf(res)));
  });

  // Errors on pages are pages (JSON only for the live endpoint); never internals.
  const onError: ErrorRequestHandler = (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const http = err instanceof HttpError ? err : null;
    const status = http?.status ?? 500;
    if (status >= 500) deps.ui.logError(err, req.path);
    // Retry-After of a 503 (a PDF no worker rendered in time), like the JSON API's error handler sends it.
    if (http) res.set(http.headers);
    const message = http
      ? http.message
      : 'The page could not be built. Try again; if it persists, the operators have the details in the API log.';
    if (req.path.endsWith('/live') || req.path.match(/\.(csv|json|jsonld|jpg|pdf)$/))
      return sendProblem(req, res, http ?? new HttpError(status, 'internal', message));
    sendPage(res, errorPage(status, message, ctxOf(res)), status);
  };
  pages.use(retryAfterOnRefusals, onError);

  router.use(pages);
  return router;
}
