// What each `wcag` command does against the API. Output goes through `out`, so tests can capture it.
import { readFile } from 'node:fs/promises';
import { ExitStatus, healthVerdict, UsageError, type HealthVerdict } from '../exit-status';
import { CLEAR_SCREEN, glyphs, statusLine, type OutStream } from '../terminal';
import type { AuditCommand, Command } from './args';
import {
  auditExitCode,
  auditProgressLine,
  auditSummary,
  bulkSummary,
  healthBlock,
  progressBar,
  progressLine,
  recommendations,
  statsBlock,
  type AuditView,
  type BulkItem,
  type HealthReport,
  type QueueStats,
} from './format';
import { CliError, type Api } from './http';
import { parseInputFile, type InputItem } from './input-file';

export interface Io {
  write(text: string): void;
  /** Messages for people when stdout is the JSON, and the one-line verdict of a failed gate. */
  error(text: string): void;
  /** True when stdout is a terminal: emoji, and progress and monitor redraw in place instead of appending lines. */
  tty: boolean;
  /** The same for stderr, where progress goes under --json. */
  errTty: boolean;
  sleep(ms: number): Promise<void>;
  /** Resolves when the user presses Ctrl-C (monitor's only way out); only monitor listens for it. */
  interrupted(): Promise<void>;
}

export interface RunOptions {
  /** --json: stdout gets one JSON document (monitor: one per refresh); text for people goes to stderr. */
  json: boolean;
}

/** Where a command's output goes: `human` is stdout, or stderr under --json; `json` writes the document. */
interface Output {
  human: OutStream;
  json: boolean;
  emit(doc: unknown): void;
  error(text: string): void;
}

function outputFor(io: Io, o: RunOptions): Output {
  return {
    human: o.json ? { write: (t) => io.error(t), tty: io.errTty } : { write: (t) => io.write(t), tty: io.tty },
    json: o.json,
    emit: (doc) => io.write(`${JSON.stringify(doc, null, 2)}\n`),
    error: (t) => io.error(t),
  };
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const AUDIT_POLL_MS = 2_000;

/** Runs one command; the result is the exit status (scripts/exit-status.ts). */
export async function runCommand(cmd: Command, api: Api, io: Io, opts: RunOptions = { json: false }): Promise<number> {
  const out = outputFor(io, opts);
  switch (cmd.kind) {
    case 'scan':
      return scan(cmd, api, io, out);
    case 'bulk':
      return bulk(cmd, api, io, out);
    case 'audit':
      return audit(cmd, api, io, out);
    case 'stats': {
      const { body } = await api.get<QueueStats>('/api/monitoring/queue/stats');
      if (out.json) out.emit(body);
      else io.write(`${statsBlock(body, io.tty).join('\n')}\n`);
      return ExitStatus.Ok;
    }
    case 'monitor':
      return monitor(cmd.intervalMs, api, io, out);
    case 'health':
      return health(api, io, out);
    case 'keys-create': {
      const { body } = await api.post<{ id: string; clientId: string; key: string }>('/api/keys', {
        clientId: cmd.clientId,
        name: cmd.name,
      });
      if (out.json) out.emit(body);
      else io.write(`key for client ${body.clientId} (id ${body.id}); shown once, store it now:\n${body.key}\n`);
      return ExitStatus.Ok;
    }
    case 'help':
    case 'version':
      return ExitStatus.Ok;
  }
}

async function scan(cmd: Extract<Command, { kind: 'scan' }>, api: Api, io: Io, out: Output): Promise<number> {
  const { body: started } = await api.post<{ scanId: string; workflowId: string }>('/api/scans', {
    url: cmd.url,
    ...(cmd.clientId && { clientId: cmd.clientId }),
    queue: cmd.queue,
    ...(cmd.priority !== undefined && { priority: cmd.priority }),
  });
  if (out.json && !cmd.wait) {
    out.emit(started);
    return ExitStatus.Ok;
  }
  out.human.write(`queued scan ${started.scanId} (workflow ${started.workflowId})\n`);
  if (!cmd.wait) return ExitStatus.Ok;
  type ScanView = {
    status: string;
    score: number | null;
    inconclusive?: boolean;
    counts?: Record<string, number>;
    failureReason?: string;
    failureMessage?: string;
    attempts?: number;
  };
  const g = glyphs(out.human.tty);
  for (;;) {
    const { body: s } = await api.get<ScanView>(`/api/scans/${started.scanId}`);
    if (TERMINAL.has(s.status)) {
      if (out.json) out.emit(s);
      if (s.status === 'completed') {
        const c = s.counts ?? {};
        out.human.write(
          `${g('ok')}completed: score ${s.score ?? 'n/a'}${s.inconclusive ? ' (inconclusive)' : ''}, ${c.violations ?? 0} violations ` +
            `(${c.critical ?? 0} critical, ${c.serious ?? 0} serious), ${c.needsReview ?? 0} need review, ${s.attempts ?? 1} attempt(s)\n`,
        );
        return ExitStatus.Ok;
      }
      out.human.write(
        `${g('fail')}${s.status}${s.failureReason ? `: ${s.failureReason}` : ''}${s.failureMessage ? ` (${s.failureMessage})` : ''}\n`,
      );
      return ExitStatus.Failure;
    }
    await io.sleep(1_000);
  }
}

interface BulkProgress {
  bulkId: string;
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  running: number;
  queued: number;
  done: boolean;
  status: string;
  rejected: Array<{ index: number; reason: string }>;
  items: BulkItem[];
}

/** `wcag bulk --json`: the outcome of the whole file (README "Operator scripts and the `wcag` CLI"). */
export interface BulkReport {
  bulkId: string;
  queue: string;
  /** Items in the file. */
  total: number;
  /** Items the API accepted (the others are in `failures` as `rejected: …`). */
  accepted: number;
  successful: number;
  failed: number;
  /** Every item that did not complete: its line's value (prospect id or URL), 1-based line, and why. */
  failures: Array<{ item: string; line: number | null; reason: string }>;
  /** The accepted items as GET /api/scans/bulk/:id lists them (index = position in the file's items). */
  items: BulkItem[];
}

async function readInput(file: string, urls: boolean): Promise<InputItem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // The file named on the command line cannot be read: nothing is sent, so this is a usage error.
    throw new UsageError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
  }
  return parseInputFile(text, { urls, fileName: file });
}

