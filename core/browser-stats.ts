// What a worker's browser pool reports: read by the worker-control activity, worker telemetry, metrics and the API.
export type RestartCause = 'crash' | 'unresponsive' | 'memory' | 'killed' | 'manual';

export interface TreeMemory {
  /** Proportional set size: shared pages split between the processes that map them. What the tree really costs. */
  pssMb: number;
  /** Sum of resident sizes: counts every shared library once per process (Chromium's ~9 processes: ~3x PSS). */
  rssMb: number;
}

export interface BrowserPoolStats {
  connected: boolean;
  pid: number | null;
  pagesInUse: number;
  maxPages: number;
  waiting: number;
  leasesGranted: number;
  restarts: Record<RestartCause, number>;
  /** The Chromium tree's memory at the last health check (PSS is what MAX_MEMORY_MB is compared with). */
  chromium: TreeMemory;
  launches: number;
  lastHealthCheck: { at: string; ok: boolean; message: string } | null;
  draining: boolean;
  /** Idle warm contexts kept for their client's next scan (BrowserPool reuseKey). */
  warmPages?: number;
  /** Of those, how many are still being reset after their last scan. */
  warmResetting?: number;
  /** Leases served by a warm page since the worker started. */
  warmLeases?: number;
}

/** The part of the browser pool that telemetry reads (BrowserPool satisfies it). */
export interface BrowserPoolView {
  stats(): BrowserPoolStats;
  memory(): TreeMemory;
}
