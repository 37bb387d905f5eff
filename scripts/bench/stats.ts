// Pure number crunching for the benchmark: percentiles, rates and the memory slope.

/** The p-th percentile (0-100) by linear interpolation between closest ranks; NaN for no samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** Items per minute for `count` items over `ms` milliseconds. */
export function perMinute(count: number, ms: number): number {
  return ms > 0 ? (count * 60_000) / ms : Number.NaN;
}

/** Least-squares slope of y over x; NaN with fewer than two distinct x. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx === 0 ? Number.NaN : sxy / sxx;
}

export interface MemorySample {
  /** Scans finished when the sample was taken. */
  scans: number;
  mb: number;
}

/**
 * MB per 100 scans after warm-up: the regression over samples taken once `warmupScans` scans had finished
 * (the first browser launch, JIT and pools filling up are not a leak).
 */
export function slopePer100Scans(samples: readonly MemorySample[], warmupScans: number): number {
  const points = samples.filter((s) => s.scans >= warmupScans).map((s) => ({ x: s.scans, y: s.mb }));
  return slope(points) * 100;
}

/** Rounds for display: 3 significant digits below 100, whole numbers above. */
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  if (Math.abs(v) >= 100) return Math.round(v);
  return Number(v.toPrecision(3));
}

export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1); NaN below two values. */
  sd: number;
  /** Standard error of the mean, sd / √n. */
  se: number;
}

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  const mean = n ? values.reduce((a, b) => a + b, 0) / n : Number.NaN;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { n, mean, sd, se: sd / Math.sqrt(n) };
}

/**
 * Per-minute rates of `parts` consecutive sub-windows of `window` completions, starting after the first `skip`
 * (the pipeline filling up). `times` are completion times in ms, in any order; the window is cut short when
 * fewer completions are there. Each sub-window is timed from the completion before its first one.
 */
export function subWindowRates(times: readonly number[], skip: number, window: number, parts: number): number[] {
  const t = [...times].sort((a, b) => a - b);
  const from = Math.max(0, skip - 1);
  const usable = Math.min(window, t.length - 1 - from);
  const size = Math.floor(usable / parts);
  if (size < 1) return [];
  return Array.from({ length: parts }, (_, j) => {
    const a = from + j * size;
    return perMinute(size, t[a + size] - t[a]);
  }).filter((r) => Number.isFinite(r));
}

export interface RateComparison {
  /** b's mean over a's mean (1 = equal). */
  ratio: number;
  /** b - a. */
  difference: number;
  /** Two standard errors of the difference: what sub-window noise alone could explain. */
  noise: number;
  insideNoise: boolean;
}

/** Whether two rates measured as sub-window spreads differ by more than their noise (two standard errors). */
export function compareRates(a: Spread, b: Spread): RateComparison {
  const difference = b.mean - a.mean;
  const noise = 2 * Math.sqrt(a.se ** 2 + b.se ** 2);
  return { ratio: b.mean / a.mean, difference, noise, insideNoise: Math.abs(difference) <= noise };
}