async function allItems(api: Api, bulkId: string, first: BulkProgress): Promise<BulkItem[]> {
  const items = [...first.items];
  while (items.length < first.total) {
    const { body } = await api.get<BulkProgress>(`/api/scans/bulk/${bulkId}?limit=1000&offset=${items.length}`);
    if (body.items.length === 0) break;
    items.push(...body.items);
  }
  return items;
}

async function bulk(cmd: Extract<Command, { kind: 'bulk' }>, api: Api, io: Io, out: Output): Promise<number> {
  const input = await readInput(cmd.file, cmd.urls);
  const payload = cmd.urls
    ? { scans: input.map((i) => ({ url: i.value })), ...(cmd.clientId && { clientId: cmd.clientId }), queue: cmd.queue }
    : { prospectIds: input.map((i) => i.value), ...(cmd.clientId && { clientId: cmd.clientId }), queue: cmd.queue };
  let started: { bulkId: string; accepted: number; rejected: Array<{ index: number; reason: string }> };
  try {
    ({ body: started } = await api.post<typeof started>('/api/scans/bulk', payload));
  } catch (err) {
    // 422: no item was valid. Nothing was submitted, so this is a summary, not a crash.
    if (err instanceof CliError && err.status === 422) {
      const first = (err.body as { rejected?: Array<{ index: number; reason: string }> } | undefined)?.rejected?.[0];
      const why = first ? `line ${input[first.index]?.line ?? '?'}: ${first.reason}` : err.message;
      const hint = cmd.clientId
        ? ''
        : cmd.urls
          ? '; with the admin key, --client <id> says whose scans they are'
          : "; with the admin key, --client <id> says whose prospects' external ids they are";
      throw new CliError(`no item of ${cmd.file} was accepted (${why})${hint}`);
    }
    throw err;
  }
  const label = (index: number) => input[index]?.value ?? `item ${index}`;
  const lineOf = (index: number) => input[index]?.line ?? null;
  const total = input.length;
  const human = out.human;
  human.write(`submitted bulk ${started.bulkId}: ${started.accepted} of ${total} accepted, queue ${cmd.queue}\n`);

  const failed: Array<{ index: number; reason: string }> = started.rejected.map((r) => ({
    index: r.index,
    reason: `rejected: ${r.reason}`,
  }));
  let doneCount = failed.length;
  const g = glyphs(human.tty);
  for (const f of failed) if (!human.tty) human.write(`[${doneCount}/${total}] ${g('fail')}${label(f.index)} ${f.reason}\n`);
  const seen = new Set<string>();
  let successful = 0;
  let items: BulkItem[] = [];
  const bar = statusLine(human);
  for (;;) {
    const { body: progress } = await api.get<BulkProgress>(`/api/scans/bulk/${started.bulkId}?limit=1000`);
    items = await allItems(api, started.bulkId, progress);
    for (const item of items) {
      if (!TERMINAL.has(item.status) || seen.has(item.scanId)) continue;
      seen.add(item.scanId);
      doneCount += 1;
      if (item.status === 'completed') successful += 1;
      if (!human.tty) human.write(`${progressLine(doneCount, total, label(item.index), item)}\n`);
    }
    if (human.tty) bar.update(progressBar(doneCount, total, { ok: successful, failed: doneCount - successful, running: progress.running }));
    if (progress.done || progress.status !== 'running') break;
    await io.sleep(cmd.intervalMs);
  }
  bar.done();
  for (const item of items) {
    if (item.status === 'failed') failed.push({ index: item.index, reason: item.failureReason ?? 'failed' });
    else if (item.status === 'cancelled') failed.push({ index: item.index, reason: 'cancelled' });
    else if (item.status !== 'completed') failed.push({ index: item.index, reason: `still ${item.status} (bulk ended)` });
  }
  const summary = bulkSummary({ total, successful, failed: failed.map((f) => ({ label: label(f.index), reason: f.reason })) }, human.tty);
  human.write(`${summary.join('\n')}\n`);
  if (out.json) {
    const report: BulkReport = {
      bulkId: started.bulkId,
      queue: cmd.queue,
      total,
      accepted: started.accepted,
      successful,
      failed: failed.length,
      failures: failed.map((f) => ({ item: label(f.index), line: lineOf(f.index), reason: f.reason })),
      items,
    };
    out.emit(report);
  }
  return failed.length === 0 ? ExitStatus.Ok : ExitStatus.Failure;
}

