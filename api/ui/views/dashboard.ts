import { lines, stackedBars, type Series } from '../charts';
import { fmtDate, fmtDuration, html, raw, tableWrap, type SafeHtml } from '../html';
import { RANGES, type RangeKey, type Section, type UiService } from '../ui.service';
import { layout, type PageContext } from './layout';

type Dashboard = Awaited<ReturnType<UiService['dashboard']>>;

const unavailable = (s: { ok: false; message: string }) => html`<p class="unavailable">${s.message}.</p>`;
function region<T>(s: Section<T>, fn: (v: T) => SafeHtml): SafeHtml {
  return s.ok ? fn(s.value) : unavailable(s);
}

const STATUS_BADGE: Record<string, string> = { healthy: 'ok', warning: 'warn', critical: 'bad' };

function healthRegion(d: Dashboard): SafeHtml {
  return region(
    d.health,
    (h) => html`<p>Overall: <span class="badge ${STATUS_BADGE[h.status] ?? 'neutral'}">${h.status}</span></p>
    <ul class="health">${h.components.map(
      (c) =>
        html`<li><span class="badge ${STATUS_BADGE[c.status] ?? 'neutral'}">${c.status}</span> <strong>${c.component}</strong>: ${c.message}</li>`,
    )}</ul>`,
  );
}

function queuesRegion(d: Dashboard): SafeHtml {
  return region(d.queues, (q) => {
    const cols = ['waiting', 'active', 'finishing', 'delayed', 'completed', 'failed', 'cancelled'] as const;
    return html`${tableWrap(`Queues table`)}<table>
      <caption>Scans per queue (finished counts: last ${q.window})</caption>
      <thead><tr><th scope="col">Queue</th>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
      <tbody>${Object.entries(q.queues).map(([name, c]) => html`<tr><th scope="row">${name}</th>${cols.map((k) => html`<td>${c[k]}</td>`)}</tr>`)}</tbody>
    </table></div>
    <p>Temporal lists ${q.temporal.runningWorkflows ?? 'an unknown number of'} running scan workflows${q.temporal.error ? html` (${q.temporal.error})` : ''}.</p>`;
  });
}

function activeRegion(d: Dashboard, csrf: string): SafeHtml {
  return region(d.active, (rows) =>
    rows.length === 0
      ? html`<p>No scan is queued or running.</p>`
      : html`${tableWrap(`Active scans table`)}<table>
      <caption>Queued and running scans (oldest first, at most 50)</caption>
      <thead><tr><th scope="col">Page</th><th scope="col">Client</th><th scope="col">Stage</th><th scope="col">Elapsed</th><th scope="col">Attempt</th><th scope="col">Temporal</th><th scope="col">Action</th></tr></thead>
      <tbody>${rows.map(
        (s) => html`<tr>
        <td><a href="/scans/${s.id}">${s.url}</a></td><td>${s.clientId}</td><td>${s.stage}</td>
        <td>${fmtDuration(Date.now() - (s.startedAt ?? s.createdAt).getTime())}</td><td>${s.attempts || '—'}</td>
        <td><a href="${s.temporalUiUrl}">Workflow<span class="visually-hidden"> of ${s.url}</span></a></td>
        <td><form method="post" action="/scans/${s.id}/cancel"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="/dashboard">
          <button type="submit" class="danger">Cancel<span class="visually-hidden"> scan of ${s.url}</span></button></form></td>
      </tr>`,
      )}</tbody></table></div>`,
  );
}

function workersRegion(d: Dashboard): SafeHtml {
  return region(d.workers, (rows) =>
    rows.length === 0
      ? html`<p>No worker has reported telemetry.</p>`
      : html`${tableWrap(`Workers table`)}<table><caption>Workers and their browser pools</caption>
      <thead><tr><th scope="col">Worker</th><th scope="col">State</th><th scope="col">Pages in use</th><th scope="col">Chromium memory (PSS)</th><th scope="col">Worker memory (RSS)</th><th scope="col">Browser restarts</th><th scope="col">Last seen</th></tr></thead>
      <tbody>${rows.map((w) => {
        const restarts = Object.entries(w.browser.restarts as Record<string, number>).filter(([, n]) => n > 0);
        return html`<tr><th scope="row">${w.identity}</th><td>${w.state}${w.browser.draining ? ' (draining)' : ''}</td>
          <td>${w.browser.pagesInUse} / ${w.browser.maxPages}</td>
          <td>${w.browser.chromiumMemoryMb.pss} MB</td><td>${w.process.rssMb} MB</td>
          <td>${restarts.length ? restarts.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}</td><td>${fmtDate(w.lastSeenAt)}</td></tr>`;
      })}</tbody></table></div>`,
  );
}

