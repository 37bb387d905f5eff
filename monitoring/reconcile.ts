// Does every scan in Postgres agree with its workflow in Temporal? Read-only: reports, never repairs.
//
// Postgres rows in the window are read once, their workflows are looked up through Temporal visibility in batches
// (`WorkflowId IN (…)`, one list call per BATCH_SIZE scans), and only the scans that disagree are checked again
// with `describe` (strongly consistent) and a fresh read of the row, so visibility lag and a scan finishing while
// the check runs are not reported as problems.
//
// Expected states without a workflow are agreement, not problems: a scan the API closed because its workflow could
// not be started, a bulk item not started yet while its bulk workflow runs, a bulk item closed before it started,
// and a terminal scan whose workflow Temporal has already deleted under the namespace retention period.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionStatusName } from '@temporalio/client';
import { SCAN_DEADLINE_MS } from '../core/deadlines';
import { SearchAttributes, type ScanStatus } from '../core/contracts';
import type { PrismaClient } from '../lib/prisma';

export type ReconcileProblemKind = 'missing_workflow' | 'status_mismatch' | 'terminal_in_temporal_not_in_postgres' | 'stuck';

export interface ReconcileProblem {
  scanId: string;
  workflowId: string;
  /** The scan's status in Postgres. */
  postgres: ScanStatus;
  /** The workflow's status mapped to a scan status, or 'missing' when Temporal has no such workflow. */
  temporal: ScanStatus | 'missing';
  kind: ReconcileProblemKind;
  /** One human sentence: what disagrees. */
  detail: string;
}

export interface ReconcileReport {
  /** Scans compared. */
  checked: number;
  inAgreement: number;
  problems: ReconcileProblem[];
  /** Scans created at or after this, plus every scan not yet terminal in Postgres whatever its age. */
  since: string;
  /** True when more scans matched than `limit`: the newest `limit` were checked. */
  truncated: boolean;
  asOf: string;
}

export interface ReconcileOptions {
  prisma: PrismaClient;
  client: Client;
  /** Default: 24 hours before `now`. Non-terminal scans are always checked, whatever their age. */
  since?: Date;
  /** Most scans checked (newest first). Default 10 000. */
  limit?: number;
  /** Only this client's scans. */
  clientId?: string;
  /** Only these scans (still subject to `since`, except non-terminal ones). */
  scanIds?: string[];
  /**
   * Look every workflow up with `describe` (strongly consistent, one call per scan) instead of visibility lists.
   * Visibility lags the truth by up to a second or so: a disagreement it hides (a workflow terminated a moment ago
   * still listed as running) is missed in the default mode, so a test that has just broken something either polls
   * reconcile or sets this. For small sets (`scanIds`); slow for thousands.
   */
  describeAll?: boolean;
  /** A scan still `queued` in Postgres (its first activity never ran) this long after its workflow started is stuck. Default 10 min. */
  stuckAfterMs?: number;
  now?: Date;
}

/** The minimum of a workflow execution the comparison needs. */
export interface ExecutionSnapshot {
  status: WorkflowExecutionStatusName;
  /** The ScanStatus search attribute, if set. */
  scanStatus?: string;
  startTime: Date;
}

export interface ScanRowSnapshot {
  id: string;
  workflowId: string;
  status: ScanStatus;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  bulkId: string | null;
  failureReason: string | null;
  failureMessage: string | null;
}

