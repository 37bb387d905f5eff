import {
  compareScan as compareWith,
  formatProblem,
  temporalScanStatus,
  type CompareContext,
  type ExecutionSnapshot,
  type ScanRowSnapshot,
} from './reconcile';

const now = new Date('2026-11-28T12:00:00.000Z');
const DAY = 86_400_000;
const ctx = (extra: Partial<CompareContext> = {}): CompareContext => ({
  now,
  stuckAfterMs: 10 * 60_000,
  retentionMs: DAY,
  runningBulks: new Set(),
  ...extra,
});
const compareScan = (row: ScanRowSnapshot, e: ExecutionSnapshot | null, extra: Partial<CompareContext> = {}) =>
  compareWith(row, e, ctx(extra));
const ago = (ms: number) => new Date(now.getTime() - ms);
const row = (status: ScanRowSnapshot['status'], extra: Partial<ScanRowSnapshot> = {}): ScanRowSnapshot => ({
  id: '00000000-0000-4000-8000-000000000001',
  workflowId: 'scan-00000000-0000-4000-8000-000000000001',
  status,
  createdAt: ago(60_000),
  startedAt: ['queued'].includes(status) ? null : ago(59_000),
  finishedAt: ['completed', 'failed', 'cancelled'].includes(status) ? ago(1_000) : null,
  bulkId: null,
  failureReason: null,
  failureMessage: null,
  ...extra,
});
const exec = (status: ExecutionSnapshot['status'], scanStatus?: string, startTime = ago(60_000)): ExecutionSnapshot => ({
  status,
  scanStatus,
  startTime,
});

describe('reconcile comparison', () => {
  it('maps Temporal statuses to scan statuses', () => {
    expect(temporalScanStatus(exec('COMPLETED'))).toBe('completed');
    for (const s of ['FAILED', 'TIMED_OUT', 'TERMINATED'] as const) expect(temporalScanStatus(exec(s))).toBe('failed');
    expect(temporalScanStatus(exec('CANCELLED'))).toBe('cancelled');
    expect(temporalScanStatus(exec('RUNNING', 'queued'))).toBe('queued');
    expect(temporalScanStatus(exec('RUNNING', 'running'))).toBe('running');
    expect(temporalScanStatus(exec('RUNNING'))).toBe('running');
  });

  it('agrees when both sides say the same thing', () => {
    expect(compareScan(row('completed'), exec('COMPLETED'))).toBeNull();
    expect(compareScan(row('failed'), exec('FAILED'))).toBeNull();
    expect(compareScan(row('failed'), exec('TERMINATED'))).toBeNull();
    expect(compareScan(row('cancelled'), exec('CANCELLED'))).toBeNull();
    // queued and running are one state as far as Temporal knows
    expect(compareScan(row('queued'), exec('RUNNING', 'queued'))).toBeNull();
    expect(compareScan(row('running'), exec('RUNNING', 'queued'))).toBeNull();
    expect(compareScan(row('queued'), exec('RUNNING', 'running'))).toBeNull();
  });

  it('accepts the states that have no workflow by design', () => {
    // the API closed it because its workflow could not be started
    expect(
      compareScan(row('failed', { startedAt: null, failureReason: 'internal', failureMessage: 'workflow could not be started' }), null),
    ).toBeNull();
    // a bulk item closed when its bulk was cancelled before reaching it
    const bulkId = '00000000-0000-4000-8000-0000000000b1';
    expect(compareScan(row('cancelled', { startedAt: null, bulkId, failureReason: 'cancelled' }), null)).toBeNull();
    // a bulk item its running bulk has not started yet
    expect(compareScan(row('queued', { bulkId }), null, { runningBulks: new Set([bulkId]) })).toBeNull();
    // a terminal scan whose closed workflow the namespace retention has deleted
    expect(compareScan(row('completed', { finishedAt: ago(DAY + 60_000) }), null)).toBeNull();
    expect(compareScan(row('completed', { finishedAt: ago(DAY + 60_000) }), null, { retentionMs: null })).toMatchObject({
      kind: 'missing_workflow',
    });
  });

  it('reports each kind of disagreement', () => {
    expect(compareScan(row('running'), null)).toMatchObject({ kind: 'missing_workflow', postgres: 'running', temporal: 'missing' });
    expect(compareScan(row('failed', { failureReason: 'timeout' }), null)).toMatchObject({ kind: 'missing_workflow' });
    // a started scan closed as internal still had a workflow
    expect(compareScan(row('failed', { failureReason: 'internal' }), null)).toMatchObject({ kind: 'missing_workflow' });
    // a bulk item whose bulk is not running will never be started
    expect(compareScan(row('queued', { bulkId: '00000000-0000-4000-8000-0000000000b2' }), null)).toMatchObject({
      kind: 'missing_workflow',
    });
    expect(compareScan(row('completed'), exec('FAILED'))).toMatchObject({
      kind: 'status_mismatch',
      postgres: 'completed',
      temporal: 'failed',
    });
    expect(compareScan(row('cancelled'), exec('FAILED'))).toMatchObject({ kind: 'status_mismatch', temporal: 'failed' });
    expect(compareScan(row('completed'), exec('RUNNING', 'running'))).toMatchObject({ kind: 'status_mismatch', temporal: 'running' });
    expect(compareScan(row('running'), exec('TERMINATED'))).toMatchObject({
      kind: 'terminal_in_temporal_not_in_postgres',
      postgres: 'running',
      temporal: 'failed',
    });
    expect(compareScan(row('queued'), exec('COMPLETED'))).toMatchObject({ kind: 'terminal_in_temporal_not_in_postgres' });
  });

  it('reports a scan no worker has started, and a workflow past its deadline, as stuck', () => {
    expect(compareScan(row('queued', { createdAt: ago(11 * 60_000) }), exec('RUNNING', 'queued', ago(11 * 60_000)))).toMatchObject({
      kind: 'stuck',
    });
    expect(compareScan(row('queued', { createdAt: ago(9 * 60_000) }), exec('RUNNING', 'queued', ago(9 * 60_000)))).toBeNull();
    expect(
      compareScan(row('queued', { createdAt: ago(90_000) }), exec('RUNNING', 'queued', ago(90_000)), { stuckAfterMs: 60_000 }),
    ).toMatchObject({
      kind: 'stuck',
    });
    // a bulk item counts from when its bulk started its workflow, not from the bulk's submission
    expect(compareScan(row('queued', { createdAt: ago(3_600_000) }), exec('RUNNING', 'queued', ago(60_000)))).toBeNull();
    // a running scan may wait for a page for hours in a backlog, but not past the workflow's 6 h deadline
    expect(compareScan(row('running', { createdAt: ago(5 * 3_600_000) }), exec('RUNNING', 'running', ago(5 * 3_600_000)))).toBeNull();
    expect(compareScan(row('running', { createdAt: ago(7 * 3_600_000) }), exec('RUNNING', 'running', ago(7 * 3_600_000)))).toMatchObject({
      kind: 'stuck',
    });
  });

  it('formats one line per problem', () => {
    const p = compareScan(row('completed'), exec('FAILED'))!;
    expect(formatProblem(p)).toBe(
      'status_mismatch scan=00000000-0000-4000-8000-000000000001 workflow=scan-00000000-0000-4000-8000-000000000001 postgres=completed temporal=failed: Postgres says completed, the workflow ended FAILED',
    );
  });
});
