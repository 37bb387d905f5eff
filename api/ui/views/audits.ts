// Site audit pages: the list, one audit (live progress while it runs, then its site report), the prospect page's
// audit section with its "Start audit" form. The report markup is also what the PDF export prints (`printable`).
import type { SiteIssue, SiteReport } from '../../../audits/site-report';
import { SkipReason } from '../../../core/audit';
import { IMPACTS } from '../../../core/scoring';
import type { AuditService } from '../../services/audit.service';
import { fmtDate, html, raw, tableWrap, type SafeHtml } from '../html';
import { layout, printableLayout, type PageContext } from './layout';

export type AuditView = Awaited<ReturnType<AuditService['get']>>;
export type AuditListItem = Awaited<ReturnType<AuditService['list']>>['audits'][number];
type Progress = AuditView['progress'];

const FINISHED = new Set(['completed', 'failed', 'cancelled']);
export const isFinished = (status: string): boolean => FINISHED.has(status);

/** Why pages were not scanned, for people (core/audit.ts SkipReason). */
const SKIP_TEXT: Record<string, string> = {
  [SkipReason.OffSite]: 'on another site',
  [SkipReason.Excluded]: 'matched an exclude pattern',
  [SkipReason.NotIncluded]: 'matched no include pattern',
  [SkipReason.Robots]: 'disallowed by robots.txt',
  [SkipReason.MaxDepth]: 'beyond the link depth limit (maxDepth)',
  [SkipReason.MaxPages]: 'over the page limit (maxPages)',
  [SkipReason.PatternCap]: 'over the per-URL-pattern cap (crawl trap bound)',
  [SkipReason.NonHtml]: 'not an HTML page',
  [SkipReason.BlockedTarget]: 'refused by the target-safety rules',
  [SkipReason.InvalidUrl]: 'not a valid http(s) URL',
  [SkipReason.OffSiteRedirect]: 'redirected to another site',
  [SkipReason.DuplicateRedirect]: 'redirected to a page already in the audit',
  [SkipReason.SampledOut]: 'not sampled (its template had its sample)',
  [SkipReason.Cancelled]: 'the audit was cancelled first',
};
const skipText = (reason: string): string => SKIP_TEXT[reason] ?? reason;
/** Skip reasons that mean a limit of the audit was reached (the report says so). */
const BOUNDS: readonly string[] = [SkipReason.MaxPages, SkipReason.MaxDepth, SkipReason.PatternCap];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};
const impactBadge = (impact: string | null) => html`<span class="impact impact-${impact ?? 'none'}">${impact ?? 'no impact'}</span>`;

// --- progress (the live region) -------------------------------------------------------------------------

/** One line for the polite live region: announced only when it changes. */
export function auditSummary(a: Pick<AuditView, 'status' | 'progress'>): string {
  const p = a.progress;
  const counts = `${p.scanned} of ${p.discovered} discovered pages scanned, ${p.failed} failed, ${p.skipped} skipped`;
  if (a.status === 'completed') return `Audit completed: ${counts}. The site report is ready.`;
  if (isFinished(a.status)) return `Audit ${a.status}: ${counts}.`;
  return `Audit ${a.status}: ${counts}, ${p.scanning} scanning, ${p.queued} queued.`;
}

function skippedList(p: Progress): SafeHtml {
  const reasons = Object.entries(p.skippedByReason).sort(([, x], [, y]) => y - x);
  if (reasons.length === 0) return html``;
  return html`<h3>Skipped pages by reason</h3>
    <ul class="reasons">${reasons.map(([r, n]) => html`<li>${plural(n, 'page')}: ${skipText(r)}</li>`)}</ul>`;
}

