import { percentile, perMinute, round, slope, slopePer100Scans, summarize } from './stats';

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    const v = [10, 20, 30, 40, 50];
    expect(percentile(v, 0)).toBe(10);
    expect(percentile(v, 50)).toBe(30);
    expect(percentile(v, 100)).toBe(50);
    expect(percentile(v, 25)).toBe(20);
    expect(percentile([1, 2], 50)).toBe(1.5);
  });

  it('does not depend on input order and does not reorder it', () => {
    const v = [50, 10, 40, 20, 30];
    expect(percentile(v, 90)).toBeCloseTo(46);
    expect(v).toEqual([50, 10, 40, 20, 30]);
  });

  it('is NaN without samples and the value itself with one', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(percentile([7], 99)).toBe(7);
  });

  it('summarizes p50/p95/p99/max', () => {
    const v = Array.from({ length: 101 }, (_, i) => i);
    expect(summarize(v)).toEqual({ n: 101, p50: 50, p95: 95, p99: 99, max: 100 });
  });
});

describe('slope', () => {
  it('is the least-squares slope', () => {
    expect(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
    ).toBeCloseTo(2);
    expect(
      slope([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
        { x: 2, y: 0 },
        { x: 3, y: 1 },
      ]),
    ).toBeCloseTo(0.2);
  });

  it('is NaN when x does not vary', () => {
    expect(slope([{ x: 1, y: 1 }])).toBeNaN();
    expect(
      slope([
        { x: 1, y: 1 },
        { x: 1, y: 5 },
      ]),
    ).toBeNaN();
  });

  it('gives MB per 100 scans, ignoring the warm-up', () => {
    // Steep while warming up, then 0.5 MB per 100 scans.
    const samples = [
      { scans: 0, mb: 100 },
      { scans: 50, mb: 300 },
      { scans: 100, mb: 400 },
      { scans: 200, mb: 400.5 },
      { scans: 300, mb: 401 },
      { scans: 400, mb: 401.5 },
    ];
    expect(slopePer100Scans(samples, 100)).toBeCloseTo(0.5);
    expect(slopePer100Scans(samples, 0)).toBeGreaterThan(10);
  });
});

describe('perMinute and round', () => {
  it('computes a rate per minute', () => {
    expect(perMinute(30, 60_000)).toBe(30);
    expect(perMinute(1, 0)).toBeNaN();
  });

  it('keeps three significant digits below 100', () => {
    expect(round(12.3456)).toBe(12.3);
    expect(round(0.012345)).toBe(0.0123);
    expect(round(1234.5)).toBe(1235);
    expect(round(Number.NaN)).toBeNaN();
  });
});
