// The per-target-host circuit breaker as the browser activity uses it: ask before scanning, report after.
// State lives in Postgres (lib/circuit-breakers.ts) so every worker sees and feeds the same breaker per host.
import { ApplicationFailure, log } from '@temporalio/activity';
import { acquireHostPermit, hostBreakerName, recordHostOutcome, type BreakerConfig } from '../lib/circuit-breakers';
import { workerMetrics } from '../lib/metrics';
import type { PrismaClient } from '../lib/prisma';
import { HOST_CIRCUIT_OPEN, type HostCircuitOpenDetails } from '../core/host-breaker';
import { hostBreakerVerdict, type AttemptEnd } from './host-breaker-verdict';

export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

/**
 * Throws HOST_CIRCUIT_OPEN when the host's breaker does not admit a scan now. `defer` (the patched workflow):
 * non-retryable, the workflow sleeps and calls again; otherwise a retryable failure whose next retry waits for
 * the breaker. A database hiccup admits the scan: the breaker protects sites, it must not stop the platform.
 */
export async function deferIfHostOpen(prisma: PrismaClient, cfg: BreakerConfig, host: string, defer: boolean): Promise<void> {
  const permit = await acquireHostPermit(prisma, host, cfg).catch((err: unknown) => {
    log.warn('host breaker unavailable; scanning anyway', { host, message: (err as Error).message });
    return { allowed: true as const, probe: false };
  });
  if (permit.allowed) return;
  workerMetrics().hostBreakerWaits.inc();
  log.info('host circuit breaker open: scan deferred', { host, state: permit.state, retryAfterMs: permit.retryAfterMs });
  const details: HostCircuitOpenDetails = { host, retryAfterMs: permit.retryAfterMs };
  throw ApplicationFailure.create({
    type: HOST_CIRCUIT_OPEN,
    message: `circuit breaker for ${host} is ${permit.state}; next try in ${Math.ceil(permit.retryAfterMs / 1000)} s`,
    nonRetryable: defer,
    nextRetryDelay: defer ? undefined : permit.retryAfterMs,
    details: [details],
  });
}

/**
 * Feeds the attempt's outcome to the host's breaker (counted as hostBreakerVerdict says, on behalf of `clientId`)
 * and the metrics; never throws.
 */
export async function noteScanOutcome(
  prisma: PrismaClient,
  cfg: BreakerConfig | undefined,
  host: string | null,
  outcome: AttemptEnd & { durationMs: number; clientId?: string },
): Promise<void> {
  const metrics = workerMetrics();
  metrics.scanOutcomes.inc({ outcome: outcome.category });
  metrics.scanDuration.observe({ outcome: outcome.category === 'completed' ? 'completed' : 'failed' }, outcome.durationMs / 1000);
  if (!cfg || !host) return;
  const kind = hostBreakerVerdict(outcome, cfg.minScanBudgetMs ?? 0);
  try {
    const { before, after } = await recordHostOutcome(prisma, host, kind, cfg, outcome.message?.slice(0, 300), outcome.clientId || undefined);
    if (after && before !== after && !(before === null && after === 'closed')) {
      const name = hostBreakerName(host);
      metrics.breakerTransitions.inc({ name, to: after });
      log.warn('circuit breaker changed state', { breaker: name, from: before, to: after });
    }
  } catch (err) {
    log.warn('could not record the host breaker outcome', { host, message: (err as Error).message });
  }
}