function progressFacts(p: Progress): SafeHtml {
  return html`<dl class="facts">
    <div><dt>Discovered</dt><dd>${p.discovered}</dd></div>
    <div><dt>Queued</dt><dd>${p.queued}</dd></div>
    <div><dt>Scanning</dt><dd>${p.scanning}</dd></div>
    <div><dt>Scanned</dt><dd>${p.scanned}</dd></div>
    <div><dt>Failed</dt><dd>${p.failed}</dd></div>
    <div><dt>Skipped</dt><dd>${p.skipped}</dd></div>
  </dl>`;
}

/** The progress region the live refresh replaces: counts, skip reasons, and the cancel button while it runs. */
export function auditProgressRegion(a: AuditView, csrfToken: string): string {
  const p = a.progress;
  const done = p.scanned + p.failed;
  const planned = done + p.queued + p.scanning;
  return html`${progressFacts(p)}
    ${planned > 0 ? html`<p><progress max="${planned}" value="${done}" aria-label="Pages done"></progress> ${done} of ${planned} pages to scan done</p>` : ''}
    ${skippedList(p)}
    ${
      isFinished(a.status)
        ? html`<p><a href="/audits/${a.auditId}">Show the ${a.report ? 'site report' : 'audit'}</a> (the audit is ${a.status}).</p>`
        : html`<form method="post" action="/audits/${a.auditId}/cancel" class="inline-form"><input type="hidden" name="_csrf" value="${csrfToken}">
      <button type="submit" class="danger">Cancel this audit</button></form>`
    }`.value;
}

// --- the site report --------------------------------------------------------------------------------------

function pagesCell(i: SiteIssue): string {
  const est = i.estimatedPages !== undefined && i.estimatedPages > i.pages ? ` (about ${i.estimatedPages} estimated)` : '';
  return `${i.pages} of ${i.ofPages}${est}`;
}

function issuesTable(caption: string, issues: SiteIssue[], empty: string, printable: boolean): SafeHtml {
  if (issues.length === 0) return html`<p>${empty}</p>`;
  return html`${tableWrap(caption)}<table class="issues">
    <caption>${caption}</caption>
    <thead><tr><th scope="col">Impact</th><th scope="col">Rule</th><th scope="col">Where</th><th scope="col">Pages</th><th scope="col">Elements</th><th scope="col">Example pages</th></tr></thead>
    <tbody>${issues.map(
      (i) => html`<tr>
      <td>${impactBadge(i.impact)}</td>
      <th scope="row"><span class="rule-id">${i.ruleId}</span>: ${i.help}
        ${i.wcag.length ? html`<br><span class="muted">WCAG ${i.wcag.join(', ')}</span>` : ''}
        <br><a href="${i.helpUrl}">How to fix ${i.ruleId}<span class="visually-hidden"> (axe-core documentation)</span></a>
        ${i.selector ? html`<br><code>${i.selector}</code>` : ''}</th>
      <td>${i.where}</td>
      <td>${pagesCell(i)}</td>
      <td>${i.elements}</td>
      <td><ul class="plain">${i.examplePages.map((u) => html`<li>${printable ? u : html`<a href="${u}">${u}</a>`}</li>`)}</ul></td>
    </tr>`,
    )}</tbody>
  </table></div>`;
}

function totalsTables(r: SiteReport): SafeHtml {
  return html`<div class="grid">
    <div>${tableWrap('Elements by impact')}<table>
      <caption>Failing elements by impact</caption>
      <thead><tr><th scope="col">Impact</th><th scope="col">Elements</th></tr></thead>
      <tbody>${IMPACTS.map((i) => html`<tr><th scope="row">${impactBadge(i)}</th><td>${r.totals.byImpact[i]}</td></tr>`)}</tbody>
    </table></div></div>
    <div>${
      r.totals.byCriterion.length
        ? html`${tableWrap('Findings by WCAG success criterion')}<table>
      <caption>Findings by WCAG success criterion</caption>
      <thead><tr><th scope="col">Success criterion</th><th scope="col">Issues</th><th scope="col">Pages</th><th scope="col">Elements</th></tr></thead>
      <tbody>${r.totals.byCriterion.map(
        (c) =>
          html`<tr><th scope="row">${c.criterion === 'other' ? 'Best practices' : c.criterion}</th><td>${c.issues}</td><td>${c.pages}</td><td>${c.elements}</td></tr>`,
      )}</tbody>
    </table></div>`
        : html`<p>No WCAG success criterion failed.</p>`
    }</div>
  </div>`;
}