async function fetchHealth(api: Api): Promise<HealthReport> {
  // A critical report may come with 503: its body is still the report.
  const { status, body } = await api.get<HealthReport>('/api/monitoring/health', { allow: [404, 503] });
  if (status === 404) throw new CliError(`${api.baseUrl} has no /api/monitoring/health (404): upgrade the API`, 404);
  if (!body || typeof body.status !== 'string') throw new CliError(`/api/monitoring/health answered ${status} without a status`);
  return body;
}

/** `wcag health --json`: the verdict, and the API's report when there was one. */
export interface HealthCheckReport {
  verdict: HealthVerdict;
  exitStatus: number;
  /** The API's overall status (healthy, warning, critical), null when there was no answer. */
  status: string | null;
  recommendations: string[];
  /** GET /api/monitoring/health as the API answered it. */
  report: HealthReport | null;
  /** Why there is no verdict (UNKNOWN only). */
  error?: string;
}

async function health(api: Api, io: Io, out: Output): Promise<number> {
  let report: HealthReport;
  try {
    report = await fetchHealth(api);
  } catch (err) {
    // Unreachable, refused key, not the WCAG API: the plugin convention's UNKNOWN, never CRITICAL.
    if (!(err instanceof CliError)) throw err;
    out.error(`wcag: ${err.message}\n`);
    const unknown = healthVerdict(undefined);
    if (out.json)
      out.emit({
        verdict: unknown.verdict,
        exitStatus: unknown.exitStatus,
        status: null,
        recommendations: [],
        report: null,
        error: err.message,
      });
    return unknown.exitStatus;
  }
  const { verdict, exitStatus } = healthVerdict(report.status);
  const advice = recommendations(report);
  if (out.json) {
    const doc: HealthCheckReport = { verdict, exitStatus, status: report.status, recommendations: advice, report };
    out.emit(doc);
    return exitStatus;
  }
  io.write(`${healthBlock(report, io.tty).join('\n')}\n`);
  if (advice.length) io.write(`\n${glyphs(io.tty)('tip')}Recommendations\n${advice.map((a) => `  - ${a}`).join('\n')}\n`);
  return exitStatus;
}

