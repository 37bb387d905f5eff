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