function templatesTable(r: SiteReport): SafeHtml {
  if (r.templates.length === 0) return html`<p>No templates were told apart (no page was scanned).</p>`;
  return html`${tableWrap('Templates')}<table>
    <caption>Templates (pages with the same structure)</caption>
    <thead><tr><th scope="col">Template</th><th scope="col">Pages</th><th scope="col">Scanned</th><th scope="col">Not sampled</th></tr></thead>
    <tbody>${r.templates.map((t) => html`<tr><th scope="row"><code>${t.label}</code></th><td>${t.pages}</td><td>${t.scanned}</td><td>${t.sampledOut}</td></tr>`)}</tbody>
  </table></div>`;
}

function comparisonBlock(r: SiteReport, printable: boolean): SafeHtml {
  const c = r.comparison;
  if (!c) return html`<p>This is the first completed audit of this site: nothing to compare with yet.</p>`;
  const open = issuesTable('Still open since the previous audit', c.open, 'Nothing still open.', printable);
  return html`<p>Against the ${printable ? 'previous audit' : html`<a href="/audits/${c.previousAuditId}">previous audit</a>`} of this site:</p>
    <p class="diff-counts"><span class="badge bad">${c.new.length} new</span> <span class="badge ok">${c.fixed.length} fixed</span> <span class="badge neutral">${c.open.length} still open</span></p>
    ${issuesTable('New since the previous audit', c.new, 'Nothing new.', printable)}
    ${issuesTable('Fixed since the previous audit', c.fixed, 'Nothing fixed.', printable)}
    ${printable ? open : html`<details><summary>Still open (${c.open.length})</summary>${open}</details>`}`;
}

function pageTable(r: SiteReport, printable: boolean): SafeHtml {
  if (r.pageTable.length === 0) return html`<p>No pages.</p>`;
  return html`${tableWrap('Pages')}<table class="pages">
    <caption>Every discovered page</caption>
    <thead><tr><th scope="col">Page</th><th scope="col">Score</th>${IMPACTS.map((i) => html`<th scope="col">${i[0].toUpperCase()}${i.slice(1)}</th>`)}<th scope="col">Template</th><th scope="col">Status</th></tr></thead>
    <tbody>${r.pageTable.map(
      (p) => html`<tr>
      <th scope="row">${p.scanId && !printable ? html`<a href="/scans/${p.scanId}">${p.url}</a>` : p.url}</th>
      <td>${p.score ?? '—'}</td>
      ${IMPACTS.map((i) => html`<td>${p.counts ? p.counts[i] : '—'}</td>`)}
      <td>${p.template ? html`<code>${p.template}</code>` : '—'}</td>
      <td>${p.status}${p.reason ? html`: ${p.status === 'skipped' ? skipText(p.reason) : p.reason}` : ''}</td>
    </tr>`,
    )}</tbody>
  </table></div>`;
}

interface DiscoveryNotes {
  robots?: { url?: string; found?: boolean; respected?: boolean; crawlDelayMs?: number | null; sitemaps?: string[] };
  sitemaps?: Array<{ url: string; entries: number; error?: string }>;
  sitemapEntries?: number;
  notes?: string[];
}

