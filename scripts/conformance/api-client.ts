// The command talks to the API the way any client does: HTTP and a bearer key, nothing in-process.
import { requestJson } from '../api-http';
import { ApiError, InfrastructureError, UsageError } from './errors';
import type { ScanView } from './outcome';

export interface SubmitBody {
  url: string;
  clientId: string;
  maxRetries: number;
  timeout: number;
  wcagTags: string[];
  queue: 'high' | 'low';
}

export interface ApiClient {
  baseUrl: string;
  /** Resolves when /readyz says ready and the key is accepted; otherwise says what to start or fix. */
  assertReady(): Promise<void>;
  submit(body: SubmitBody): Promise<string>;
  get(scanId: string): Promise<ScanView & { result?: { axeVersion?: string } }>;
  cancel(scanId: string): Promise<void>;
}

/** A client for `baseUrl` (no trailing slash) authenticating with `key`. */
export function createApiClient(baseUrl: string, key: string): ApiClient {
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await requestJson(baseUrl, method, path, { key, body });
    const json = (res.body ?? {}) as Record<string, unknown>;
    if (res.status >= 400) {
      const message = typeof json.message === 'string' ? json.message : `${method} ${path} answered ${res.status}`;
      throw new ApiError(message, res.status, typeof json.error === 'string' ? json.error : undefined);
    }
    return { status: res.status, json };
  }

  return {
    baseUrl,
    async assertReady() {
      let ready: { status: number; json: Record<string, unknown> };
      try {
        const res = await requestJson(baseUrl, 'GET', '/readyz');
        ready = { status: res.status, json: (res.body ?? {}) as Record<string, unknown> };
      } catch (err) {
        throw new InfrastructureError(`the API at ${baseUrl} is not reachable (${(err as Error).message}): start it with \`npm start\``);
      }
      if (ready.status !== 200) {
        const checks = (ready.json.checks ?? {}) as Record<string, string>;
        const down = Object.entries(checks)
          .filter(([, v]) => v !== 'ok')
          .map(([k]) => k);
        throw new InfrastructureError(
          `the API at ${baseUrl} is not ready (${down.length ? `${down.join(' and ')} down` : `readyz answered ${ready.status}`}): ` +
            'start Temporal and Postgres with `npm start`',
        );
      }
      try {
        await call('GET', '/api/scans?limit=1');
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) throw new UsageError(`the API at ${baseUrl} refused the key (${err.message})`);
        throw err;
      }
    },
    async submit(body) {
      const { json } = await call('POST', '/api/scans', body);
      if (typeof json.scanId !== 'string') throw new ApiError('POST /api/scans returned no scanId', 502);
      return json.scanId;
    },
    async get(scanId) {
      const { json } = await call('GET', `/api/scans/${encodeURIComponent(scanId)}`);
      return json as unknown as ScanView & { result?: { axeVersion?: string } };
    },
    async cancel(scanId) {
      await call('POST', `/api/scans/${encodeURIComponent(scanId)}/cancel`);
    },
  };
}