/** `wcag monitor --json`: one line per refresh (JSON Lines), so a consumer reads it as it comes. */
export interface MonitorSample {
  asOf: string;
  stats: QueueStats;
  /** null when this API has no /api/monitoring/health. */
  health: HealthReport | null;
}

async function monitor(intervalMs: number, api: Api, io: Io, out: Output): Promise<number> {
  let stop = false;
  const interrupted = io.interrupted();
  void interrupted.then(() => {
    stop = true;
  });
  while (!stop) {
    const [stats, report] = await Promise.all([
      api.get<QueueStats>('/api/monitoring/queue/stats').then((r) => r.body),
      fetchHealth(api).catch((err: unknown) => (err instanceof CliError && err.status === 404 ? null : Promise.reject(err))),
    ]);
    const asOf = new Date().toISOString();
    if (out.json) {
      const sample: MonitorSample = { asOf, stats, health: report };
      io.write(`${JSON.stringify(sample)}\n`);
    } else {
      const screen = [
        ...statsBlock(stats, io.tty),
        '',
        ...(report
          ? healthBlock(report, io.tty)
          : [`${glyphs(io.tty)('health')}Health Status`, 'Status: n/a (this API has no /api/monitoring/health)']),
        '',
        `[Refreshes every ${intervalMs / 1000} seconds; Ctrl-C to stop]  ${asOf}`,
      ];
      // On a terminal: cursor home + clear, so the screen refreshes in place; in a pipe: one block per refresh.
      io.write(io.tty ? `${CLEAR_SCREEN}${screen.join('\n')}\n` : `${screen.join('\n')}\n---\n`);
    }
    await Promise.race([io.sleep(intervalMs), interrupted]);
  }
  out.human.write('monitor stopped\n');
  return ExitStatus.Ok;
}

async function audit(cmd: AuditCommand, api: Api, io: Io, out: Output): Promise<number> {
  const { body: started } = await api.post<{ auditId: string; workflowId: string; status: string }>('/api/audits', {
    url: cmd.url,
    ...(cmd.clientId && { clientId: cmd.clientId }),
    ...(cmd.maxPages !== undefined && { maxPages: cmd.maxPages }),
    ...(cmd.maxDepth !== undefined && { maxDepth: cmd.maxDepth }),
    ...(cmd.maxPerPattern !== undefined && { maxPerPattern: cmd.maxPerPattern }),
    ...(cmd.include.length && { include: cmd.include }),
    ...(cmd.exclude.length && { exclude: cmd.exclude }),
  });
  if (out.json && !cmd.wait) {
    out.emit(started);
    return ExitStatus.Ok;
  }
  out.human.write(`queued audit ${started.auditId} (workflow ${started.workflowId})\n`);
  if (!cmd.wait) return ExitStatus.Ok;
  // With --json the progress goes to stderr and stdout carries the final body only: a pipe gets one JSON document.
  const progress = statusLine(out.human);
  let a: AuditView;
  for (;;) {
    ({ body: a } = await api.get<AuditView>(`/api/audits/${started.auditId}`));
    progress.update(auditProgressLine(a));
    if (TERMINAL.has(a.status)) break;
    await io.sleep(AUDIT_POLL_MS);
  }
  progress.done();
  if (out.json) out.emit(a);
  else io.write(`${auditSummary(a, { tty: io.tty }).join('\n')}\n`);
  const verdict = auditExitCode(a, cmd.failOn);
  if (verdict.error) io.error(`wcag: ${verdict.error}\n`);
  return verdict.code;
}