function discoveryBlock(a: AuditView, r: SiteReport | null): SafeHtml {
  const d = (a.discovery ?? {}) as DiscoveryNotes;
  const skipped = r?.pages.skippedByReason ?? a.progress.skippedByReason;
  const bounds = BOUNDS.filter((b) => (skipped[b] ?? 0) > 0);
  const robots = d.robots;
  return html`<ul>
    ${
      robots
        ? html`<li>robots.txt (${robots.url ?? ''}): ${robots.found ? 'found' : 'none'}${robots.found ? (robots.respected ? ', its rules were followed' : ', its rules were not applied (respectRobots off)') : ''}${robots.crawlDelayMs ? `, crawl delay ${robots.crawlDelayMs} ms` : ''}.</li>`
        : html`<li>Discovery has not run yet.</li>`
    }
    ${d.sitemapEntries !== undefined ? html`<li>${plural(d.sitemapEntries, 'page entry', 'page entries')} read from ${plural(d.sitemaps?.length ?? 0, 'sitemap file')}.</li>` : ''}
    ${bounds.map((b) => html`<li>Limit reached: ${plural(skipped[b], 'page')} ${skipText(b)}.</li>`)}
    ${(d.notes ?? []).map((n) => html`<li>${n}</li>`)}
  </ul>
  ${
    d.sitemaps?.length
      ? html`${tableWrap('Sitemaps read')}<table><caption>Sitemap files</caption>
      <thead><tr><th scope="col">Sitemap</th><th scope="col">Entries</th><th scope="col">Problem</th></tr></thead>
      <tbody>${d.sitemaps.map((s) => html`<tr><th scope="row">${s.url}</th><td>${s.entries}</td><td>${s.error ?? '—'}</td></tr>`)}</tbody>
    </table></div>`
      : ''
  }`;
}

/** The site report's sections (h2 and below); the same markup on the page and in the PDF. */
function reportSections(a: AuditView, r: SiteReport, printable: boolean): SafeHtml {
  const site = r.pages;
  return html`<section aria-labelledby="h-score"><h2 id="h-score">Site score</h2>
      <p class="score"><strong>${r.score ?? '—'}</strong> / 100 <span class="muted">(mean page score of ${plural(site.scanned, 'scanned page')}${r.sampling ? ', weighted by template size' : ''})</span></p>
      <p>${plural(site.discovered, 'page')} discovered: ${site.scanned} scanned, ${site.failed} failed, ${site.skipped} skipped.</p>
      ${
        r.sampling
          ? html`<div class="alert warn" role="note"><strong>Sampled:</strong> at most ${plural(r.sampling.perTemplate, 'page')} per template were scanned and the
        figures for the other pages of each template are extrapolated from them ("estimated" below).</div>`
          : ''
      }
      ${a.status !== 'completed' ? html`<div class="alert warn" role="note">This audit is ${a.status}: the report covers only the pages scanned before it stopped.</div>` : ''}
    </section>
    <section aria-labelledby="h-totals"><h2 id="h-totals">Totals</h2>${totalsTables(r)}</section>
    <section aria-labelledby="h-issues"><h2 id="h-issues">Issues, grouped where they are fixed</h2>
      <p>The same problem (rule and element, whatever the page) is one row: one in the shared header is fixed once, in the template, not on every page.</p>
      ${issuesTable('Issues', r.issues, 'No violations found on the scanned pages.', printable)}
    </section>
    <section aria-labelledby="h-compare"><h2 id="h-compare">Compared with the previous audit</h2>${comparisonBlock(r, printable)}</section>
    <section aria-labelledby="h-templates"><h2 id="h-templates">Templates</h2>${templatesTable(r)}</section>
    <section aria-labelledby="h-pages"><h2 id="h-pages">Pages</h2>${pageTable(r, printable)}</section>
    <section aria-labelledby="h-discovery"><h2 id="h-discovery">Discovery notes</h2>${discoveryBlock(a, r)}</section>`;
}

