import { webhookChannel, alertText, type AlertChannel, type AlertNotification } from './alert-channels';
import { deliver, evaluateAlerts, planAlerts, type AlertInputs, type OpenAlert } from './alerts';
import { reliabilityFrom } from './reliability';
import { planBrowserRestarts } from './recovery';
import type { WorkerView } from './telemetry';
import {
  browserRestartReason,
  databaseStatus,
  isLost,
  percent,
  puppeteerStatus,
  queueStatus,
  recommendationsFor,
  THRESHOLDS,
  workersStatus,
  worst,
} from './thresholds';

describe('health thresholds', () => {
  it('takes the worst status', () => {
    expect(worst([])).toBe('healthy');
    expect(worst(['healthy', 'warning', 'healthy'])).toBe('warning');
    expect(worst(['warning', 'critical', 'healthy'])).toBe('critical');
  });

  it('rates the database by reachability and latency', () => {
    expect(databaseStatus({ ok: false, latencyMs: 1 })).toBe('critical');
    expect(databaseStatus({ ok: true, latencyMs: THRESHOLDS.database.warnLatencyMs })).toBe('healthy');
    expect(databaseStatus({ ok: true, latencyMs: THRESHOLDS.database.warnLatencyMs + 1 })).toBe('warning');
  });

  it('rates the queue: unreachable or a queue without pollers is critical, an old backlog a warning then critical', () => {
    const ok = { temporalReachable: true, queuesWithoutPollers: [], backlogAgeMs: 0 };
    expect(queueStatus(ok)).toBe('healthy');
    expect(queueStatus({ ...ok, temporalReachable: false })).toBe('critical');
    expect(queueStatus({ ...ok, queuesWithoutPollers: ['wcag-browser'] })).toBe('critical');
    expect(queueStatus({ ...ok, backlogAgeMs: THRESHOLDS.queue.warnBacklogAgeMs + 1 })).toBe('warning');
    expect(queueStatus({ ...ok, backlogAgeMs: THRESHOLDS.queue.criticalBacklogAgeMs + 1 })).toBe('critical');
  });

  it('rates browsers by memory against MAX_MEMORY_MB and by their own health check', () => {
    const b = { identity: 'h:1', connected: true, pssMb: 100, lastHealthOk: true, draining: false };
    expect(puppeteerStatus([], 800)).toBe('critical');
    expect(puppeteerStatus([b], 800)).toBe('healthy');
    expect(puppeteerStatus([{ ...b, pssMb: 700 }], 800)).toBe('warning');
    expect(puppeteerStatus([{ ...b, pssMb: 801 }], 800)).toBe('critical');
    expect(browserRestartReason({ ...b, pssMb: 801 }, 800)).toBe('memory');
    expect(browserRestartReason({ ...b, lastHealthOk: false }, 800)).toBe('unresponsive');
    // Already restarting, or no browser (closed while idle): nothing to restart.
    expect(browserRestartReason({ ...b, pssMb: 900, draining: true }, 800)).toBeNull();
    expect(browserRestartReason({ ...b, pssMb: 900, connected: false }, 800)).toBeNull();
  });

  it('rates workers and finds lost ones after 3 silent intervals', () => {
    expect(workersStatus({ live: 0, lost: 0 })).toBe('critical');
    expect(workersStatus({ live: 1, lost: 1 })).toBe('warning');
    expect(workersStatus({ live: 2, lost: 0 })).toBe('healthy');
    const now = new Date('2026-11-28T12:00:00Z');
    const seen = (msAgo: number, state = 'running') => ({ state, intervalMs: 5_000, lastSeenAt: new Date(now.getTime() - msAgo) });
    expect(isLost(seen(15_000), now)).toBe(false);
    expect(isLost(seen(15_001), now)).toBe(true);
    expect(isLost(seen(60_000, 'stopped'), now)).toBe(false);
    expect(isLost(seen(0, 'lost'), now)).toBe(true);
  });

  it('writes percentages the seed way', () => {
    expect(percent(null)).toBeNull();
    expect(percent(0.955)).toBe('95.50%');
  });
});