function alertsRegion(d: Dashboard): SafeHtml {
  return region(d.alerts, (rows) =>
    rows.length === 0
      ? html`<p>No alerts.</p>`
      : html`<ul class="alerts">${rows.map(
          (a) => html`<li><span class="badge ${a.status === 'firing' ? 'bad' : 'ok'}">${a.status}</span>
        <strong>${a.severity}</strong> ${a.kind}: ${a.message} <span class="muted">(×${a.occurrences}, last ${fmtDate(a.lastSeenAt)})</span></li>`,
        )}</ul>`,
  );
}

function breakersRegion(d: Dashboard): SafeHtml {
  return region(d.breakers, (rows) =>
    rows.length === 0
      ? html`<p>No circuit breaker has tripped or been recorded.</p>`
      : html`${tableWrap(`Circuit breakers table`)}<table><caption>Circuit breakers</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Failures</th><th scope="col">Opened</th><th scope="col">Updated</th></tr></thead>
      <tbody>${rows.map((b) => html`<tr><th scope="row">${b.name}</th><td><span class="badge ${b.state === 'closed' ? 'ok' : 'bad'}">${b.state}</span></td><td>${b.failures}</td><td>${fmtDate(b.openedAt)}</td><td>${fmtDate(b.updatedAt)}</td></tr>`)}</tbody></table></div>`,
  );
}

const FAILURE_CLASSES = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];

function chartsRegion(d: Dashboard): SafeHtml {
  return region(d.charts, (c) => {
    // Every bucket of the range, including empty ones, so gaps show as gaps.
    const step = c.bucket === 'hour' ? 3_600_000 : 86_400_000;
    const start = Math.floor(c.since.getTime() / step) * step;
    const keys: number[] = [];
    for (let t = start; t <= Date.now(); t += step) keys.push(t);
    const byKey = new Map(c.buckets.map((b) => [new Date(b.at).getTime(), b]));
    const label = (t: number) =>
      c.bucket === 'hour' && c.range === '24h'
        ? new Date(t).toISOString().slice(11, 16)
        : new Date(t)
            .toISOString()
            .slice(5, c.bucket === 'hour' ? 13 : 10)
            .replace('T', ' ');
    const labels = keys.map(label);
    const pick = (f: (b: (typeof c.buckets)[number]) => number | null) => keys.map((k) => (byKey.has(k) ? f(byKey.get(k)!) : null));
    const count = (f: (b: (typeof c.buckets)[number]) => number) => keys.map((k) => (byKey.has(k) ? f(byKey.get(k)!) : 0));
    const total = c.buckets.reduce((a, b) => a + b.total, 0);
    const ok = c.buckets.reduce((a, b) => a + b.completed, 0);
    const per = c.bucket === 'hour' ? 'hour' : 'day';
    const categories = [...new Set(c.failures.map((f) => f.category))].slice(0, FAILURE_CLASSES.length);
    const failSeries: Series[] = categories.map((cat, i) => ({
      name: cat,
      cls: FAILURE_CLASSES[i],
      values: keys.map((k) => c.failures.filter((f) => f.category === cat && new Date(f.at).getTime() === k).reduce((a, f) => a + f.n, 0)),
    }));
    const p95s = c.buckets.map((b) => b.p95 ?? 0);
    return html`<div class="charts">
      ${stackedBars(`Scans finished per ${per}`, `${total} scans, ${ok} completed`, labels, [
        { name: 'completed', cls: 'ok', values: count((b) => b.completed) },
        { name: 'failed', cls: 'bad', values: count((b) => b.failed) },
        { name: 'cancelled', cls: 'neutral', values: count((b) => b.cancelled) },
      ])}
      ${lines(
        `Success rate per ${per}`,
        total ? `${Math.round((100 * ok) / total)} % over the period` : 'no scans',
        labels,
        [{ name: 'success rate', cls: 'ok', values: pick((b) => (b.total ? Math.round((100 * b.completed) / b.total) : null)) }],
        '%',
        100,
      )}
      ${stackedBars('Failure categories', categories.length ? categories.join(', ') : 'no failures', labels, failSeries)}
      ${lines(
        'Scan duration (p50 and p95)',
        `p95 up to ${fmtDuration(Math.round(Math.max(0, ...p95s)))}`,
        labels,
        [
          { name: 'p50', cls: 'c1', values: pick((b) => (b.p50 === null ? null : Math.round(b.p50 / 100) / 10)) },
          { name: 'p95', cls: 'c2', values: pick((b) => (b.p95 === null ? null : Math.round(b.p95 / 100) / 10)) },
        ],
        ' s',
      )}
      ${memoryChart(c.range, c.memory)}
    </div>`;
  });
}

const WORKER_CLASSES = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];

