import { compareRates, percentile, perMinute, round, slope, slopePer100Scans, spread, subWindowRates, summarize } from './stats';

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

describe('spread', () => {
  it('gives mean, sample standard deviation and standard error', () => {
    const s = spread([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    expect(s.sd).toBeCloseTo(2.138, 3);
    expect(s.se).toBeCloseTo(2.138 / Math.sqrt(8), 3);
    expect(spread([3]).sd).toBeNaN();
  });
});

describe('subWindowRates', () => {
  it('splits the timed completions after the skipped ones into equal sub-windows', () => {
    // One completion a second, then one every two seconds: 60/min, then 30/min.
    const times = [0, 1000, 2000, 3000, 5000, 7000, 9000];
    expect(subWindowRates(times, 1, 6, 2)).toEqual([60, 30]);
    expect(subWindowRates([...times].reverse(), 1, 6, 2)).toEqual([60, 30]);
  });

  it('cuts the window to the completions there are, and gives nothing when too few', () => {
    expect(subWindowRates([0, 1000, 2000], 1, 10, 2)).toEqual([60, 60]);
    expect(subWindowRates([0, 1000], 1, 10, 2)).toEqual([]);
  });
});

describe('compareRates', () => {
  it('calls a difference within two standard errors noise', () => {
    const a = spread([30, 32, 28, 30]);
    expect(compareRates(a, spread([29, 31, 30, 28])).insideNoise).toBe(true);
    const far = compareRates(a, spread([20, 21, 19, 20]));
    expect(far.insideNoise).toBe(false);
    expect(far.ratio).toBeCloseTo(20 / 30);
    expect(far.difference).toBeCloseTo(-10);
  });
});