const inputs = (over: Partial<AlertInputs> = {}): AlertInputs => ({
  components: { queue: { status: 'healthy', message: 'ok' }, database: { status: 'healthy', message: 'ok' } },
  lastHour: { completed: 0, failed: 0 },
  failedInWindow: { count: 0, byReason: {}, sampleScanIds: [], windowMs: 900_000 },
  openBreakers: [],
  lostWorkers: [],
  memoryRestarts: [],
  config: { successRateThreshold: 0.9, minVolume: 10 },
  ...over,
});

describe('alert evaluation', () => {
  it('raises nothing when all is well', () => {
    expect(evaluateAlerts(inputs())).toEqual([]);
  });

  it('raises one alert per trigger, keyed so it can be deduplicated', () => {
    const keys = evaluateAlerts(
      inputs({
        components: { queue: { status: 'critical', message: 'no worker polls x' }, database: { status: 'warning', message: 'slow' } },
        lastHour: { completed: 8, failed: 3 },
        failedInWindow: { count: 3, byReason: { timeout: 2, blocked: 1 }, sampleScanIds: ['a', 'b', 'c'], windowMs: 900_000 },
        openBreakers: [{ name: 'host:example.com', kind: 'host', failures: 5, openedAt: null }],
        lostWorkers: ['h:9'],
        memoryRestarts: [{ identity: 'h:1', delta: 1, total: 2 }],
      }),
    ).map((c) => c.key);
    expect(keys).toEqual([
      'component_critical:queue',
      'success_rate',
      'scans_failed',
      'circuit_breaker_open:host:example.com',
      'worker_lost:h:9',
      'browser_memory_restart:h:1',
    ]);
  });

  it('aggregates failed scans into one alert with the count per reason', () => {
    const [c] = evaluateAlerts(inputs({ failedInWindow: { count: 40, byReason: { timeout: 40 }, sampleScanIds: [], windowMs: 900_000 } }));
    expect(c.message).toBe('40 scan(s) failed after all retries in the last 15 min (timeout ×40)');
  });

  it("raises a shared host breaker as critical and a client's own host breaker as a warning naming the client", () => {
    const alerts = evaluateAlerts(
      inputs({
        openBreakers: [
          { name: 'host:example.com', kind: 'host', failures: 5, openedAt: null },
          { name: 'host:example.com#client:acme', kind: 'host_client', failures: 5, openedAt: null },
        ],
      }),
    );
    expect(alerts.map((a) => [a.key, a.severity])).toEqual([
      ['circuit_breaker_open:host:example.com', 'critical'],
      ['circuit_breaker_open:host:example.com#client:acme', 'warning'],
    ]);
    expect(alerts[1].message).toMatch(/client acme's scans of the host wait/);
  });

  it('needs the minimum volume before judging the success rate', () => {
    expect(evaluateAlerts(inputs({ lastHour: { completed: 5, failed: 4 } }))).toEqual([]);
    expect(evaluateAlerts(inputs({ lastHour: { completed: 9, failed: 1 } }))).toEqual([]); // exactly 90 %
    expect(evaluateAlerts(inputs({ lastHour: { completed: 17, failed: 3 } }))[0].message).toMatch(/85\.00%.*below 90\.00%/);
  });
});

describe('alert dedupe and resolution', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const [queueCritical] = evaluateAlerts(inputs({ components: { queue: { status: 'critical', message: 'down' } } }));
  const open = (key: string, kind: string, notifiedMsAgo: number | null): OpenAlert => ({
    id: key,
    key,
    kind,
    notifiedAt: notifiedMsAgo === null ? null : new Date(now.getTime() - notifiedMsAgo),
  });

  it('fires a new key once and stays quiet while it keeps firing within the window', () => {
    expect(planAlerts([queueCritical], [], now, 60_000).fire).toEqual([queueCritical]);
    const plan = planAlerts([queueCritical, queueCritical], [open(queueCritical.key, 'component_critical', 30_000)], now, 60_000);
    expect(plan.fire).toEqual([]);
    expect(plan.refresh).toHaveLength(1);
    expect(plan.refresh[0].notify).toBe(false);
  });

  it('notifies again once a window has passed while still firing', () => {
    const plan = planAlerts([queueCritical], [open(queueCritical.key, 'component_critical', 60_000)], now, 60_000);
    expect(plan.refresh[0].notify).toBe(true);
  });

  it('resolves what cleared: conditions with a notification, events silently', () => {
    const plan = planAlerts(
      [],
      [open('component_critical:queue', 'component_critical', 1), open('scans_failed', 'scans_failed', 1)],
      now,
      60_000,
    );
    expect(plan.resolve.map((r) => [r.alert.key, r.notify])).toEqual([
      ['component_critical:queue', true],
      ['scans_failed', false],
    ]);
  });
});

