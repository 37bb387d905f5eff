// A bounded GET for the files discovery reads itself (robots.txt, sitemaps), under the same target rules as a scan.
// Every hop is checked, and the socket goes to the very address that was checked: a name cannot resolve to a public
// address for the check and to 169.254.169.254 for the connection (DNS rebinding).
import http from 'node:http';
import https from 'node:https';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { canonicalIp, checkUrlSafety, resolveAllAddresses, type UrlPolicy, type UrlRejection } from './url-safety';

export type SafeFetchResult =
  | { ok: true; status: number; contentType: string | null; body: Buffer; finalUrl: string; truncated: boolean }
  | { ok: false; category: UrlRejection | 'network' | 'too_large'; reason: string };

export interface SafeFetchOptions {
  /** Bytes of body kept at most (as sent: a Content-Encoding is not undone, identity is asked for). */
  maxBytes: number;
  /** For the whole fetch: resolution, every redirect hop and the body. */
  timeoutMs: number;
  userAgent?: string;
  /** Redirects followed at most (default 5); each hop is checked like the first URL. */
  maxRedirects?: number;
  accept?: string;
  /** 'truncate' (default): keep the first maxBytes and say truncated. 'fail': answer too_large instead. */
  overLimit?: 'truncate' | 'fail';
  /** Name resolution (tests); default: every address the OS resolver returns. */
  resolve?: (host: string) => Promise<string[]>;
}

export const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type Failure = Extract<SafeFetchResult, { ok: false }>;
type Pinned = { ok: true; url: URL; address: string } | Failure;
type HopResult = { kind: 'redirect'; location: string } | { kind: 'done'; result: SafeFetchResult };

const failure = (category: Failure['category'], reason: string): Failure => ({ ok: false, category, reason });

class TimedOut extends Error {}

// Check `raw` and choose the address to connect to: the one the check validated. When the policy exempts the name from
// the address check (private targets allowed, an allowlisted name, localhost) any of its addresses may be used.
async function pinTarget(raw: string, policy: UrlPolicy, resolve: (host: string) => Promise<string[]>): Promise<Pinned> {
  const checked: string[] = [];
  const recording = async (host: string): Promise<string[]> => {
    const addresses = await resolve(host);
    checked.push(...addresses);
    return addresses;
  };
  const verdict = await checkUrlSafety(raw, policy, recording);
  if (!verdict.ok) return failure(verdict.category, verdict.reason);
  const literal = canonicalIp(verdict.host);
  if (literal !== null) return { ok: true, url: verdict.url, address: literal };
  const addresses = checked.length > 0 ? checked : await resolve(verdict.host);
  if (addresses.length === 0) return failure('network', `host ${verdict.host} did not resolve to any address`);
  return { ok: true, url: verdict.url, address: addresses[0] };
}

function pinnedLookup(address: string) {
  const family = address.includes(':') ? 6 : 4;
  // net may ask for all addresses (autoSelectFamily) or for one; both get the checked address only.
  return (
    _host: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

async function readBody(res: http.IncomingMessage, url: URL, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  const failOver = opts.overLimit === 'fail';
  const tooLarge = failure('too_large', `the response is larger than ${opts.maxBytes} bytes`);
  const declared = Number(res.headers['content-length']);
  if (failOver && Number.isFinite(declared) && declared > opts.maxBytes) {
    res.destroy();
    return tooLarge;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  // Leaving the loop early destroys the response and, with no agent, its socket: the rest is never downloaded.
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size + chunk.length > opts.maxBytes) {
      if (failOver) return tooLarge;
      chunks.push(chunk.subarray(0, opts.maxBytes - size));
      size = opts.maxBytes;
      truncated = true;
      break;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  const contentType = res.headers['content-type'] ?? null;
  return { ok: true, status: res.statusCode ?? 0, contentType, body: Buffer.concat(chunks, size), finalUrl: url.href, truncated };
}

function requestOnce(url: URL, address: string, opts: SafeFetchOptions, signal: AbortSignal): Promise<HopResult> {
  const headers: Record<string, string> = { accept: opts.accept ?? '*/*', 'accept-encoding': 'identity' };
  if (opts.userAgent) headers['user-agent'] = opts.userAgent;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<HopResult>((resolve, reject) => {
    // agent: false: no pooled keep-alive socket, which another check may have pinned to another address.
    const req = client.request(url, { method: 'GET', headers, agent: false, lookup: pinnedLookup(address), signal }, (res) => {
      const location = res.headers.location;
      if (REDIRECT_STATUSES.has(res.statusCode ?? 0) && location) {
        res.destroy();
        resolve({ kind: 'redirect', location });
        return;
      }
      readBody(res, url, opts).then((result) => resolve({ kind: 'done', result }), reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new TimedOut());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

// The reason goes to clients: a socket error's message names the address a host resolved to, so only its code is kept.
function networkFailure(err: unknown, url: string, timeoutMs: number, signal: AbortSignal): Failure {
  if (signal.aborted || err instanceof TimedOut) return failure('network', `${url} did not answer within ${timeoutMs} ms`);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return failure('network', `${url}: host not found (${code})`);
  return failure('network', `${url}: request failed${code ? ` (${code})` : ''}`);
}

/**
 * GET `url` within `policy`: every hop (at most `maxRedirects` redirects) is checked with the target-safety rules and
 * connected to the address that was checked; the body stops at `maxBytes`; the whole fetch times out after
 * `timeoutMs`. Any HTTP status is a result (`ok: true`); refusals and network failures are `ok: false`.
 */
export async function fetchWithinPolicy(url: string, policy: UrlPolicy, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  const resolve = opts.resolve ?? resolveAllAddresses;
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  let current = url;
  try {
    for (let redirects = 0; ; redirects++) {
      const pinned = await untilAborted(pinTarget(current, policy, resolve), controller.signal);
      if (!pinned.ok) return pinned;
      const hop = await requestOnce(pinned.url, pinned.address, opts, controller.signal);
      if (hop.kind === 'done') return hop.result;
      if (redirects >= maxRedirects) return failure('network', `${url}: more than ${maxRedirects} redirects`);
      try {
        current = new URL(hop.location, pinned.url).href;
      } catch {
        return failure('invalid_url', `${pinned.url.href} redirected to an invalid URL`);
      }
    }
  } catch (err) {
    return networkFailure(err, current, opts.timeoutMs, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}
