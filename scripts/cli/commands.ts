// What each `wcag` command does against the API. Output goes through `out`, so tests can capture it.
import { readFile } from 'node:fs/promises';
import type { AuditCommand, Command } from './args';
import {
  auditExitCode,
  auditProgressLine,
  auditSummary,
  bulkSummary,
  healthBlock,
  healthExitCode,
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
  /** The one-line verdict of a failed gate goes to stderr, so stdout stays the report (or its JSON). */
  error(text: string): void;
  /** True on a terminal: progress and monitor redraw in place instead of appending lines. */
  tty: boolean;
  sleep(ms: number): Promise<void>;
  /** Resolves when the user presses Ctrl-C (monitor's only way out); only monitor listens for it. */
  interrupted(): Promise<void>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const AUDIT_POLL_MS = 2_000;

/** Runs one command; the result is the exit status. */
export async function runCommand(cmd: Command, api: Api, io: Io): Promise<number> {
  switch (cmd.kind) {
    case 'scan':
      return scan(cmd, api, io);
    case 'bulk':
      return bulk(cmd, api, io);
    case 'audit':
      return audit(cmd, api, io);
    case 'stats': {
      const { body } = await api.get<QueueStats>('/api/monitoring/queue/stats');
      io.write(`${statsBlock(body).join('\n')}\n`);
      return 0;
    }
    case 'monitor':
      return monitor(cmd.intervalMs, api, io);
    case 'health':
      return health(api, io);
    case 'keys-create': {
      const { body } = await api.post<{ id: string; clientId: string; key: string }>('/api/keys', {
        clientId: cmd.clientId,
        name: cmd.name,
      });
      io.write(`key for client ${body.clientId} (id ${body.id}); shown once, store it now:\n${body.key}\n`);
      return 0;
    }
    case 'help':
      return 0;
  }
}

async function scan(cmd: Extract<Command, { kind: 'scan' }>, api: Api, io: Io): Promise<number> {
  const { body: started } = await api.post<{ scanId: string; workflowId: string }>('/api/scans', {
    url: cmd.url,
    ...(cmd.clientId && { clientId: cmd.clientId }),
    queue: cmd.queue,
    ...(cmd.priority !== undefined && { priority: cmd.priority }),
  });
  io.write(`queued scan ${started.scanId} (workflow ${started.workflowId})\n`);
  if (!cmd.wait) return 0;
  type ScanView = {
    status: string;
    score: number | null;
    inconclusive?: boolean;
    counts?: Record<string, number>;
    failureReason?: string;
    failureMessage?: string;
    attempts?: number;
  };
  for (;;) {
    const { body: s } = await api.get<ScanView>(`/api/scans/${started.scanId}`);
    if (TERMINAL.has(s.status)) {
      if (s.status === 'completed') {
        const c = s.counts ?? {};
        io.write(
          `✅ completed: score ${s.score ?? 'n/a'}${s.inconclusive ? ' (inconclusive)' : ''}, ${c.violations ?? 0} violations ` +
            `(${c.critical ?? 0} critical, ${c.serious ?? 0} serious), ${c.needsReview ?? 0} need review, ${s.attempts ?? 1} attempt(s)\n`,
        );
        return 0;
      }
      io.write(`❌ ${s.status}${s.failureReason ? `: ${s.failureReason}` : ''}${s.failureMessage ? ` (${s.failureMessage})` : ''}\n`);
      return 1;
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

async function readInput(file: string, urls: boolean): Promise<InputItem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message}`);
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

async function bulk(cmd: Extract<Command, { kind: 'bulk' }>, api: Api, io: Io): Promise<number> {
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
  const total = input.length;
  io.write(`submitted bulk ${started.bulkId}: ${started.accepted} of ${total} accepted, queue ${cmd.queue}\n`);

  const failed: Array<{ label: string; reason: string }> = started.rejected.map((r) => ({
    label: label(r.index),
    reason: `rejected: ${r.reason}`,
  }));
  let doneCount = failed.length;
  for (const f of failed) if (!io.tty) io.write(`[${doneCount}/${total}] ❌ ${f.label} ${f.reason}\n`);
  const seen = new Set<string>();
  let successful = 0;
  let items: BulkItem[] = [];
  for (;;) {
    const { body: progress } = await api.get<BulkProgress>(`/api/scans/bulk/${started.bulkId}?limit=1000`);
    items = await allItems(api, started.bulkId, progress);
    for (const item of items) {
      if (!TERMINAL.has(item.status) || seen.has(item.scanId)) continue;
      seen.add(item.scanId);
      doneCount += 1;
      if (item.status === 'completed') successful += 1;
      if (!io.tty) io.write(`${progressLine(doneCount, total, label(item.index), item)}\n`);
    }
    if (io.tty) {
      const bar = progressBar(doneCount, total, { ok: successful, failed: doneCount - successful, running: progress.running });
      io.write(`\r${bar}`);
    }
    if (progress.done || progress.status !== 'running') break;
    await io.sleep(cmd.intervalMs);
  }
  if (io.tty) io.write('\n');
  for (const item of items) {
    if (item.status === 'failed') failed.push({ label: label(item.index), reason: item.failureReason ?? 'failed' });
    else if (item.status === 'cancelled') failed.push({ label: label(item.index), reason: 'cancelled' });
    else if (item.status !== 'completed') failed.push({ label: label(item.index), reason: `still ${item.status} (bulk ended)` });
  }
  io.write(`${bulkSummary({ total, successful, failed }).join('\n')}\n`);
  return failed.length === 0 ? 0 : 1;
}

async function fetchHealth(api: Api): Promise<HealthReport> {
  // A critical report may come with 503: its body is still the report.
  const { status, body } = await api.get<HealthReport>('/api/monitoring/health', { allow: [404, 503] });
  if (status === 404) throw new CliError(`${api.baseUrl} has no /api/monitoring/health (404): upgrade the API`, 404);
  if (!body || typeof body.status !== 'string') throw new CliError(`/api/monitoring/health answered ${status} without a status`);
  return body;
}

async function health(api: Api, io: Io): Promise<number> {
  const report = await fetchHealth(api);
  io.write(`${healthBlock(report).join('\n')}\n`);
  const advice = recommendations(report);
  if (advice.length) io.write(`\n💡 Recommendations\n${advice.map((a) => `  - ${a}`).join('\n')}\n`);
  return healthExitCode(report.status);
}

async function monitor(intervalMs: number, api: Api, io: Io): Promise<number> {
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
    const screen = [
      ...statsBlock(stats),
      '',
      ...(report ? healthBlock(report) : ['🩺 Health Status', 'Status: n/a (this API has no /api/monitoring/health)']),
      '',
      `[Refreshes every ${intervalMs / 1000} seconds; Ctrl-C to stop]  ${new Date().toISOString()}`,
    ];
    // On a terminal: cursor home + clear, so the screen refreshes in place; in a pipe: one block per refresh.
    io.write(io.tty ? `\x1b[H\x1b[2J${screen.join('\n')}\n` : `${screen.join('\n')}\n---\n`);
    await Promise.race([io.sleep(intervalMs), interrupted]);
  }
  io.write('monitor stopped\n');
  return 0;
}

async function audit(cmd: AuditCommand, api: Api, io: Io): Promise<number> {
  const { body: started } = await api.post<{ auditId: string; workflowId: string; status: string }>('/api/audits', {
    url: cmd.url,
    ...(cmd.clientId && { clientId: cmd.clientId }),
    ...(cmd.maxPages !== undefined && { maxPages: cmd.maxPages }),
    ...(cmd.maxDepth !== undefined && { maxDepth: cmd.maxDepth }),
    ...(cmd.maxPerPattern !== undefined && { maxPerPattern: cmd.maxPerPattern }),
    ...(cmd.include.length && { include: cmd.include }),
    ...(cmd.exclude.length && { exclude: cmd.exclude }),
  });
  if (!cmd.wait) {
    io.write(cmd.json ? `${JSON.stringify(started, null, 2)}\n` : `queued audit ${started.auditId} (workflow ${started.workflowId})\n`);
    return 0;
  }
  // With --json stdout carries the final body only, so a pipe gets one JSON document.
  if (!cmd.json) io.write(`queued audit ${started.auditId} (workflow ${started.workflowId})\n`);
  let last = '';
  let a: AuditView;
  for (;;) {
    ({ body: a } = await api.get<AuditView>(`/api/audits/${started.auditId}`));
    const line = auditProgressLine(a);
    if (!cmd.json && line !== last) io.write(io.tty ? `\r\x1b[2K${line}` : `${line}\n`);
    last = line;
    if (TERMINAL.has(a.status)) break;
    await io.sleep(AUDIT_POLL_MS);
  }
  if (!cmd.json && io.tty) io.write('\n');
  io.write(cmd.json ? `${JSON.stringify(a, null, 2)}\n` : `${auditSummary(a, { tty: io.tty }).join('\n')}\n`);
  const verdict = auditExitCode(a, cmd.failOn);
  if (verdict.error) io.error(`wcag: ${verdict.error}\n`);
  return verdict.code;
}
