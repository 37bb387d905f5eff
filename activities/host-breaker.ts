// The target-host circuit breakers as the browser activity uses them: ask before scanning, report after. A scan
// answers to its host's shared breaker and to its client's own breaker for the host (lib/circuit-breakers.ts,
// hostBreakersFor). State lives in Postgres so every worker sees and feeds the same breakers.
import { ApplicationFailure, log } from '@temporalio/activity';
import { acquireHostPermit, breakerClientId, recordHostOutcome, type BreakerConfig } from '../lib/circuit-breakers';
import type { WorkerMetrics } from '../lib/metrics';
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
 * Throws HOST_CIRCUIT_OPEN when the host's shared breaker or `clientId`'s own breaker for the host does not admit
 * a scan now (no client id: the shared one only). `defer` (the patched workflow): non-retryable, the workflow
 * sleeps and calls again; otherwise a retryable failure whose next retry waits for the breaker. A database hiccup
 * admits the scan: the breaker protects sites, it must not stop the platform.
 */
export async function deferIfHostOpen(
  prisma: PrismaClient,
  metrics: WorkerMetrics,
  cfg: BreakerConfig,
  host: string,
  defer: boolean,
  clientId?: string,
): Promise<void> {
  const permit = await acquireHostPermit(prisma, host, cfg, clientId).catch((err: unknown) => {
    log.warn('host breaker unavailable; scanning anyway', { host, clientId, message: (err as Error).message });
    return { allowed: true as const, probe: false };
  });
  if (permit.allowed) return;
  const own = breakerClientId(permit.breaker) !== null;
  metrics.hostBreakerWaits.inc({ kind: own ? 'host_client' : 'host' });
  log.info('host circuit breaker open: scan deferred', {
    host,
    clientId,
    breaker: permit.breaker,
    state: permit.state,
    retryAfterMs: permit.retryAfterMs,
  });
  const details: HostCircuitOpenDetails = { host, retryAfterMs: permit.retryAfterMs };
  throw ApplicationFailure.create({
    type: HOST_CIRCUIT_OPEN,
    message: `${own ? "this client's" : 'the shared'} circuit breaker for ${host} is ${permit.state}; next try in ${Math.ceil(permit.retryAfterMs / 1000)} s`,
    nonRetryable: defer,
    nextRetryDelay: defer ? undefined : permit.retryAfterMs,
    details: [details],
  });
}

/**
 * Feeds the attempt's outcome to the host's breakers, shared and `clientId`'s own (counted as hostBreakerVerdict
 * says), and the metrics; never throws.
 */
export async function noteScanOutcome(
  prisma: PrismaClient,
  metrics: WorkerMetrics,
  cfg: BreakerConfig | undefined,
  host: string | null,
  outcome: AttemptEnd & { durationMs: number; clientId?: string },
): Promise<void> {
  metrics.scanOutcomes.inc({ outcome: outcome.category });
  metrics.scanDuration.observe({ outcome: outcome.category === 'completed' ? 'completed' : 'failed' }, outcome.durationMs / 1000);
  if (!cfg || !host) return;
  const kind = hostBreakerVerdict(outcome, cfg.minScanBudgetMs ?? 0);
  try {
    const changes = await recordHostOutcome(prisma, host, kind, cfg, outcome.message?.slice(0, 300), outcome.clientId || undefined);
    for (const { name, before, after } of changes) {
      if (!after || before === after || (before === null && after === 'closed')) continue;
      // Counted by kind only (host names are unbounded label values); the log names the host and the client.
      const clientId = breakerClientId(name);
      metrics.breakerTransitions.inc({ kind: clientId ? 'host_client' : 'host', to: after });
      log.warn('circuit breaker changed state', { breaker: name, clientId: clientId ?? undefined, from: before, to: after });
    }
  } catch (err) {
    log.warn('could not record the host breaker outcome', { host, message: (err as Error).message });
  }
}