/** What else the comparison needs to know besides the two sides. */
export interface CompareContext {
  now: Date;
  stuckAfterMs: number;
  /** The namespace's retention: a closed workflow is deleted this long after it ends. Null if unknown. */
  retentionMs: number | null;
  /** Bulks whose bulk workflow is running: their queued items without a workflow are simply not started yet. */
  runningBulks: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;
const BATCH_SIZE = 100;
const LIST_CONCURRENCY = 4;
const CONFIRM_CONCURRENCY = 8;
/** Beyond this many disagreements (Temporal's database lost, say) the rest are reported from visibility alone. */
const MAX_CONFIRMATIONS = 1_000;
/** Postgres records the terminal state just before the workflow closes: give that instant a moment to pass. */
const CLOSE_SETTLE_MS = 500;
const DEFAULT_STUCK_AFTER_MS = 10 * 60_000;
/** A closed workflow may be deleted this much earlier than finishedAt + retention (clock skew, close latency). */
const RETENTION_MARGIN_MS = 5 * 60_000;
const TERMINAL: readonly ScanStatus[] = ['completed', 'failed', 'cancelled'];
const isTerminal = (s: ScanStatus | 'missing'): boolean => (TERMINAL as readonly string[]).includes(s);

/**
 * Temporal's execution status as a scan status: COMPLETED → completed, FAILED/TIMED_OUT/TERMINATED → failed,
 * CANCELLED → cancelled; a running workflow is `queued` or `running` as its ScanStatus search attribute says.
 */
export function temporalScanStatus(e: ExecutionSnapshot): ScanStatus {
  switch (e.status) {
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
    case 'TIMED_OUT':
    case 'TERMINATED':
      return 'failed';
    case 'CANCELLED':
      return 'cancelled';
    default:
      return e.scanStatus === 'queued' ? 'queued' : 'running';
  }
}

/**
 * Why a scan has no workflow and that is fine, or null when its workflow should exist. A terminal scan that never
 * started (startedAt null) was closed without a workflow: its start failed (`internal`, "… could not be started")
 * or its bulk was cancelled before reaching it.
 */
function expectedWithoutWorkflow(row: ScanRowSnapshot, ctx: CompareContext): string | null {
  if (isTerminal(row.status) && row.startedAt === null && (row.bulkId !== null || row.failureReason === 'internal')) {
    return 'closed before a workflow started';
  }
  if (row.status === 'queued' && row.bulkId !== null && ctx.runningBulks.has(row.bulkId)) return 'waiting for its bulk to start it';
  if (isTerminal(row.status) && ctx.retentionMs !== null && row.finishedAt !== null) {
    if (row.finishedAt.getTime() < ctx.now.getTime() - ctx.retentionMs + RETENTION_MARGIN_MS) return 'workflow deleted by retention';
  }
  return null;
}

/** Compares one scan with its workflow (null: Temporal has none). Null when they agree. */
export function compareScan(row: ScanRowSnapshot, exec: ExecutionSnapshot | null, ctx: CompareContext): ReconcileProblem | null {
  const base = { scanId: row.id, workflowId: row.workflowId, postgres: row.status };
  const { now, stuckAfterMs } = ctx;
  if (!exec) {
    if (expectedWithoutWorkflow(row, ctx)) return null;
    const why = row.bulkId && row.status === 'queued' ? ` and its bulk ${row.bulkId} is not running` : '';
    return { ...base, temporal: 'missing', kind: 'missing_workflow', detail: `Temporal has no workflow ${row.workflowId}${why}` };
  }
  const temporal = temporalScanStatus(exec);
  if (isTerminal(temporal)) {
    if (!isTerminal(row.status)) {
      return {
        ...base,
        temporal,
        kind: 'terminal_in_temporal_not_in_postgres',
        detail: `the workflow ended ${exec.status} but the scan is still ${row.status} in Postgres`,
      };
    }
    if (temporal !== row.status) {
      return { ...base, temporal, kind: 'status_mismatch', detail: `Postgres says ${row.status}, the workflow ended ${exec.status}` };
    }
    return null;
  }
  if (isTerminal(row.status)) {
    return { ...base, temporal, kind: 'status_mismatch', detail: `Postgres says ${row.status} but the workflow is still running` };
  }
  const queuedFor = now.getTime() - Math.max(row.createdAt.getTime(), exec.startTime.getTime());
  if (row.status === 'queued' && queuedFor > stuckAfterMs) {
    return {
      ...base,
      temporal,
      kind: 'stuck',
      detail: `still queued ${Math.round(queuedFor / 60_000)} min after its workflow started: no worker has run it`,
    };
  }
  const runningFor = now.getTime() - exec.startTime.getTime();
  if (runningFor > SCAN_DEADLINE_MS + stuckAfterMs) {
    return { ...base, temporal, kind: 'stuck', detail: `the workflow has run ${Math.round(runningFor / 3_600_000)} h, past its deadline` };
  }
  return null;
}

async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, run));
  return out;
}

const ROW_SELECT = {
  id: true,
  workflowId: true,
  status: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  bulkId: true,
  failureReason: true,
  failureMessage: true,
} as const;

/** Latest run of each workflow id, from visibility, in batches. */
async function listExecutions(client: Client, workflowIds: string[]): Promise<Map<string, ExecutionSnapshot>> {
  const found = new Map<string, ExecutionSnapshot>();
  const batches: string[][] = [];
  for (let i = 0; i < workflowIds.length; i += BATCH_SIZE) batches.push(workflowIds.slice(i, i + BATCH_SIZE));
  await mapLimit(batches, LIST_CONCURRENCY, async (batch) => {
    // Workflow ids are `scan-<uuid>`; JSON quoting is valid in Temporal's list filter and escapes anything odd.
    const query = `WorkflowId IN (${batch.map((id) => JSON.stringify(id)).join(', ')})`;
    for await (const w of client.workflow.list({ query, pageSize: 1_000 })) {
      const prev = found.get(w.workflowId);
      if (prev && prev.startTime >= w.startTime) continue;
      found.set(w.workflowId, {
        status: w.status.name,
        scanStatus: w.typedSearchAttributes.get(SearchAttributes.ScanStatus),
        startTime: w.startTime,
      });
    }
  });
  return found;
}

/** Each workflow by `describe`: exact, one call each. */
async function describeExecutions(client: Client, workflowIds: string[]): Promise<Map<string, ExecutionSnapshot>> {
  const found = new Map<string, ExecutionSnapshot>();
  await mapLimit(workflowIds, CONFIRM_CONCURRENCY, async (id) => {
    const exec = await describeExecution(client, id);
    if (exec) found.set(id, exec);
  });
  return found;
}