describe('alert delivery', () => {
  const n: AlertNotification = {
    key: 'k',
    kind: 'worker_lost',
    severity: 'warning',
    status: 'firing',
    message: 'worker h:1 lost',
    details: {},
    firstSeenAt: '',
    occurrences: 1,
  };
  const ok: AlertChannel = { name: 'ok', external: true, send: async () => ({ attempts: 2 }) };
  const log: AlertChannel = { name: 'log', external: false, send: async () => ({ attempts: 1 }) };

  it('reports skipped with only the log, delivered or failed with the attempts of external channels', async () => {
    expect(await deliver([log], n)).toEqual({ status: 'skipped', attempts: 0, error: null });
    expect(await deliver([log, ok], n)).toEqual({ status: 'delivered', attempts: 2, error: null });
    const down = webhookChannel({ url: 'http://127.0.0.1:9/', timeoutMs: 500, retries: 1, backoffMs: 10 });
    expect(await deliver([log, down], n)).toEqual({ status: 'failed', attempts: 2, error: 'webhook: webhook unreachable' });
  });

  it('writes Slack text with the severity and kind', () => {
    expect(alertText(n)).toBe('⚠️ WARNING [worker_lost] worker h:1 lost');
    expect(alertText({ ...n, status: 'resolved' })).toMatch(/^✅ RESOLVED/);
  });
});

describe('reliability', () => {
  it('sums the days, rates success without cancelled scans and recommends per failure category', () => {
    const row = (day: string, completed: number, failed: number, cancelled: number, scoreSum: number, durationSum: number) => ({
      day: new Date(`${day}T00:00:00Z`),
      completed,
      failed,
      cancelled,
      scoreSum,
      scoreN: completed,
      durationSum,
      durationN: completed,
    });
    const r = reliabilityFrom(
      7,
      new Date('2026-11-21T12:00:00Z'),
      [row('2026-11-27', 9, 1, 2, 720, 9_000), row('2026-11-28', 1, 1, 0, 100, 3_000)],
      { timeout: 2 },
    );
    expect(r.period).toBe('Last 7 days');
    expect(r.summary).toEqual({
      totalScans: 14,
      successfulScans: 10,
      failedScans: 2,
      cancelledScans: 2,
      successRate: '83.33%',
      averageScore: 82,
      averageScanTime: 1_200,
    });
    expect(r.daily.map((d) => [d.date, d.successRate, d.averageScore])).toEqual([
      ['2026-11-27', '90.00%', 80],
      ['2026-11-28', '50.00%', 100],
    ]);
    expect(Object.keys(r.failureAnalysis.recommendations)).toEqual(['timeout']);
    expect(recommendationsFor({ weird: 1, blocked: 0 })).toEqual({ weird: expect.stringMatching(/Unknown category/) });
  });
});

describe('recovery planning', () => {
  it('restarts only live, connected browsers over the limit or unresponsive', () => {
    const w = (identity: string, state: WorkerView['state'], pss: number, ok: boolean | null, connected = true) =>
      ({
        identity,
        state,
        browser: {
          connected,
          draining: false,
          chromiumMemoryMb: { pss, rss: pss * 3 },
          lastHealthCheck: ok === null ? null : { at: '', ok, message: '' },
        },
      }) as unknown as WorkerView;
    const plan = planBrowserRestarts(
      {
        workers: [
          w('a:1', 'running', 900, true),
          w('b:2', 'running', 100, false),
          w('c:3', 'lost', 900, true),
          w('d:4', 'running', 900, true, false),
          w('e:5', 'running', 100, null),
        ],
      },
      800,
    );
    expect(plan.map((p) => [p.identity, p.cause])).toEqual([
      ['a:1', 'memory'],
      ['b:2', 'unresponsive'],
    ]);
  });
});
