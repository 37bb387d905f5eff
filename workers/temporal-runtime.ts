// The worker process's Temporal Runtime: Core's log lines through our logger, and the SDK's own metrics (workflow
// and activity task latencies, pollers, slots, sticky cache…) on a Prometheus endpoint of their own.
import { Runtime, type MetricsExporterConfig } from '@temporalio/worker';
import type { Env } from '../lib/env';
import type { Logger } from '../lib/logger';
import { temporalLoggerFrom } from './temporal-logger';

/**
 * The SDK exporter with Prometheus's conventions: counters end in `_total`, durations are seconds with the unit in
 * the name (`temporal_activity_execution_latency_seconds`), as the rest of our metrics. Undefined when off (port 0).
 */
export function sdkMetricsExporter(env: Pick<Env, 'WORKER_METRICS_HOST' | 'WORKER_SDK_METRICS_PORT'>): MetricsExporterConfig | undefined {
  // loadEnv has refused a port equal to WORKER_METRICS_PORT.
  if (env.WORKER_SDK_METRICS_PORT === 0) return undefined;
  return {
    prometheus: {
      bindAddress: `${env.WORKER_METRICS_HOST}:${env.WORKER_SDK_METRICS_PORT}`,
      countersTotalSuffix: true,
      unitSuffix: true,
      useSecondsForDurations: true,
    },
  };
}

/**
 * Installs the Runtime once per process, before any connection or worker. Metrics are not worth a worker (as with
 * WORKER_METRICS_PORT): when the port is taken, Core refuses to start the exporter, and the worker runs without it.
 */
export function installTemporalRuntime(env: Env, logger: Logger): void {
  const temporalLogger = temporalLoggerFrom(logger.child({ component: 'temporal' }));
  const metrics = sdkMetricsExporter(env);
  if (!metrics) {
    Runtime.install({ logger: temporalLogger });
    return;
  }
  try {
    Runtime.install({ logger: temporalLogger, telemetryOptions: { metrics } });
  } catch (err) {
    logger.error(
      { port: env.WORKER_SDK_METRICS_PORT, err: err instanceof Error ? err.message : String(err) },
      'Temporal SDK metrics endpoint not started: give each worker on one host its own WORKER_SDK_METRICS_PORT (0 = off)',
    );
    // Core did not start, so the Runtime can still be installed, without the exporter.
    Runtime.install({ logger: temporalLogger });
  }
}
