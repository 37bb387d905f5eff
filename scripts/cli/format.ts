// Everything the CLI prints, as pure functions of what the API answered (unit-tested; no I/O here). `tty` says whether
// the text goes to a terminal: emoji only there (scripts/terminal.ts).
import { ExitStatus } from '../exit-status';
import { glyphs, type Glyph } from '../terminal';

export type Counts = Record<'waiting' | 'active' | 'finishing' | 'completed' | 'failed' | 'delayed' | 'cancelled', number>;

export interface QueueStats extends Counts {
  window: string;
  queues?: { high: Counts; low: Counts };
  temporal?: { runningWorkflows: number | null; error?: string };
  asOf: string;
}

export type HealthStatus = 'healthy' | 'warning' | 'critical';

export interface Component {
  status: HealthStatus | string;
  message?: string;
  details?: Record<string, unknown>;
}

export interface HealthReport {
  status: HealthStatus | string;
  components?: Record<string, Component>;
  metrics?: { successRate?: number | string | null; averageScanTime?: number | null; memoryUsageMB?: number | null };
  /** If the server gives its own advice, it is printed as well. */
  recommendations?: unknown;
}

export interface BulkItem {
  index: number;
  scanId: string;
  url: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  score: number | null;
  failureReason?: string;
}

export interface BulkOutcome {
  /** Items the file held. */
  total: number;
  successful: number;
  /** Failed, cancelled and rejected items, with the input line's value (prospect id or URL) and why. */
  failed: Array<{ label: string; reason: string }>;
}

const ICON: Record<string, Glyph> = { healthy: 'ok', warning: 'warn', critical: 'fail' };

/** One line per finished item, for logs and pipes: `[12/100] https://… completed (score 87)` (`✅` after `]` on a TTY). */
export function progressLine(
  done: number,
  total: number,
  label: string,
  item: Pick<BulkItem, 'status' | 'score' | 'failureReason'>,
  tty = false,
): string {
  const g = glyphs(tty);
  const head = `[${done}/${total}]`;
  if (item.status === 'completed')
    return `${head} ${g('ok')}${label} completed${item.score === null ? ' (inconclusive)' : ` (score ${item.score})`}`;
  if (item.status === 'cancelled') return `${head} ${g('fail')}${label} cancelled`;
  return `${head} ${g('fail')}${label} failed: ${item.failureReason ?? 'unknown'}`;
}

