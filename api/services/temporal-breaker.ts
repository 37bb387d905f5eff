// The API's circuit breaker around its calls to Temporal: cockatiel's CircuitBreakerPolicy (ConsecutiveBreaker,
// halfOpenAfter, halfOpenSampling give exactly the seed's failureThreshold / timeout / successThreshold), plus a
// gRPC deadline per call so a dead server fails a call instead of hanging it. Each transition is mirrored to the
// circuit_breakers table (alerts and /safety read it) and to the metrics.
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, IsolatedCircuitError } from 'cockatiel';
import { saveBreakerState, TEMPORAL_BREAKER, type BreakerConfig, type BreakerState } from '../../lib/circuit-breakers';
import type { Logger } from '../../lib/logger';
import type { ApiMetrics } from '../../lib/metrics';
import type { PrismaClient } from '../../lib/prisma';
import { serviceUnavailable } from '../http-errors';

// gRPC codes that say "the service did not answer", as opposed to "it answered no".
const UNAVAILABLE_CODES = new Set([
  1 /* CANCELLED */, 2 /* UNKNOWN */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 13 /* INTERNAL */, 14 /* UNAVAILABLE */,
]);

/** True when the error means Temporal is unreachable or overloaded; business answers do not trip the breaker. */
export function isTemporalUnavailable(err: unknown): boolean {
  if (err instanceof WorkflowExecutionAlreadyStartedError || err instanceof WorkflowNotFoundError) return false;
  const grpc = isGrpcServiceError(err) ? err : err instanceof ServiceError && isGrpcServiceError(err.cause) ? err.cause : null;
  if (grpc) return UNAVAILABLE_CODES.has(grpc.code);
  return err instanceof ServiceError || /connect|ECONNREFUSED|unavailable|deadline/i.test(String((err as Error)?.message ?? ''));
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

export interface TemporalBreaker {
  /** Runs one call to Temporal under the breaker and a deadline; an open breaker or an outage becomes a 503. */
  execute<T>(fn: (client: Client) => Promise<T>): Promise<T>;
  /** Throws the 503 at once when the breaker is open, before any work is done for the request. */
  assertAvailable(): void;
  state(): { name: string; state: BreakerState; failures: number; openedAt: string | null; retryAfterSeconds: number };
}

export function createTemporalBreaker(deps: {
  temporal: Client;
  prisma: PrismaClient;
  logger: Logger;
  config: BreakerConfig;
  callTimeoutMs: number;
  metrics: ApiMetrics;
}): TemporalBreaker {
  const { config } = deps;
  const policy = circuitBreaker(handleWhen(isTemporalUnavailable), {
    breaker: new ConsecutiveBreaker(config.failureThreshold),
    halfOpenAfter: config.timeoutMs,
    // The seed's successThreshold: this many trial calls must all succeed before the breaker closes.
    halfOpenSampling: { calls: config.successThreshold, threshold: 0 },
  });
  let failures = 0;
  let openedAt: Date | null = null;
  const { metrics } = deps;

  const persist = (state: BreakerState) =>
    saveBreakerState(deps.prisma, {
      name: TEMPORAL_BREAKER,
      kind: 'temporal',
      state,
      failures,
      openedAt,
      lastError:
        policy.lastFailure && 'error' in policy.lastFailure
          ? String((policy.lastFailure.error as Error)?.message ?? '').slice(0, 300)
          : null,
    }).catch((err: unknown) => deps.logger.warn({ err }, 'could not record the Temporal breaker state'));

  policy.onFailure(({ handled }) => {
    if (handled) failures++;
  });
  policy.onSuccess(() => {
    if (policy.state === CircuitState.Closed) failures = 0;
  });
  policy.onStateChange((s) => {
    const state = STATE_NAMES[s];
    if (s === CircuitState.Open) openedAt = new Date();
    if (s === CircuitState.Closed) {
      openedAt = null;
      failures = 0;
    }
    deps.logger[state === 'closed' ? 'info' : 'warn']({ breaker: TEMPORAL_BREAKER, state }, 'circuit breaker changed state');
    metrics.breakerTransitions.inc({ kind: 'temporal', to: state });
    void persist(state);
  });

  const retryAfterSeconds = () =>
    openedAt ? Math.max(1, Math.ceil((openedAt.getTime() + config.timeoutMs - Date.now()) / 1000)) : Math.ceil(config.timeoutMs / 1000);
  const unavailable = () => serviceUnavailable('the workflow service is unavailable; try again shortly', retryAfterSeconds());

  return {
    async execute(fn) {
      try {
        return await policy.execute(() => deps.temporal.withDeadline(Date.now() + deps.callTimeoutMs, () => fn(deps.temporal)));
      } catch (err) {
        if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) throw unavailable();
        if (isTemporalUnavailable(err)) {
          deps.logger.warn({ err }, 'Temporal call failed');
          throw unavailable();
        }
        throw err;
      }
    },
    assertAvailable() {
      // cockatiel moves to half-open lazily, on the next call: once the open period is over, let the call through.
      const stillOpen = openedAt !== null && Date.now() < openedAt.getTime() + config.timeoutMs;
      if (policy.state === CircuitState.Isolated || (policy.state === CircuitState.Open && stillOpen)) throw unavailable();
    },
    state() {
      return {
        name: TEMPORAL_BREAKER,
        state: STATE_NAMES[policy.state],
        failures,
        openedAt: openedAt?.toISOString() ?? null,
        retryAfterSeconds: policy.state === CircuitState.Closed ? 0 : retryAfterSeconds(),
      };
    },
  };
}
