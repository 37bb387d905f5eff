import { IMPACT_WEIGHT, rulePenalty as penalty } from '../../../core/scoring';
import type { FlaggedBox } from '../../../activities/scan-screenshot';
import { lines } from '../charts';
import { fmtDate, fmtDuration, html, tableWrap, type SafeHtml } from '../html';
import { selectorText, type Issue, type IssueDiff } from '../../../core/issues';
import { groupByWcag, type ReportRule } from '../report';
import type { UiService } from '../ui.service';
import { prospectAuditsSection, type AuditFormState } from './audits';
import { layout, type PageContext } from './layout';

type Report = NonNullable<Awaited<ReturnType<UiService['report']>>>;
type Prospect = NonNullable<Awaited<ReturnType<UiService['prospect']>>>;
type Compare = NonNullable<Awaited<ReturnType<UiService['compare']>>>;

const impactBadge = (impact: string | null) => html`<span class="impact impact-${impact ?? 'none'}">${impact ?? 'no impact'}</span>`;

function scoreExplanation(rep: Report, violations: ReportRule[]): SafeHtml {
  const s = rep.scan;
  if (s.status !== 'completed') return html``;
  if (s.inconclusive) {
    return html`<div class="alert warn" role="note"><strong>Inconclusive:</strong> ${s.inconclusiveReason ?? 'the page could not be tested completely'}.
      No score is given, and the findings below may be incomplete: a clean result here does not mean the page is accessible.</div>`;
  }
  const rows = [...violations].sort((a, b) => penalty(b) - penalty(a));
  return html`<details class="explain"><summary>How the score of ${s.score ?? '—'} is calculated</summary>
    <p>100 minus, for each violated rule, its impact weight (critical ${IMPACT_WEIGHT.critical}, serious ${IMPACT_WEIGHT.serious},
    moderate ${IMPACT_WEIGHT.moderate}, minor ${IMPACT_WEIGHT.minor}) plus 10 % of that weight for each further failing element (at most 10 more),
    never below 0. A rule counts once however many elements fail, so one template bug does not outweigh ten different problems.
    "Needs review" results do not count.</p>
    ${
      rows.length
        ? html`${tableWrap(`Points lost per rule`)}<table><caption>Points lost per rule</caption>
      <thead><tr><th scope="col">Rule</th><th scope="col">Impact</th><th scope="col">Elements</th><th scope="col">Points</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr><th scope="row">${r.ruleId}</th><td>${r.impact ?? '—'}</td><td>${r.nodeCount}</td><td>−${penalty(r).toFixed(1)}</td></tr>`)}</tbody>
    </table></div>`
        : html`<p>No violations: nothing was deducted.</p>`
    }
  </details>`;
}

function ruleBlock(r: ReportRule, level: number, idPrefix: string): SafeHtml {
  const heading = html`<span class="rule-id">${r.ruleId}</span>: ${r.help} ${impactBadge(r.impact)}`;
  return html`<article class="rule" aria-labelledby="${idPrefix}-${r.ruleId}">
    ${level === 5 ? html`<h5 id="${idPrefix}-${r.ruleId}">${heading}</h5>` : html`<h4 id="${idPrefix}-${r.ruleId}">${heading}</h4>`}
    <p>${r.nodeCount} element${r.nodeCount === 1 ? '' : 's'}${r.nodes.length < r.nodeCount ? html` (first ${r.nodes.length} shown)` : ''}.
      <a href="${r.helpUrl}">How to fix ${r.ruleId}<span class="visually-hidden"> (axe-core documentation)</span></a></p>
    <ol class="nodes">${r.nodes.map(
      (n) => html`<li>
      <p><span class="label">Selector</span> <code>${selectorText(n.target)}</code></p>
      <pre><code>${n.html}</code></pre>
      ${n.failureSummary ? html`<p class="summary">${n.failureSummary}</p>` : ''}
    </li>`,
    )}</ol>
  </article>`;
}

function grouped(rules: ReportRule[], idPrefix: string): SafeHtml {
  return html`${groupByWcag(rules).map(
    (p) => html`<section class="principle" aria-labelledby="${idPrefix}-p${p.principle}">
    <h3 id="${idPrefix}-p${p.principle}">${p.principle === 'other' ? '' : `${p.principle}. `}${p.name}</h3>
    ${p.criteria.map(
      (c) => html`<section class="criterion" aria-labelledby="${idPrefix}-sc${c.sc.replace(/\./g, '-')}">
      <h4 id="${idPrefix}-sc${c.sc.replace(/\./g, '-')}">${c.sc === 'other' ? 'Best practices' : `Success criterion ${c.sc}`}</h4>
      ${c.rules.map((r) => ruleBlock(r, 5, `${idPrefix}-${c.sc.replace(/\./g, '-')}`))}
    </section>`,
    )}
  </section>`,
  )}`;
}

function screenshotBlock(rep: Report): SafeHtml {
  const shot = rep.screenshot;
  if (!shot)
    return html`<p class="muted">No screenshot was stored for this scan (SCAN_SCREENSHOTS off, or the scan did not reach the page).</p>`;
  const boxes = (shot.boxes as unknown as FlaggedBox[]) ?? [];
  return html`<figure class="screenshot">
    <div class="shot">
      <img src="/scans/${rep.scan.scanId}/screenshot.jpg" alt="The scanned page as the scanner saw it (first screen only)" width="${shot.width}" height="${shot.height}">
      <svg viewBox="0 0 ${shot.width} ${shot.height}" aria-hidden="true" focusable="false">${boxes.map(
        (b) =>
          html`<rect class="box impact-${b.impact ?? 'none'}" x="${b.x}" y="${b.y}" width="${Math.max(b.w, 4)}" height="${Math.max(b.h, 4)}"><title>${b.ruleId}: ${b.target}</title></rect>`,
      )}</svg>
    </div>
    <figcaption>${
      boxes.length
        ? html`${boxes.length} flagged element${boxes.length === 1 ? ' is' : 's are'} outlined in the first screen, coloured by impact; the list below names each of them.`
        : 'None of the flagged elements is in the first screen.'
    }</figcaption>
  </figure>`;
}

export function scanReportPage(rep: Report, ctx: PageContext): string {
  const s = rep.scan;
  const violations = rep.rules.filter((r) => r.kind === 'violation');
  const review = rep.rules.filter((r) => r.kind !== 'violation');
  const elements = (rs: ReportRule[]) => rs.reduce((a, r) => a + r.nodeCount, 0);
  return layout(
    `Report for ${s.url}`,
    { ...ctx, current: 'report' },
    html`<h1>Accessibility report <span class="subtitle">${s.url}</span></h1>
    <dl class="facts">
      <div><dt>Status</dt><dd>${s.status}${s.failureReason ? html` (${s.failureReason})` : ''}</dd></div>
      <div><dt>Score</dt><dd class="score">${s.status === 'completed' ? (s.inconclusive ? 'inconclusive' : html`<strong>${s.score ?? '—'}</strong> / 100`) : '—'}</dd></div>
      <div><dt>Violations</dt><dd>${violations.length} rules, ${elements(violations)} elements</dd></div>
      <div><dt>Needs review</dt><dd>${review.length} rules, ${elements(review)} elements</dd></div>
      <div><dt>Client</dt><dd>${s.clientId}</dd></div>
      <div><dt>Finished</dt><dd>${fmtDate(s.finishedAt)} (${fmtDuration(s.durationMs)})</dd></div>
      ${s.result ? html`<div><dt>Tested</dt><dd>${s.result.finalUrl}, HTTP ${s.result.httpStatus ?? '—'}, axe-core ${s.result.axeVersion}</dd></div>` : ''}
    </dl>
    <ul class="actions">
      <li><a href="/scans/${s.scanId}/violations.csv">Download CSV</a></li>
      <li><a href="/scans/${s.scanId}/violations.json">Download JSON</a></li>
      <li><a href="/scans/${s.scanId}/earl.jsonld">Download EARL (JSON-LD)</a></li>
      ${s.prospectId ? html`<li><a href="/prospects/${s.prospectId}">Prospect history</a></li>` : ''}
      ${ctx.principal?.kind === 'admin' ? html`<li><a href="${s.temporalUiUrl}">Temporal workflow</a></li>` : ''}
    </ul>
    ${
      s.status === 'failed'
        ? html`<div class="alert error" role="note"><strong>The scan failed:</strong> ${s.failureMessage ?? s.failureReason ?? 'unknown'}</div>
      ${s.failedAttempts.length ? html`<ol class="attempts">${s.failedAttempts.map((a) => html`<li>Attempt ${a.attempt}: ${a.category}: ${a.message}</li>`)}</ol>` : ''}`
        : ''
    }
    ${
      s.status === 'queued' || s.status === 'running'
        ? html`<div class="alert" role="note">This scan is ${s.status}; reload for the results.
      <form method="post" action="/scans/${s.scanId}/cancel" class="inline-form"><input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}">
      <button type="submit" class="danger">Cancel this scan</button></form></div>`
        : ''
    }
    ${scoreExplanation(rep, violations)}
    ${s.status === 'completed' ? screenshotBlock(rep) : ''}
    <section aria-labelledby="h-violations"><h2 id="h-violations">Violations</h2>
      ${violations.length ? grouped(violations, 'v') : html`<p>axe-core found no violations${s.inconclusive ? ', but the test was inconclusive' : ''}.</p>`}
    </section>
    <section aria-labelledby="h-review"><h2 id="h-review">Needs review</h2>
      <p>axe-core could not decide these automatically (for example text over images): a person must check them. They do not affect the score.</p>
      ${review.length ? grouped(review, 'r') : html`<p>Nothing to review.</p>`}
    </section>`,
  );
}

function issueTable(caption: string, issues: Issue[], emptyText: string): SafeHtml {
  if (issues.length === 0) return html`<p>${emptyText}</p>`;
  return html`${tableWrap(caption)}<table>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">Rule</th><th scope="col">Impact</th><th scope="col">Elements</th><th scope="col">Example selector</th></tr></thead>
    <tbody>${issues.map((i) => html`<tr><th scope="row"><a href="${i.helpUrl}">${i.ruleId}</a></th><td>${impactBadge(i.impact)}</td><td>${i.count}</td><td><code>${i.selector}</code></td></tr>`)}</tbody>
  </table></div>`;
}

function diffBlock(diff: IssueDiff, idPrefix: string): SafeHtml {
  return html`<p class="diff-counts"><span class="badge bad">${diff.new.length} new</span> <span class="badge ok">${diff.fixed.length} fixed</span> <span class="badge neutral">${diff.open.length} still open</span></p>
    ${issueTable('New since the previous scan', diff.new, 'Nothing new.')}
    ${issueTable('Fixed since the previous scan', diff.fixed, 'Nothing fixed.')}
    <details><summary>Still open (${diff.open.length})<span class="visually-hidden"> ${idPrefix}</span></summary>${issueTable('Still open', diff.open, 'Nothing still open.')}</details>`;
}

function compareForm(
  prospectId: string,
  scans: Array<{ scanId: string; createdAt: Date; status: string; score: number | null }>,
  a?: string,
  b?: string,
): SafeHtml {
  const done = scans.filter((s) => s.status === 'completed');
  if (done.length < 2) return html`<p>Two completed scans are needed to compare.</p>`;
  const opt = (sel?: string) =>
    done.map(
      (s) =>
        html`<option value="${s.scanId}"${s.scanId === sel ? html` selected` : ''}>${fmtDate(s.createdAt)} (score ${s.score ?? '—'})</option>`,
    );
  return html`<form method="get" action="/prospects/${prospectId}/compare" class="inline-form">
    <label for="cmp-a">Earlier scan</label><select id="cmp-a" name="a">${opt(a ?? done[1].scanId)}</select>
    <label for="cmp-b">Later scan</label><select id="cmp-b" name="b">${opt(b ?? done[0].scanId)}</select>
    <button type="submit">Compare</button>
  </form>`;
}

export function prospectPage(p: Prospect, ctx: PageContext, auditForm: AuditFormState): string {
  const h = p.history;
  const trend = h.trend;
  return layout(
    `History of ${p.prospect.name ?? p.prospect.url}`,
    { ...ctx, current: 'prospect' },
    html`<h1>Prospect history <span class="subtitle">${p.prospect.name ?? p.prospect.url}</span></h1>
    <dl class="facts">
      <div><dt>Site</dt><dd>${p.prospect.url}</dd></div>
      <div><dt>Client</dt><dd>${p.prospect.clientId}</dd></div>
      ${p.prospect.externalId ? html`<div><dt>External id</dt><dd>${p.prospect.externalId}</dd></div>` : ''}
      <div><dt>Latest score</dt><dd class="score">${h.latestScore ?? '—'}${'delta' in h && h.delta !== undefined ? html` <span class="muted">(${h.delta >= 0 ? '+' : ''}${h.delta} since the scan before)</span>` : ''}</dd></div>
      <div><dt>Scans</dt><dd>${h.scans.length}${h.scans.length === 50 ? ' (newest 50 shown)' : ''}</dd></div>
    </dl>
    ${prospectAuditsSection(h.prospectId, p.audits, auditForm, ctx.csrfToken ?? '', p.defaultAuditPages)}
    <section aria-labelledby="h-trend"><h2 id="h-trend">Score trend</h2>
      ${lines(
        'Score per completed scan',
        trend.length ? `from ${trend[0].score} to ${trend[trend.length - 1].score} over ${trend.length} scans` : 'no completed scans',
        trend.map((t) => t.finishedAt.toISOString().slice(5, 16).replace('T', ' ')),
        [{ name: 'score', cls: 'c1', values: trend.map((t) => t.score) }],
        '',
        100,
      )}
    </section>
    <section aria-labelledby="h-latest"><h2 id="h-latest">Open issues in the latest scan</h2>
      <p>Issues are grouped by fingerprint (rule, selector without positions, markup without per-element values): the same template problem repeated on many elements shows once, with its count.</p>
      ${issueTable('Open issues, latest scan', p.latestIssues, 'No open issues.')}
    </section>
    <section aria-labelledby="h-changes"><h2 id="h-changes">What changed with each re-scan</h2>
      ${
        p.diffs.length === 0
          ? html`<p>Only one completed scan so far.</p>`
          : p.diffs.map(
              (d, i) => html`<section aria-labelledby="h-diff-${i}" class="diff">
        <h3 id="h-diff-${i}">Scan of ${fmtDate(d.finishedAt)}</h3>
        <p><a href="/scans/${d.scanId}">Report<span class="visually-hidden"> of the scan of ${fmtDate(d.finishedAt)}</span></a> ·
          <a href="/prospects/${h.prospectId}/compare?a=${d.previousId}&amp;b=${d.scanId}">Compare with the scan before<span class="visually-hidden"> (${fmtDate(d.finishedAt)})</span></a></p>
        ${diffBlock(d.diff, fmtDate(d.finishedAt))}
      </section>`,
            )
      }
    </section>
    <section aria-labelledby="h-compare"><h2 id="h-compare">Compare two scans</h2>${compareForm(h.prospectId, h.scans)}</section>
    <section aria-labelledby="h-scans"><h2 id="h-scans">All scans</h2>
      ${tableWrap(`All scans table`)}<table><caption class="visually-hidden">Scans of this prospect, newest first</caption>
        <thead><tr><th scope="col">Submitted</th><th scope="col">Status</th><th scope="col">Score</th><th scope="col">Report</th></tr></thead>
        <tbody>${h.scans.map(
          (
            s,
          ) => html`<tr><td>${fmtDate(s.createdAt)}</td><td>${s.status}${s.inconclusive ? ' (inconclusive)' : ''}</td><td>${s.score ?? '—'}</td>
          <td><a href="/scans/${s.scanId}">Report<span class="visually-hidden"> of ${fmtDate(s.createdAt)}</span></a></td></tr>`,
        )}</tbody>
      </table></div>
    </section>`,
  );
}

export function comparePage(c: Compare, ctx: PageContext): string {
  const h = c.history;
  return layout(
    `Compare scans of ${h.url}`,
    { ...ctx, current: 'prospect' },
    html`<h1>Compare two scans <span class="subtitle">${h.url}</span></h1>
    <p><a href="/prospects/${h.prospectId}">Back to the prospect history</a></p>
    ${compareForm(h.prospectId, h.scans, c.a?.scanId, c.b?.scanId)}
    ${
      !c.a || !c.b || !c.diff
        ? html`<p role="alert">Choose two scans of this prospect.</p>`
        : html`<div class="compare-head">
          <p>Earlier: <a href="/scans/${c.a.scanId}">${fmtDate(c.a.createdAt)}</a>, score ${c.a.score ?? '—'}</p>
          <p>Later: <a href="/scans/${c.b.scanId}">${fmtDate(c.b.createdAt)}</a>, score ${c.b.score ?? '—'}</p>
        </div>
        ${diffBlock(c.diff, 'compare')}`
    }`,
  );
}

export type FailedPage = Awaited<ReturnType<UiService['failed']>>;

export function failedPage(
  data: FailedPage,
  filters: { category?: string; clientId?: string; since?: string },
  categories: readonly string[],
  ctx: PageContext & { csrfToken: string },
  flash?: string,
): string {
  const nextQs = data.next
    ? new URLSearchParams({
        ...(filters.category && { category: filters.category }),
        ...(filters.clientId && { clientId: filters.clientId }),
        ...(filters.since && { since: filters.since }),
        before: data.next,
      }).toString()
    : null;
  return layout(
    'Failed scans',
    { ...ctx, current: 'failed' },
    html`<h1>Failed scans</h1>
    ${flash ? html`<div class="alert" role="status">${flash}</div>` : ''}
    <form method="get" action="/failed" class="inline-form" aria-label="Filter failed scans">
      <label for="f-category">Category</label>
      <select id="f-category" name="category"><option value="">Any</option>${categories.map((c) => html`<option${c === filters.category ? html` selected` : ''}>${c}</option>`)}</select>
      <label for="f-client">Client</label>
      <input id="f-client" name="clientId" value="${filters.clientId ?? ''}" autocomplete="off">
      <label for="f-since">Finished within</label>
      <select id="f-since" name="since"><option value="">Any time</option>${['1h', '24h', '7d', '30d'].map((s) => html`<option value="${s}"${s === filters.since ? html` selected` : ''}>last ${s}</option>`)}</select>
      <button type="submit">Filter</button>
    </form>
    ${
      data.jobs.length === 0
        ? html`<p>No failed scans match.</p>`
        : html`${tableWrap(`Failed scans table`)}<table>
      <caption>Failed scans, newest first</caption>
      <thead><tr><th scope="col">Page</th><th scope="col">Client</th><th scope="col">Category</th><th scope="col">Message</th><th scope="col">Attempts</th><th scope="col">Finished</th><th scope="col">Temporal</th><th scope="col">Action</th></tr></thead>
      <tbody>${data.jobs.map(
        (j) => html`<tr>
        <td><a href="/scans/${j.jobId}">${j.url}</a></td><td>${j.clientId}</td><td>${j.category ?? '—'}</td><td>${j.message ?? ''}</td>
        <td>${j.attempts}</td><td>${fmtDate(j.finishedAt)}</td>
        <td><a href="${j.temporalUiUrl}">Workflow<span class="visually-hidden"> of ${j.url}</span></a></td>
        <td>${
          j.retriedBy.length
            ? html`<a href="/scans/${j.retriedBy[j.retriedBy.length - 1]}">Retried</a>`
            : html`<form method="post" action="/failed/${j.jobId}/retry">
          <input type="hidden" name="_csrf" value="${ctx.csrfToken}"><button type="submit">Retry<span class="visually-hidden"> scan of ${j.url}</span></button></form>`
        }</td>
      </tr>`,
      )}</tbody></table></div>`
    }
    ${nextQs ? html`<p><a href="/failed?${nextQs}">Older failures</a></p>` : ''}`,
  );
}