/** The namespace's retention period, or null when Temporal does not say. */
async function retentionOf(client: Client): Promise<number | null> {
  try {
    const ns = await client.workflowService.describeNamespace({ namespace: client.options.namespace });
    const ttl = ns.config?.workflowExecutionRetentionTtl;
    if (!ttl?.seconds) return null;
    return Number(ttl.seconds.toString()) * 1_000;
  } catch {
    return null;
  }
}

/** Bulks (among `bulkIds`) whose bulk workflow Temporal reports running. */
async function runningBulksOf(prisma: PrismaClient, client: Client, bulkIds: string[]): Promise<Set<string>> {
  if (bulkIds.length === 0) return new Set();
  const bulks = await prisma.bulk.findMany({ where: { id: { in: bulkIds } }, select: { id: true, workflowId: true } });
  const running = await mapLimit(
    bulks,
    CONFIRM_CONCURRENCY,
    async (b) => (await describeExecution(client, b.workflowId))?.status === 'RUNNING',
  );
  return new Set(bulks.filter((_, i) => running[i]).map((b) => b.id));
}

async function describeExecution(client: Client, workflowId: string): Promise<ExecutionSnapshot | null> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return { status: d.status.name, scanStatus: d.typedSearchAttributes.get(SearchAttributes.ScanStatus), startTime: d.startTime };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/**
 * Compares every scan in the window with its workflow. Every problem reported is real: a disagreement found through
 * visibility is confirmed with `describe` and a fresh read of the row first. What visibility has not caught up with
 * yet (about a second) can be missed, unless `describeAll` is set. A scan between its row insert and its workflow
 * start (a few ms inside POST /api/scans) is reported as `missing_workflow`.
 */
export async function reconcile(opts: ReconcileOptions): Promise<ReconcileReport> {
  const { prisma, client } = opts;
  const now = opts.now ?? new Date();
  const since = opts.since ?? new Date(now.getTime() - DAY_MS);
  const limit = opts.limit ?? 10_000;
  const stuckAfterMs = opts.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS;

  const rows = await prisma.scan.findMany({
    where: {
      OR: [{ createdAt: { gte: since } }, { status: { in: ['queued', 'running'] } }],
      ...(opts.clientId !== undefined && { clientId: opts.clientId }),
      ...(opts.scanIds !== undefined && { id: { in: opts.scanIds } }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    select: ROW_SELECT,
  });
  const truncated = rows.length > limit;
  const checkedRows = truncated ? rows.slice(0, limit) : rows;

  const workflowIds = checkedRows.map((r) => r.workflowId);
  const [executions, retentionMs] = await Promise.all([
    opts.describeAll ? describeExecutions(client, workflowIds) : listExecutions(client, workflowIds),
    retentionOf(client),
  ]);
  const pendingBulkIds = [
    ...new Set(checkedRows.filter((r) => r.status === 'queued' && r.bulkId && !executions.has(r.workflowId)).map((r) => r.bulkId!)),
  ];
  const ctx: CompareContext = { now, stuckAfterMs, retentionMs, runningBulks: await runningBulksOf(prisma, client, pendingBulkIds) };
  const suspects = checkedRows.filter((r) => compareScan(r, executions.get(r.workflowId) ?? null, ctx) !== null);

  // Temporal first, then Postgres: the workflow writes its row before it closes, so this order never sees a
  // closed workflow beside a row not yet written.
  const confirm = async (row: ScanRowSnapshot): Promise<ReconcileProblem | null> => {
    let problem: ReconcileProblem | null = null;
    for (let round = 0; round < 2; round++) {
      if (round > 0) await new Promise((r) => setTimeout(r, CLOSE_SETTLE_MS));
      const exec = await describeExecution(client, row.workflowId);
      const fresh = await prisma.scan.findUnique({ where: { id: row.id }, select: ROW_SELECT });
      if (!fresh) return null; // deleted meanwhile: nothing left to disagree
      problem = compareScan(fresh, exec, ctx);
      const closing = problem?.kind === 'status_mismatch' && !isTerminal(problem.temporal);
      if (!closing) break;
    }
    return problem;
  };
  const confirmed = await mapLimit(suspects.slice(0, MAX_CONFIRMATIONS), CONFIRM_CONCURRENCY, confirm);
  const unconfirmed = suspects.slice(MAX_CONFIRMATIONS).map((r) => compareScan(r, executions.get(r.workflowId) ?? null, ctx));
  const problems = [...confirmed, ...unconfirmed].filter((p): p is ReconcileProblem => p !== null);

  return {
    checked: checkedRows.length,
    inAgreement: checkedRows.length - problems.length,
    problems,
    since: since.toISOString(),
    truncated,
    asOf: now.toISOString(),
  };
}

/** One line per problem, for logs and the CLI. */
export function formatProblem(p: ReconcileProblem): string {
  return `${p.kind} scan=${p.scanId} workflow=${p.workflowId} postgres=${p.postgres} temporal=${p.temporal}: ${p.detail}`;
}
