// The scripts' one way to the API (the CLI, the conformance command): the base URL, a bearer key, JSON both ways and
// a deadline. Each caller turns failures into its own messages and exit codes.

// A request that takes this long means the API is wedged, not slow.
export const API_REQUEST_TIMEOUT_MS = 15_000;

/** `http://host:3001/` → `http://host:3001`; why not, for anything but an http(s) URL. */
export function normaliseApiUrl(v: string): { ok: true; url: string } | { ok: false; reason: 'not a URL' | 'not http(s)' } {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, reason: 'not http(s)' };
  return { ok: true, url: u.href.replace(/\/+$/, '') };
}

export interface JsonAnswer {
  status: number;
  /** The parsed body; undefined when there was none or it was not JSON (a proxy's HTML error page, say). */
  body: unknown;
}

/** One request to `baseUrl` (no trailing slash). A network failure or the deadline throws as fetch throws it. */
export async function requestJson(
  baseUrl: string,
  method: string,
  path: string,
  opts: { key?: string; body?: unknown; fetchFn?: typeof fetch } = {},
): Promise<JsonAnswer> {
  const { key, body, fetchFn = fetch } = opts;
  const res = await fetchFn(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(key && { Authorization: `Bearer ${key}` }),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      Accept: 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(API_REQUEST_TIMEOUT_MS),
  });
  const text = await res.text().catch(() => '');
  try {
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  } catch {
    return { status: res.status, body: undefined };
  }
}
