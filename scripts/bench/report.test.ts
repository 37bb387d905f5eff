import { parseArgs } from './args';
import { discoverMonitoringGets } from './monitoring';
import { breakdownRows, formatReport, markdownTable, summaryRows, type BenchResult } from './report';
import { spread } from './stats';
import type { BareThroughput, PlatformThroughput, ThroughputRun } from './throughput';

const base: BenchResult = {
  startedAt: '2026-11-28T22:00:00.000Z',
  finishedAt: '2026-11-28T22:03:00.000Z',
  durationS: 180,
  options: {},
  machine: { cores: 2, cpuModel: 'cpu', memoryGb: 8, loadStart: [1, 2, 3], loadEnd: [4, 5, 6], node: 'v20', chromium: 'Chromium 156' },
  errors: [],
};

describe('markdownTable', () => {
  it('writes a header, a separator and escaped cells', () => {
    expect(markdownTable(['a', 'b'], [['1', 'x|y']])).toBe('| a | b |\n|---|---|\n| 1 | x\\|y |');
  });
});

describe('formatReport', () => {
  it('names the machine and load average', () => {
    const text = formatReport(base);
    expect(text).toContain('2 cores');
    expect(text).toContain('load average 1.00 2.00 3.00 at start, 4.00 5.00 6.00 at end');
  });

  it('judges targets: monitoring p99, absent endpoints, soak leftovers, errors', () => {
    const rows = summaryRows({
      ...base,
      monitoring: {
        history: 10_000,
        runningScans: 3,
        connections: 5,
        seconds: 3,
        endpoints: [
          { path: '/api/monitoring/queue/stats', query: '', present: true, status: 200, requests: 100, p50Ms: 5, p99Ms: 40 },
          { path: '/api/monitoring/reconcile', query: '', present: true, status: 200, requests: 20, p50Ms: 90, p99Ms: 250 },
          { path: '/api/monitoring/dashboard', query: '', present: false, status: 404 },
        ],
      },
      errors: [{ part: 'soak', message: 'bulk not done' }],
    });
    expect(rows).toContainEqual(['monitoring', 'GET /api/monitoring/queue/stats p50 / p99', '5 ms / 40 ms', 'p99 < 100 ms: met']);
    expect(rows).toContainEqual(['monitoring', 'GET /api/monitoring/reconcile p50 / p99', '90 ms / 250 ms', 'p99 < 100 ms: **not met**']);
    expect(rows).toContainEqual(['monitoring', 'GET /api/monitoring/dashboard', 'absent (404)', '']);
    expect(rows).toContainEqual(['soak', 'did not finish', 'bulk not done', '**error**']);
  });
});

const summary = { n: 1, p50: 100, p95: 100, p99: 100, max: 100 };
const correct = (n: number) => ({ checked: n, correct: n, mismatches: [] });
const bare = (mode: 'same-scan' | 'reuse', pagesPerMin: number): BareThroughput => ({
  mode,
  concurrency: 3,
  pages: 10,
  pagesPerMin,
  perPageMs: {
    setup: summary,
    lease: summary,
    prepare: summary,
    navigate: summary,
    settle: summary,
    axe: summary,
    total: summary,
  },
  errors: 0,
  correctness: correct(10),
  cpu: { chromium: 8, node: 2, temporal: null, perPageS: 1 },
});
const platform: PlatformThroughput = {
  concurrency: 3,
  pages: 10,
  pagesPerMin: 27,
  acceptMs: 20,
  latencyMs: summary,
  firstPageLoadMs: 50,
  inWorkflowMs: summary,
  completed: 10,
  failed: 0,
  correctness: { checked: 10, correct: 9, mismatches: [{ path: '/d/001.html', missing: ['label'], unexpected: [] }] },
  cpu: { chromium: 12, node: 6, temporal: 3, perPageS: 1.8 },
  stagesMs: { axe: 480.4, navigate: null },
  timeline: null,
};
const run: ThroughputRun = {
  corpus: 'light',
  concurrency: 3,
  platform,
  bare: bare('same-scan', 45),
  reuse: bare('reuse', 60),
  ratio: 0.6,
  ratioToReuse: 0.45,
};

