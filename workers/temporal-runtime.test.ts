import { loadEnv } from '../lib/env';
import { sdkMetricsExporter } from './temporal-runtime';

describe("the Temporal SDK's metrics exporter", () => {
  it("serves Prometheus's conventions on WORKER_SDK_METRICS_PORT, and nothing at 0", () => {
    expect(sdkMetricsExporter({ WORKER_METRICS_HOST: '0.0.0.0', WORKER_SDK_METRICS_PORT: 9465 })).toEqual({
      prometheus: { bindAddress: '0.0.0.0:9465', countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
    });
    expect(sdkMetricsExporter({ WORKER_METRICS_HOST: '0.0.0.0', WORKER_SDK_METRICS_PORT: 0 })).toBeUndefined();
    // The two ports must differ: refused once, at startup, with the rest of the configuration.
    expect(() => loadEnv({ WORKER_METRICS_PORT: '9464', WORKER_SDK_METRICS_PORT: '9464' })).toThrow(
      /WORKER_SDK_METRICS_PORT: must differ from WORKER_METRICS_PORT/,
    );
    expect(loadEnv({ WORKER_METRICS_PORT: '0', WORKER_SDK_METRICS_PORT: '0' }).WORKER_SDK_METRICS_PORT).toBe(0);
  });
});
