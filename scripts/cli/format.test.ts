import {
  auditExitCode,
  auditProgressLine,
  auditSummary,
  type AuditView,
  bulkSummary,
  healthBlock,
  progressBar,
  progressLine,
  recommendations,
  statsBlock,
  type QueueStats,
} from './format';

describe('bulk output', () => {
  it('writes a progress line per finished item, with emoji on a terminal only', () => {
    expect(progressLine(12, 100, 'p-1', { status: 'completed', score: 87 }, true)).toBe('[12/100] ✅ p-1 completed (score 87)');
    expect(progressLine(13, 100, 'p-2', { status: 'completed', score: null }, true)).toBe('[13/100] ✅ p-2 completed (inconclusive)');
    expect(progressLine(14, 100, 'p-3', { status: 'failed', score: null, failureReason: 'timeout' }, true)).toBe(
      '[14/100] ❌ p-3 failed: timeout',
    );
    expect(progressLine(15, 100, 'p-4', { status: 'cancelled', score: null }, true)).toBe('[15/100] ❌ p-4 cancelled');
    expect(progressLine(12, 100, 'p-1', { status: 'completed', score: 87 })).toBe('[12/100] p-1 completed (score 87)');
    expect(progressLine(14, 100, 'p-3', { status: 'failed', score: null, failureReason: 'timeout' })).toBe('[14/100] p-3 failed: timeout');
  });

  it('draws a bar proportional to the finished items', () => {
    expect(progressBar(5, 10, { ok: 4, failed: 1, running: 2 }, 10)).toBe('[█████░░░░░] 5/10  ✅ 4  ❌ 1  running 2');
    expect(progressBar(0, 0, { ok: 0, failed: 0, running: 0 }, 4)).toBe('[████] 0/0  ✅ 0  ❌ 0  running 0');
  });

  it("ends with the seed's summary and every failed item with its reason", () => {
    expect(bulkSummary({ total: 3, successful: 3, failed: [] })).toEqual([
      'Bulk scan completed!',
      'Total processed: 3',
      'Successful: 3',
      'Failed: 0',
    ]);
    expect(bulkSummary({ total: 3, successful: 3, failed: [] }, true)).toEqual([
      '✅ Bulk scan completed!',
      '📊 Total processed: 3',
      '✅ Successful: 3',
      '❌ Failed: 0',
    ]);
    const lines = bulkSummary(
      {
        total: 5,
        successful: 2,
        failed: [
          { label: 'p-1', reason: 'timeout' },
          { label: 'p-2', reason: 'rejected: prospect p-2 not found' },
          { label: 'p-3', reason: 'cancelled' },
        ],
      },
      true,
      2,
    );
    expect(lines).toEqual([
      '⚠️  Bulk scan completed with failures',
      '📊 Total processed: 5',
      '✅ Successful: 2',
      '❌ Failed: 3',
      '   - p-1: timeout',
      '   - p-2: rejected: prospect p-2 not found',
      '   … and 1 more',
    ]);
  });
});

describe('stats and health blocks', () => {
  const counts = { waiting: 10, active: 2, finishing: 0, completed: 150, failed: 3, delayed: 1, cancelled: 0 };
  it('prints queue statistics in the seed layout with the per-queue split and Temporal', () => {
    const s: QueueStats = {
      ...counts,
      window: '24h',
      queues: { high: counts, low: counts },
      temporal: { runningWorkflows: null, error: 'timeout' },
      asOf: 'x',
    };
    const out = statsBlock(s).join('\n');
    expect(out).toContain('\nWaiting:');
    expect(out.startsWith('Queue Statistics (finished in the last 24h)')).toBe(true);
    expect(statsBlock(s, true)[0]).toBe('📊 Queue Statistics (finished in the last 24h)');
    expect(out).toContain('Waiting:       10 jobs');
    expect(out).toContain('Completed:    150 jobs');
    expect(out).toContain('  high  waiting 10, active 2, delayed 1, completed 150, failed 3');
    expect(out).toContain('Temporal running workflows: unknown (timeout)');
  });

  it('prints every component, the metrics, and advice for each unhealthy component', () => {
    const report = {
      status: 'warning',
      components: {
        queue: { status: 'healthy', message: 'Queue operational' },
        puppeteer: { status: 'warning', message: 'memory 750 MB of 800' },
        database: { status: 'healthy', message: 'ok' },
        workers: { status: 'critical', message: 'no worker polling' },
      },
      metrics: { successRate: 95.5, averageScanTime: 15000, memoryUsageMB: null },
      recommendations: ['scale the workers'],
    };
    expect(healthBlock(report).slice(0, 3)).toEqual(['Health Status', 'Status: Warning', '  queue      healthy: Queue operational']);
    const out = healthBlock(report, true).join('\n');
    expect(out).toContain('🩺 Health Status');
    expect(out).toContain('Status: ⚠️  Warning');
    expect(out).toContain('✅ queue      healthy: Queue operational');
    expect(out).toContain('❌ workers    critical: no worker polling');
    expect(out).toContain('Success rate: 95.5%   Average scan time: 15000 ms   Memory: n/a');
    const advice = recommendations(report);
    expect(advice).toHaveLength(3);
    expect(advice[0]).toMatch(/^puppeteer: .*restart-browser/);
    expect(advice[1]).toMatch(/^workers: no worker polling: start one/);
    expect(advice[2]).toBe('scale the workers');
    expect(recommendations({ status: 'healthy', components: { queue: { status: 'healthy' } } })).toEqual([]);
  });
});

