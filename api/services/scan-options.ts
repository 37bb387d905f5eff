import { parseList, type Env } from '../../lib/env';
import { taskQueues, type ScanInput, type ScanOptions } from '../../core/contracts';

export interface RequestedScanOptions {
  timeout?: number;
  maxRetries?: number;
  wcagTags?: string[];
}

/** A request's per-scan options, with the configured defaults filled in and the timeout capped at MAX_SCAN_TIME. */
export function scanOptionsFrom(env: Env, req: RequestedScanOptions): ScanOptions {
  return {
    timeoutMs: Math.min(req.timeout ?? env.SCAN_DEFAULT_TIMEOUT, env.MAX_SCAN_TIME),
    maxRetries: req.maxRetries ?? env.SCAN_MAX_RETRIES,
    wcagTags: req.wcagTags ?? parseList(env.SCAN_WCAG_TAGS),
  };
}

/** The part of every scan workflow's input that comes from configuration rather than the request. */
export function workflowSettings(env: Env, prefix: string): Pick<ScanInput, 'taskQueues' | 'retryInitialIntervalMs' | 'maxScanTimeMs'> {
  return { taskQueues: taskQueues(prefix), retryInitialIntervalMs: env.SCAN_RETRY_INITIAL_INTERVAL, maxScanTimeMs: env.MAX_SCAN_TIME };
}
