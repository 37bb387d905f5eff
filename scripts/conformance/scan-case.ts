// One test case through the API: submit, poll until the scan ends, and give back what GET returned.
import type { ApiClient, SubmitBody } from './api-client';
import { ApiError } from './errors';
import type { ClientFailure, ScanView } from './outcome';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const POLL_MS = 400;
// Beyond the scan's own budget: queueing behind other scans, the settle wait, storing the result.
const CLIENT_SLACK_MS = 60_000;
// Every lane's polls and submissions share the key's API_RATE_LIMIT_PER_KEY (600 a minute by default): at 3 lanes
// polling every 400 ms and ~2 cases a second the run sits just under it, so a faster pipeline meets 429s. A 429 is
// the API asking to wait, not a failed case.
const RATE_LIMITED_WAIT_MS = 1_000;
const MAX_RATE_LIMITED_SUBMITS = 60;

export interface ScanCaseOptions {
  url: string;
  timeoutMs: number;
  wcagTags: string[];
}

export type ScanCaseResult = (ScanView & { result?: { axeVersion?: string } }) | ClientFailure;

/**
 * Submits `url` with no retries and waits for a terminal status. A scan that outlives twice its budget plus a
 * minute is cancelled and reported as `client_timeout`; the API refusing it is `submit`.
 */
export async function scanCase(api: ApiClient, o: ScanCaseOptions): Promise<ScanCaseResult> {
  // The low queue: with --api, a conformance run must not jump ahead of customers' scans.
  const body: SubmitBody = { url: o.url, clientId: 'conformance', maxRetries: 0, timeout: o.timeoutMs, wcagTags: o.wcagTags, queue: 'low' };
  let scanId: string;
  for (let refused = 0; ; refused++) {
    try {
      scanId = await api.submit(body);
      break;
    } catch (err) {
      const rateLimited = err instanceof ApiError && err.status === 429 && refused < MAX_RATE_LIMITED_SUBMITS;
      if (!rateLimited) {
        const status = err instanceof ApiError ? ` (${err.status})` : '';
        return { clientFailure: 'submit', message: `${(err as Error).message}${status}` };
      }
      await new Promise((r) => setTimeout(r, RATE_LIMITED_WAIT_MS));
    }
  }
  const waitMs = 2 * o.timeoutMs + CLIENT_SLACK_MS;
  const deadline = Date.now() + waitMs;
  let pollErrors = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    try {
      const scan = await api.get(scanId);
      pollErrors = 0;
      if (TERMINAL.has(scan.status)) return scan;
    } catch (err) {
      // A blip is retried; an API that keeps failing is reported, not waited on forever.
      if (++pollErrors >= 10) return { clientFailure: 'poll', message: (err as Error).message, scanId };
    }
    if (Date.now() > deadline) {
      await api.cancel(scanId).catch(() => undefined);
      return { clientFailure: 'client_timeout', message: `no terminal status within ${waitMs / 1000} s (cancelled)`, scanId };
    }
  }
}