/** The in-place TTY bar: `[██████░░░░░░░░░░░░░░] 30/100  ✅ 28  ❌ 2  running 3`. */
export function progressBar(done: number, total: number, c: { ok: number; failed: number; running: number }, width = 30): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}  ✅ ${c.ok}  ❌ ${c.failed}  running ${c.running}`;
}

/** The seed's closing summary, with every failed item and its reason (the seed's emoji on a terminal). */
export function bulkSummary(o: BulkOutcome, tty = false, maxListed = 50): string[] {
  const g = glyphs(tty);
  const lines = [
    o.failed.length === 0 ? `${g('ok')}Bulk scan completed!` : `${g('warn')}Bulk scan completed with failures`,
    `${g('stats')}Total processed: ${o.total}`,
    `${g('ok')}Successful: ${o.successful}`,
    `${g('fail')}Failed: ${o.failed.length}`,
  ];
  for (const f of o.failed.slice(0, maxListed)) lines.push(`   - ${f.label}: ${f.reason}`);
  if (o.failed.length > maxListed) lines.push(`   … and ${o.failed.length - maxListed} more`);
  return lines;
}

/** Queue statistics in the seed's layout, plus what this system adds (finishing, delayed, per queue, Temporal). */
export function statsBlock(s: QueueStats, tty = false): string[] {
  const row = (name: string, n: number) => `${`${name}:`.padEnd(11)}${String(n).padStart(6)} jobs`;
  const lines = [
    `${glyphs(tty)('stats')}Queue Statistics (finished in the last ${s.window})`,
    row('Waiting', s.waiting),
    row('Active', s.active),
    row('Finishing', s.finishing),
    row('Delayed', s.delayed),
    row('Completed', s.completed),
    row('Failed', s.failed),
    row('Cancelled', s.cancelled),
  ];
  if (s.queues) {
    const q = (n: string, c: Counts) =>
      `  ${n.padEnd(5)} waiting ${c.waiting}, active ${c.active}, delayed ${c.delayed}, completed ${c.completed}, failed ${c.failed}`;
    lines.push(q('high', s.queues.high), q('low', s.queues.low));
  }
  if (s.temporal) {
    lines.push(`Temporal running workflows: ${s.temporal.runningWorkflows ?? `unknown (${s.temporal.error ?? 'no answer'})`}`);
  }
  return lines;
}

const formatMetric = (v: unknown, unit = ''): string => (v === null || v === undefined ? 'n/a' : `${String(v)}${unit}`);

/** The health block: overall status, each component, the headline metrics. */
export function healthBlock(h: HealthReport, tty = false): string[] {
  const g = glyphs(tty);
  const icon = (status: string) => g(ICON[status] ?? 'unknown');
  const lines = [`${g('health')}Health Status`, `Status: ${icon(h.status)}${capitalise(h.status)}`];
  for (const [name, c] of Object.entries(h.components ?? {})) {
    lines.push(`  ${icon(c.status)}${name.padEnd(10)} ${c.status}${c.message ? `: ${c.message}` : ''}`);
  }
  if (h.metrics) {
    const rate = typeof h.metrics.successRate === 'number' ? `${h.metrics.successRate}%` : formatMetric(h.metrics.successRate);
    lines.push(
      `Success rate: ${rate}   Average scan time: ${formatMetric(h.metrics.averageScanTime, ' ms')}   Memory: ${formatMetric(h.metrics.memoryUsageMB, ' MB')}`,
    );
  }
  return lines;
}

// What an operator does about each unhealthy component; the README's runbooks have the details.
const ADVICE: Record<string, string> = {
  queue:
    'backlog or failures: `wcag stats`; failed scans: GET /api/monitoring/queue/failed; add workers (`docker compose up -d --scale worker=N`)',
  puppeteer: 'browser pool: restart it on one worker with POST /api/monitoring/workers/<identity>/restart-browser; check MAX_MEMORY_MB',
  browser: 'browser pool: restart it on one worker with POST /api/monitoring/workers/<identity>/restart-browser; check MAX_MEMORY_MB',
  database: 'Postgres: `pg_isready -d "$DATABASE_URL"`, GET /readyz; the API and workers reconnect on their own once it is back',
  workers:
    'no worker polling: start one (`npm run worker`, or `docker compose up -d --scale worker=N`); GET /api/monitoring/workers lists them',
  temporal: 'Temporal: `temporal operator cluster health --address $TEMPORAL_ADDRESS`; workers and the API reconnect on their own',
};

/** One recommendation per component that is not healthy, then whatever the server itself recommends. */
export function recommendations(h: HealthReport): string[] {
  const out: string[] = [];
  for (const [name, c] of Object.entries(h.components ?? {})) {
    if (c.status === 'healthy') continue;
    out.push(`${name}: ${ADVICE[name] ?? `see the README runbooks (${c.message ?? c.status})`}`);
  }
  if (Array.isArray(h.recommendations)) {
    for (const r of h.recommendations) out.push(typeof r === 'string' ? r : JSON.stringify(r));
  } else if (h.recommendations && typeof h.recommendations === 'object') {
    for (const [k, v] of Object.entries(h.recommendations as Record<string, unknown>))
      out.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return out;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// --- wcag audit ---

export interface AuditIssueView {
  ruleId: string;
  impact: string | null;
  help: string;
  where: string;
  pages: number;
}

/** What `wcag audit --wait` reads of GET /api/audits/:id (the site report's types live in audits/site-report.ts). */
export interface AuditView {
  auditId: string;
  status: string;
  options?: { maxPages?: number };
  progress: { discovered: number; queued: number; scanning: number; scanned: number; failed: number; skipped: number };
  failureReason?: string | null;
  failureMessage?: string | null;
  report: { score: number | null; issues: AuditIssueView[] } | null;
}

/** `scanned 37/100 · failed 1 · skipped 12 · discovered 140 (running)`: the denominator is the audit's maxPages. */
export function auditProgressLine(a: Pick<AuditView, 'progress' | 'options' | 'status'>): string {
  const p = a.progress;
  const of = a.options?.maxPages ? `/${a.options.maxPages}` : '';
  return `scanned ${p.scanned}${of} · failed ${p.failed} · skipped ${p.skipped} · discovered ${p.discovered} (${a.status})`;
}

const IMPACT_ORDER = ['critical', 'serious', 'moderate', 'minor'];
const rank = (impact: string | null) => {
  const i = IMPACT_ORDER.indexOf(impact ?? '');
  return i < 0 ? IMPACT_ORDER.length : i;
};

/**
 * The exit status of `wcag audit --wait`: 1 with a one-line reason when the audit did not complete, or (with
 * `failOn`) when its report has an issue at or above that impact; 0 otherwise.
 */
export function auditExitCode(
  a: Pick<AuditView, 'status' | 'failureReason' | 'failureMessage' | 'report'>,
  failOn?: string,
): {
  code: number;
  error?: string;
} {
  if (a.status !== 'completed') {
    const why = [a.failureReason, a.failureMessage].filter(Boolean).join(': ');
    return { code: ExitStatus.Failure, error: `audit ${a.status}${why ? ` (${why})` : ''}` };
  }
  if (!failOn) return { code: ExitStatus.Ok };
  const found = (a.report?.issues ?? []).filter((i) => rank(i.impact) <= rank(failOn));
  if (found.length === 0) return { code: ExitStatus.Ok };
  return { code: ExitStatus.Failure, error: `${found.length} site issue(s) at or above ${failOn} (--fail-on ${failOn})` };
}

/** The closing summary: score, issues by impact, the top site issues with where to fix them. */
export function auditSummary(a: AuditView, opts: { tty: boolean; top?: number }): string[] {
  const p = a.progress;
  const mark = (ok: boolean) => glyphs(opts.tty)(ok ? 'ok' : 'fail');
  const lines = [
    `${mark(a.status === 'completed')}audit ${a.auditId} ${a.status}: score ${a.report?.score ?? 'n/a'} · ` +
      `${p.scanned} pages scanned, ${p.failed} failed, ${p.skipped} skipped, ${p.discovered} discovered`,
  ];
  const issues = [...(a.report?.issues ?? [])].sort((x, y) => rank(x.impact) - rank(y.impact) || y.pages - x.pages);
  const byImpact = IMPACT_ORDER.map((impact) => `${impact} ${issues.filter((i) => i.impact === impact).length}`);
  lines.push(`site issues: ${issues.length} (${byImpact.join(' · ')})`);
  const top = issues.slice(0, opts.top ?? 10);
  if (top.length) lines.push(`top ${top.length}:`);
  for (const i of top) lines.push(`  [${i.impact ?? 'n/a'}] ${i.ruleId}: ${i.help} (${i.where})`);
  return lines;
}