describe('wcag audit output and exit status', () => {
  const issue = (ruleId: string, impact: string | null, pages = 3) => ({
    ruleId,
    impact,
    help: `${ruleId} help`,
    where: `on ${pages} of 10 pages`,
    pages,
  });
  const audit = (over: Partial<AuditView> = {}): AuditView => ({
    auditId: 'a1',
    status: 'completed',
    options: { maxPages: 100 },
    progress: { discovered: 140, queued: 0, scanning: 0, scanned: 37, failed: 1, skipped: 12 },
    report: { score: 82, issues: [issue('image-alt', 'critical'), issue('region', 'moderate', 9)] },
    ...over,
  });

  it('draws the progress line with maxPages as the denominator', () => {
    expect(auditProgressLine(audit({ status: 'running' }))).toBe('scanned 37/100 · failed 1 · skipped 12 · discovered 140 (running)');
    expect(auditProgressLine(audit({ options: undefined }))).toBe('scanned 37 · failed 1 · skipped 12 · discovered 140 (completed)');
  });

  it.each([
    [undefined, 0],
    ['critical', 1],
    ['serious', 1],
    ['moderate', 1],
    ['minor', 1],
  ])('--fail-on %s with a critical and a moderate issue exits %d', (failOn, code) => {
    expect(auditExitCode(audit(), failOn).code).toBe(code);
  });

  it('passes when every issue is below the threshold, and names the threshold when it fails', () => {
    const minorOnly = audit({ report: { score: 99, issues: [issue('region', 'minor'), issue('x', null)] } });
    expect(auditExitCode(minorOnly, 'serious')).toEqual({ code: 0 });
    expect(auditExitCode(minorOnly, 'minor')).toEqual({ code: 1, error: '1 site issue(s) at or above minor (--fail-on minor)' });
  });

  it('fails a failed or cancelled audit with one line, whatever --fail-on says', () => {
    expect(auditExitCode(audit({ status: 'failed', failureReason: 'internal', failureMessage: 'boom', report: null }))).toEqual({
      code: 1,
      error: 'audit failed (internal: boom)',
    });
    expect(auditExitCode(audit({ status: 'cancelled', report: null }), 'critical')).toEqual({ code: 1, error: 'audit cancelled' });
  });

  it('summarises score, issues by impact and the top issues, most severe first, emoji only on a terminal', () => {
    const lines = auditSummary(audit(), { tty: false });
    expect(lines).toEqual([
      'audit a1 completed: score 82 · 37 pages scanned, 1 failed, 12 skipped, 140 discovered',
      'site issues: 2 (critical 1 · serious 0 · moderate 1 · minor 0)',
      'top 2:',
      '  [critical] image-alt: image-alt help (on 3 of 10 pages)',
      '  [moderate] region: region help (on 9 of 10 pages)',
    ]);
    expect(auditSummary(audit(), { tty: true })[0]).toMatch(/^✅ audit a1/);
    const many = audit({ report: { score: 1, issues: Array.from({ length: 15 }, (_, i) => issue(`r${i}`, 'serious')) } });
    expect(auditSummary(many, { tty: false }).filter((l) => l.startsWith('  ['))).toHaveLength(10);
  });
});
