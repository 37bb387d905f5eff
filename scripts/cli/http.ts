// The CLI's only way to the API (scripts/api-http.ts), and one clear line for every way a call can fail.
import { API_REQUEST_TIMEOUT_MS, requestJson, type JsonAnswer } from '../api-http';

/** The command could not do its job; `message` is the single line the user sees. Exit status 1 (`wcag health`: 3). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly status?: number,
    /** The API's error body, when it sent one. */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface Api {
  baseUrl: string;
  get<T>(path: string, opts?: { allow?: number[] }): Promise<{ status: number; body: T }>;
  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }>;
}

type FetchFn = typeof fetch;

/** Why a fetch that threw could not reach the server, in words. */
export function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${API_REQUEST_TIMEOUT_MS / 1000} s`;
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'unknown host';
  if (code) return code;
  return e?.cause?.message ?? e?.message ?? String(err);
}

/** Maps an HTTP error answer to the line the user sees. */
export function describeHttpError(method: string, path: string, status: number, body: unknown): string {
  const b = (body ?? {}) as { message?: unknown; error?: unknown };
  const detail = typeof b.message === 'string' ? b.message : typeof b.error === 'string' ? b.error : undefined;
  if (status === 401) return `the API refused the key (401${detail ? `: ${detail}` : ''}); set WCAG_API_KEY, or ADMIN_API_KEY in .env`;
  if (status === 403) return `the key is not allowed to ${method} ${path} (403${detail ? `: ${detail}` : ''}); this needs the admin key`;
  if (status === 404) return `${method} ${path} answered 404${detail ? `: ${detail}` : ''}`;
  return `${method} ${path} answered ${status}${detail ? `: ${detail}` : ''}`;
}

/** A client for `baseUrl` (no trailing slash). `fetchFn` is injectable for unit tests. */
export function createApi(baseUrl: string, key: string | undefined, fetchFn: FetchFn = fetch): Api {
  async function call<T>(method: string, path: string, body: unknown, allow: number[] = []): Promise<{ status: number; body: T }> {
    let res: JsonAnswer;
    try {
      res = await requestJson(baseUrl, method, path, { key, body, fetchFn });
    } catch (err) {
      throw new CliError(`cannot reach the API at ${baseUrl} (${describeNetworkError(err)}); is it running? (npm start, or --api <url>)`);
    }
    const parsed = res.body;
    if (res.status >= 400 && !allow.includes(res.status)) {
      if ((res.status === 401 || res.status === 403) && !key) {
        throw new CliError('no API key: set WCAG_API_KEY, or ADMIN_API_KEY in .env (run `npm run setup` to generate one)', res.status);
      }
      throw new CliError(describeHttpError(method, path, res.status, parsed), res.status, parsed);
    }
    if (parsed === undefined && res.status !== 204) {
      throw new CliError(`${method} ${path} answered ${res.status} without JSON; is ${baseUrl} really the WCAG API?`, res.status);
    }
    return { status: res.status, body: parsed as T };
  }
  return {
    baseUrl,
    get: (path, opts) => call('GET', path, undefined, opts?.allow),
    post: (path, body) => call('POST', path, body),
  };
}
