// Pure: how the scan workflow recognises "the target host's circuit breaker is open, come back later".
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';

/** Failure type the browser activity throws instead of scanning a host whose breaker is open. */
export const HOST_CIRCUIT_OPEN = 'host_circuit_open';

/** Marker for the patched scan workflow path that waits on an open host breaker (replay-safe change). */
export const HOST_BREAKER_PATCH = 'host-circuit-breaker-wait';

/** Each wait is one activity call and one timer; bound the history a site that never recovers can grow. */
export const MAX_HOST_WAITS = 120;

/** Details carried by a HOST_CIRCUIT_OPEN failure. */
export interface HostCircuitOpenDetails {
  host: string;
  retryAfterMs: number;
}

/** The wait (ms) when `err` is the activity's "host breaker open" refusal, otherwise null. */
export function hostCircuitWaitMs(err: unknown): number | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== HOST_CIRCUIT_OPEN) return null;
  const details = cause.details?.[0] as Partial<HostCircuitOpenDetails> | undefined;
  const ms = Number(details?.retryAfterMs);
  // At least a second, at most ten minutes, whatever the details say.
  return Number.isFinite(ms) ? Math.min(600_000, Math.max(1_000, ms)) : 30_000;
}