function auditFacts(a: AuditView): SafeHtml {
  return html`<dl class="facts">
    <div><dt>Status</dt><dd>${a.status}${a.failureReason ? html` (${a.failureReason}${a.failureMessage ? `: ${a.failureMessage}` : ''})` : ''}</dd></div>
    <div><dt>Start page</dt><dd>${a.url}</dd></div>
    <div><dt>Client</dt><dd>${a.clientId}</dd></div>
    <div><dt>Created</dt><dd>${fmtDate(a.createdAt)}</dd></div>
    <div><dt>Finished</dt><dd>${fmtDate(a.finishedAt)}</dd></div>
  </dl>`;
}

export const auditTitle = (a: Pick<AuditView, 'url'>): string => `Site audit of ${hostOf(a.url)}`;

/** GET /audits/:id: live progress while the audit runs, then its site report. */
export function auditPage(a: AuditView, ctx: PageContext & { csrfToken: string }, flash?: string): string {
  const running = !isFinished(a.status);
  const r = a.report;
  return layout(
    auditTitle(a),
    { ...ctx, current: 'audits' },
    html`<h1>Site audit <span class="subtitle">${a.url}</span></h1>
    ${flash ? html`<div class="alert" role="status">${flash}</div>` : ''}
    ${auditFacts(a)}
    ${
      r
        ? html`<ul class="actions">
      <li><a href="/audits/${a.auditId}/report.pdf">Download PDF</a></li>
      <li><a href="/audits/${a.auditId}/report.csv">Download issues CSV</a></li>
      <li><a href="/audits/${a.auditId}/report.json">Download JSON</a></li>
      <li><a href="/audits/${a.auditId}/report.earl.jsonld">Download EARL (JSON-LD)</a></li>
      ${a.prospectId ? html`<li><a href="/prospects/${a.prospectId}">Prospect history</a></li>` : ''}
    </ul>`
        : a.prospectId
          ? html`<p><a href="/prospects/${a.prospectId}">Prospect history</a></p>`
          : ''
    }
    <section aria-labelledby="h-progress"><h2 id="h-progress">Progress</h2>
      ${
        running
          ? html`<div class="live-bar" data-live="/audits/${a.auditId}/live">
        <p id="live-status" role="status" aria-live="polite">${auditSummary(a)}</p>
        <p class="muted">Updated <time id="live-time" datetime="${new Date().toISOString()}">${fmtDate(new Date())}</time>; refreshes every 5 s.</p>
        <button type="button" id="live-toggle" aria-pressed="false">Pause live updates</button>
      </div>`
          : html`<p>${auditSummary(a)}</p>`
      }
      <div data-region="progress">${raw(auditProgressRegion(a, ctx.csrfToken))}</div>
    </section>
    ${r ? reportSections(a, r, false) : running ? '' : html`<p>No page was scanned: there is no site report.</p>`}`,
    { script: running },
  );
}

/** The report page to print (PDF export): the same sections, without navigation, forms or scripts. */
export function printableAuditPage(a: AuditView & { report: SiteReport }, css: string): string {
  return printableLayout(
    auditTitle(a),
    html`<h1>${auditTitle(a)} <span class="subtitle">${a.url}</span></h1>
    ${auditFacts(a)}
    ${reportSections(a, a.report, true)}`,
    css,
  );
}

// --- the list and the prospect page's section ---------------------------------------------------------------

function auditRows(audits: AuditListItem[], withClient: boolean): SafeHtml {
  return html`${audits.map(
    (a) => html`<tr>
    <th scope="row"><a href="/audits/${a.auditId}">${a.url}</a><span class="visually-hidden">, created ${fmtDate(a.createdAt)}</span></th>
    ${withClient ? html`<td>${a.clientId}</td>` : ''}
    <td>${a.status}</td>
    <td>${a.progress.scanned} of ${a.progress.discovered} scanned${a.progress.failed ? `, ${a.progress.failed} failed` : ''}${a.progress.skipped ? `, ${a.progress.skipped} skipped` : ''}</td>
    <td>${fmtDate(a.createdAt)}</td>
  </tr>`,
  )}`;
}