/** Memory per worker (MB, Chromium PSS + worker RSS) from the stored health reports; the newest workers first. */
function memoryChart(
  range: RangeKey,
  m: { since: Date; bucketSeconds: number; points: Array<{ at: Date; identity: string; mb: number }> },
): SafeHtml {
  const title = `Memory per worker in MB (Chromium PSS + worker RSS)${range === '30d' ? ', last 7 days' : ''}`;
  if (m.points.length === 0)
    return html`<p class="empty">${title}: no worker telemetry in the health reports of this period (kept 7 days).</p>`;
  const step = m.bucketSeconds * 1000;
  const keys: number[] = [];
  for (let t = Math.floor(m.since.getTime() / step) * step; t <= Date.now(); t += step) keys.push(t);
  const lastSeen = new Map<string, number>();
  for (const p of m.points) lastSeen.set(p.identity, Math.max(lastSeen.get(p.identity) ?? 0, new Date(p.at).getTime()));
  const identities = [...lastSeen.keys()].sort((a, b) => lastSeen.get(b)! - lastSeen.get(a)! || a.localeCompare(b));
  const shown = identities.slice(0, WORKER_CLASSES.length);
  const byKey = new Map(m.points.map((p) => [`${p.identity}@${new Date(p.at).getTime()}`, p.mb]));
  const series: Series[] = shown.map((id, i) => ({
    name: id,
    cls: WORKER_CLASSES[i],
    values: keys.map((k) => byKey.get(`${id}@${k}`) ?? null),
  }));
  const peak = Math.max(...m.points.filter((p) => shown.includes(p.identity)).map((p) => p.mb));
  const label = (t: number) =>
    new Date(t)
      .toISOString()
      .slice(range === '24h' ? 11 : 5, 16)
      .replace('T', ' ');
  const hidden = identities.length - shown.length;
  const summary = `${shown.length} worker${shown.length === 1 ? '' : 's'}, peak ${peak} MB, averaged per ${m.bucketSeconds / 60} min${hidden ? `; ${hidden} older workers not shown` : ''}`;
  return lines(title, summary, keys.map(label), series);
}

/** The regions the live refresh replaces, by id. */
export function dashboardRegions(d: Dashboard, csrf: string): Record<string, string> {
  return {
    health: healthRegion(d).value,
    queues: queuesRegion(d).value,
    active: activeRegion(d, csrf).value,
    workers: workersRegion(d).value,
    alerts: alertsRegion(d).value,
    breakers: breakersRegion(d).value,
    charts: chartsRegion(d).value,
  };
}

/** A one-line summary for the polite live region: announced only when it changes. */
export function dashboardSummary(d: Dashboard): string {
  const active = d.active.ok ? d.active.value.length : null;
  const failed = d.queues.ok ? d.queues.value.failed : null;
  const bad = d.health.ok ? d.health.value.components.filter((c) => c.status !== 'healthy').length : null;
  return [
    active === null ? null : `${active} active scan${active === 1 ? '' : 's'}`,
    failed === null ? null : `${failed} failed in the last ${d.range}`,
    bad ? `${bad} component problem${bad === 1 ? '' : 's'}` : null,
  ]
    .filter(Boolean)
    .join(', ');
}

export function dashboardPage(d: Dashboard, ctx: PageContext & { csrfToken: string }, flash?: string): string {
  const r = dashboardRegions(d, ctx.csrfToken);
  const section = (id: string, title: string) =>
    html`<section aria-labelledby="h-${id}" class="panel panel-${id}"><h2 id="h-${id}">${title}</h2><div data-region="${id}">${raw(r[id])}</div></section>`;
  return layout(
    'Dashboard',
    { ...ctx, current: 'dashboard' },
    html`<h1>Operations dashboard</h1>
    ${flash ? html`<div class="alert" role="status">${flash}</div>` : ''}
    <div class="live-bar" data-live="/dashboard/live?range=${d.range}">
      <p id="live-status" role="status" aria-live="polite">${dashboardSummary(d)}</p>
      <p class="muted">Updated <time id="live-time" datetime="${d.asOf.toISOString()}">${fmtDate(d.asOf)}</time>; refreshes every 5 s.</p>
      <button type="button" id="live-toggle" aria-pressed="false">Pause live updates</button>
    </div>
    <div class="grid">
      ${section('health', 'Component health')}
      ${section('alerts', 'Recent alerts')}
      ${section('breakers', 'Circuit breakers')}
    </div>
    ${section('queues', 'Queues')}
    ${section('active', 'Active scans')}
    ${section('workers', 'Workers and browser pools')}
    <section aria-labelledby="h-charts" class="panel" id="history"><h2 id="h-charts">History</h2>
      <nav aria-label="Chart period"><ul class="tabs">${(Object.keys(RANGES) as RangeKey[]).map(
        (k) => html`<li><a href="/dashboard?range=${k}"${k === d.range ? html` aria-current="page"` : ''}>Last ${k}</a></li>`,
      )}</ul></nav>
      <div data-region="charts">${raw(r.charts)}</div>
    </section>`,
    { script: true },
  );
}
