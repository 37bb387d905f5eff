import { parseArgs } from './args';
import { discoverMonitoringGets } from './monitoring';
import { formatReport, markdownTable, summaryRows, type BenchResult } from './report';

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

describe('parseArgs', () => {
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
