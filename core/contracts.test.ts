import {
  FAILURE_CATEGORIES,
  isFailureCategory,
  priorityKeyFor,
  scanStartOptions,
  scanWorkflowId,
  taskQueues,
  type ScanQueue,
} from './contracts';

const PRIORITIES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('priorityKeyFor', () => {
  it('gives every high-queue priority a smaller key than every low-queue priority', () => {
    const highMax = Math.max(...PRIORITIES.map((p) => priorityKeyFor('high', p)));
    const lowMin = Math.min(...PRIORITIES.map((p) => priorityKeyFor('low', p)));
    expect(highMax).toBeLessThan(lowMin);
  });

  it.each<ScanQueue>(['high', 'low'])('never gives a higher priority a larger key within the %s queue', (queue) => {
    for (let p = 1; p < 10; p++) {
      expect(priorityKeyFor(queue, p + 1)).toBeLessThanOrEqual(priorityKeyFor(queue, p));
    }
  });

  it.each<ScanQueue>(['high', 'low'])('distinguishes the top and bottom priority within the %s queue', (queue) => {
    expect(priorityKeyFor(queue, 10)).toBeLessThan(priorityKeyFor(queue, 1));
  });

  it.each<ScanQueue>(['high', 'low'])('stays within Temporal priority keys 1..5 for the %s queue, even out of range', (queue) => {
    for (const p of [-100, -1, 0, 0.4, ...PRIORITIES, 10.6, 11, 1000, Infinity, -Infinity, NaN]) {
      const key = priorityKeyFor(queue, p);
      expect(Number.isInteger(key)).toBe(true);
      expect(key).toBeGreaterThanOrEqual(1);
      expect(key).toBeLessThanOrEqual(5);
    }
  });

  it.each<[ScanQueue, number, number]>([
    ['high', 10, 1],
    ['high', 6, 1],
    ['high', 5, 2],
    ['high', 1, 2],
    ['low', 10, 3],
    ['low', 8, 3],
    ['low', 7, 4],
    ['low', 4, 4],
    ['low', 3, 5],
    ['low', 1, 5],
  ])('maps queue %s priority %i to key %i', (queue, priority, key) => {
    expect(priorityKeyFor(queue, priority)).toBe(key);
  });

  it.each<[ScanQueue, number, number]>([
    ['high', 0, 1],
    ['high', -5, 1],
    ['high', 11, 10],
    ['high', 1e6, 10],
    ['low', 0, 1],
    ['low', -5, 1],
    ['low', 11, 10],
    ['low', 1e6, 10],
    ['low', 7.6, 8],
    ['low', 3.6, 4],
    ['high', 5.5, 6],
  ])('treats queue %s priority %d like priority %i (clamped and rounded)', (queue, priority, equivalent) => {
    expect(priorityKeyFor(queue, priority)).toBe(priorityKeyFor(queue, equivalent));
  });
});

describe('taskQueues', () => {
  it('derives the high, low and browser queue names from the prefix', () => {
    expect(taskQueues('wcag')).toEqual({ high: 'wcag-scans-high', low: 'wcag-scans-low', browser: 'wcag-browser' });
  });

  it('gives different prefixes disjoint queue names', () => {
    const a = Object.values(taskQueues('prod'));
    const b = Object.values(taskQueues('test-1'));
    expect(new Set([...a, ...b]).size).toBe(6);
  });
});

describe('scanWorkflowId', () => {
  it('prefixes the scan id with "scan-"', () => {
    expect(scanWorkflowId('0b7c6a1e-8d3f-4f5e-9a2b-1c2d3e4f5a6b')).toBe('scan-0b7c6a1e-8d3f-4f5e-9a2b-1c2d3e4f5a6b');
  });

  it('gives different scans different workflow ids', () => {
    expect(scanWorkflowId('a')).not.toBe(scanWorkflowId('b'));
  });
});

describe('isFailureCategory', () => {
  it.each([...FAILURE_CATEGORIES])('accepts "%s"', (c) => {
    expect(isFailureCategory(c)).toBe(true);
  });

  it.each([['Timeout'], ['TypeError'], [''], [undefined], [null], [1]])('rejects %p', (v) => {
    expect(isFailureCategory(v)).toBe(false);
  });
});

describe('scanStartOptions', () => {
  it('sets the priority, the fairness key and every search attribute a scan is found by', () => {
    const o = scanStartOptions({ scanId: 's-1', clientId: 'acme', queue: 'high', priority: 7, targetHost: 'example.com' });
    expect(o.priority).toEqual({ priorityKey: 1, fairnessKey: 'acme' });
    expect(o.typedSearchAttributes.map((p) => [p.key.name, p.value])).toEqual([
      ['ClientId', 'acme'],
      ['TargetHost', 'example.com'],
      ['Queue', 'high'],
      ['ScanStatus', 'queued'],
      ['ScanId', 's-1'],
    ]);
  });
});