export function auditsTable(caption: string, audits: AuditListItem[], withClient: boolean): SafeHtml {
  return html`${tableWrap(caption)}<table>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">Site</th>${withClient ? html`<th scope="col">Client</th>` : ''}<th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Created</th></tr></thead>
    <tbody>${auditRows(audits, withClient)}</tbody>
  </table></div>`;
}

/** GET /audits: newest first, filtered by client (operators) and status, keyset-paged like the other lists. */
export function auditListPage(
  data: { audits: AuditListItem[]; next: string | null },
  filters: { clientId?: string; status?: string },
  ctx: PageContext,
): string {
  const admin = ctx.principal?.kind === 'admin';
  const nextQs = data.next
    ? new URLSearchParams({
        ...(filters.clientId && { clientId: filters.clientId }),
        ...(filters.status && { status: filters.status }),
        cursor: data.next,
      }).toString()
    : null;
  return layout(
    'Site audits',
    { ...ctx, current: 'audits' },
    html`<h1>Site audits</h1>
    <p>Start an audit from a prospect's page, or with <code>POST /api/audits</code> or <code>wcag audit</code>.</p>
    <form method="get" action="/audits" class="inline-form" aria-label="Filter audits">
      ${admin ? html`<label for="f-client">Client</label><input id="f-client" name="clientId" value="${filters.clientId ?? ''}" autocomplete="off">` : ''}
      <label for="f-status">Status</label>
      <select id="f-status" name="status"><option value="">Any</option>${['queued', 'running', 'completed', 'failed', 'cancelled'].map(
        (s) => html`<option${s === filters.status ? html` selected` : ''}>${s}</option>`,
      )}</select>
      <button type="submit">Filter</button>
    </form>
    ${data.audits.length === 0 ? html`<p>No audits match.</p>` : auditsTable('Site audits, newest first', data.audits, admin)}
    ${nextQs ? html`<p><a href="/audits?${nextQs}">Older audits</a></p>` : ''}`,
  );
}

/** What the "Start audit" form shows again after a refusal. */
export interface AuditFormState {
  url: string;
  maxPages?: string;
  perTemplate?: string;
  error?: string;
  /** Fields the error names (url, maxPages, sampling.perTemplate): marked invalid. */
  fields?: string[];
}

/** The prospect page's section: its audits, latest first, and the form that starts one. */
export function prospectAuditsSection(
  prospectId: string,
  audits: AuditListItem[],
  form: AuditFormState,
  csrfToken: string,
  defaultMaxPages: number,
): SafeHtml {
  const invalid = (field: string) =>
    form.error && form.fields?.includes(field) ? html` aria-invalid="true" aria-describedby="audit-error"` : '';
  return html`<section aria-labelledby="h-audits"><h2 id="h-audits">Site audits</h2>
    ${audits.length === 0 ? html`<p>No site audit yet.</p>` : auditsTable('Site audits of this prospect, latest first', audits, false)}
    <h3 id="h-start-audit">Start an audit</h3>
    ${form.error ? html`<div class="alert error" role="alert" id="audit-error">${form.error}</div>` : ''}
    <form method="post" action="/prospects/${prospectId}/audits" class="stack" aria-labelledby="h-start-audit">
      <input type="hidden" name="_csrf" value="${csrfToken}">
      <label for="audit-url">Start URL</label>
      <input id="audit-url" name="url" type="url" required value="${form.url}"${invalid('url')}>
      <label for="audit-max-pages">Most pages to scan</label>
      <input id="audit-max-pages" name="maxPages" type="number" min="1" inputmode="numeric" value="${form.maxPages ?? String(defaultMaxPages)}"${invalid('maxPages')}>
      <label for="audit-per-template">Pages per template (sampling; empty scans every page)</label>
      <input id="audit-per-template" name="perTemplate" type="number" min="1" max="100" inputmode="numeric" value="${form.perTemplate ?? ''}"${invalid('sampling.perTemplate')}>
      <button type="submit">Start audit</button>
    </form>
  </section>`;
}