describe('throughput rows', () => {
  it('judges platform / reused pages against 90 % and every page against its planted set', () => {
    const rows = summaryRows({ ...base, throughput: { runs: [run] } });
    expect(rows).toContainEqual(['throughput light C=3', 'pages/min: platform / bare same scan / bare reused pages', '27 / 45 / 60', '']);
    expect(rows).toContainEqual([
      'throughput light C=3',
      'platform / reused pages · platform / same scan',
      '45 % · 60 %',
      '≥ 90 %: **not met**',
    ]);
    expect(rows).toContainEqual([
      'throughput light C=3',
      'CPU-s per page (Chromium tree + Node process): platform / same scan / reused',
      '1.80 s / 1.00 s / 1.00 s',
      '',
    ]);
    expect(rows).toContainEqual([
      'throughput light C=3',
      'pages with exactly the planted violations (platform, same scan, reused)',
      '9/10, 10/10, 10/10',
      'all: **not met**',
    ]);
  });

  it('prints a breakdown row per corpus and concurrency, n/a where nothing was measured', () => {
    const [row] = breakdownRows({ runs: [run] });
    expect(row.slice(0, 2)).toEqual(['light', '3']);
    expect(row).toContain('480');
    expect(row.filter((c) => c === 'n/a').length).toBeGreaterThan(5);
    expect(row[row.length - 1]).toBe('0.30');
    expect(formatReport({ ...base, throughput: { runs: [run] } })).toContain('Platform time per page, mean ms');
  });
});

describe('backlog row', () => {
  it('shows mean ± sd per backlog and whether the difference is inside the noise', () => {
    const a = spread([30, 31, 29]);
    const b = spread([29, 30, 28]);
    const rows = summaryRows({
      ...base,
      enqueue: {
        bulk: { items: 500, acceptMs: 300 },
        single: { requests: 100, clients: 20, p50Ms: 10, p99Ms: 40, maxMs: 50, non2xx: 0, requestsPerSec: 200 },
        backlog: [
          { queued: 50, timedScans: 60, pagesPerMin: 30, subWindowRates: [30, 31, 29], rate: a },
          { queued: 500, timedScans: 60, pagesPerMin: 29, subWindowRates: [29, 30, 28], rate: b },
        ],
        flatness: 29 / 30,
        comparison: { ratio: 29 / 30, difference: -1, noise: 1.6, insideNoise: true },
      },
    });
    const row = rows.find((r) => r[1].startsWith('pages/min with 50 vs 500 queued'))!;
    expect(row[2]).toBe('30.0 ± 1.0 vs 29.0 ± 1.0 (97 %); difference -1.0 inside the noise (2 SE = 1.6)');
    expect(row[3]).toBe('within 10 %: met');
  });
});

describe('parseArgs', () => {
  it('takes corpora for the throughput part, all three by default', () => {
    expect(parseArgs([]).corpora).toEqual(['realistic', 'light', 'multi-site']);
    expect(parseArgs(['--corpus', 'light,realistic,light']).corpora).toEqual(['light', 'realistic']);
    expect(() => parseArgs(['--corpus', 'heavy'])).toThrow(/unknown corpus/);
    expect(() => parseArgs(['--corpus', ''])).toThrow(/at least one/);
  });

  it('times enough backlog scans to see noise, and refuses more sub-windows than scans', () => {
    expect(parseArgs([])).toMatchObject({ backlogWindow: 60, backlogSubWindows: 6 });
    expect(parseArgs(['--quick']).backlogWindow).toBeLessThan(10);
    expect(() => parseArgs(['--backlog-window', '4', '--backlog-sub-windows', '5'])).toThrow(/exceeds/);
  });

  it('has full and quick sizes', () => {
    expect(parseArgs([]).soakScans).toBe(1000);
    expect(parseArgs(['--quick']).soakScans).toBeLessThan(100);
  });

  it('selects parts in their fixed order and rejects unknown ones', () => {
    expect(parseArgs(['--only', 'soak,throughput']).only).toEqual(['throughput', 'soak']);
    expect(() => parseArgs(['--only', 'nope'])).toThrow(/unknown part/);
    expect(() => parseArgs(['--soak', '0'])).toThrow(/positive/);
    expect(parseArgs(['--concurrency', '1,3', '--pages', '10', '--throughput-pages', '50'])).toMatchObject({
      concurrency: [1, 3],
      throughputPages: 10,
    });
  });
});

describe('discoverMonitoringGets', () => {
  it('finds parameterless GETs of routers mounted under /monitoring', () => {
    const app = `api.use('/monitoring/workers', workersRouter(deps));\napi.use('/monitoring', monitoringRouter(svc));\napi.use('/scans', scansRouter(x));`;
    const routers = [
      { source: `export function workersRouter(d) { router.get('/', a); router.post('/:id/drain', b); req.get('authorization'); }` },
      { source: `export function monitoringRouter(s) { router.get('/queue/stats', a); router.get('/queue/:id', b); }` },
      { source: `export function scansRouter(s) { router.get('/', a); }` },
    ];
    expect(discoverMonitoringGets(app, routers)).toEqual(['/api/monitoring/queue/stats', '/api/monitoring/workers']);
  });
});
