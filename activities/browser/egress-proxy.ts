import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import {
  addressRefusal,
  canonicalIp,
  isAddressAllowedByList,
  isHostnameAllowedByList,
  isLoopbackName,
  LOOPBACK_NAME_ADDRESSES,
  resolveAllAddresses,
  type UrlPolicy,
} from '../../targets/url-safety';

/** One refused or failed upstream connection, as recorded by the egress proxy. */
export interface EgressEvent {
  at: number;
  kind: 'blocked' | 'dns_error' | 'connect_error';
  host: string;
  port: number;
  url?: string;
  /** Safe to show the scan's client (stored in blocked requests and failure messages): never a resolved address. */
  reason: string;
  /** For logs only: the reason with the address a name resolved to. */
  detail?: string;
}

/** A running egress proxy (one per browser context); hand `url` to Chromium as the browser context's proxy server. */
export interface EgressProxy {
  readonly url: string;
  readonly events: EgressEvent[];
  blockedCount(): number;
  /** The latest event for this host (lowercased, no brackets), if any. */
  eventFor(host: string): EgressEvent | undefined;
  /** Forgets the events so far: a warm context's proxy serves one scan after another (BrowserPool). */
  resetEvents(): void;
  close(): Promise<void>;
}

/** Address policy, optional resolver (tests inject one) and the upstream connect timeout. */
export interface EgressProxyOptions {
  policy: UrlPolicy;
  resolve?: (host: string) => Promise<string[]>;
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const MAX_EVENTS = 500;
const MAX_EVENT_HOSTS = 500;
const MAX_URL_IN_EVENT = 300;
// Chromium accepts up to 256 KiB of headers; Node's 16 KiB default would turn big cookie/CSP headers into 502s.
const MAX_HEADER_BYTES = 256 * 1024;

// Hop-by-hop per RFC 9110 §7.6.1 plus the proxy-specific ones Chromium sends; Expect is dropped because Node's
// server has already answered it towards the browser.
const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

type Verdict = { ok: true; addresses: string[] } | { ok: false; reason: string; detail?: string };

interface Target {
  host: string;
  port: number;
  url?: string;
}

class EgressFailure extends Error {
  constructor(
    readonly kind: 'dns_error' | 'connect_error',
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function stripBrackets(s: string): string {
  return s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
}

function normaliseHost(host: string): string {
  const bare = stripBrackets(host.trim().toLowerCase()).replace(/\.+$/, '');
  return canonicalIp(bare) ?? bare;
}

// url-safety's per-address check itself, so proxy refusals read like submission refusals (and, like them, never
// tell the client which address a name resolved to).
function addressRejection(address: string, policy: UrlPolicy, via?: string): { reason: string; detail?: string } | null {
  const refusal = addressRefusal(address, policy, via);
  if (refusal === null) return null;
  return via ? refusal : { reason: refusal.reason };
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z0-9_]+$/.test(code) ? code : 'EUNKNOWN';
}

// Resolves exactly once and returns the addresses that were checked: the caller must connect to one of these and
// never to the hostname, or a second lookup could rebind it to an internal address after the check.
async function vetHost(host: string, policy: UrlPolicy, resolve: (host: string) => Promise<string[]>): Promise<Verdict> {
  const literal = canonicalIp(host);
  if (literal !== null) {
    if (policy.allowPrivateTargets) return { ok: true, addresses: [literal] };
    const refusal = addressRejection(literal, policy);
    return refusal === null ? { ok: true, addresses: [literal] } : { ok: false, ...refusal };
  }

  const trusted = policy.allowPrivateTargets || isHostnameAllowedByList(host, policy.allowedHosts);
  if (isLoopbackName(host)) {
    const covered = LOOPBACK_NAME_ADDRESSES.every((a) => isAddressAllowedByList(a, policy.allowedHosts));
    return trusted || covered
      ? { ok: true, addresses: [...LOOPBACK_NAME_ADDRESSES] }
      : { ok: false, reason: `target host ${host} is a loopback name` };
  }

  let answers: string[];
  try {
    answers = await resolve(host);
  } catch (err) {
    throw new EgressFailure('dns_error', errorCode(err), `could not resolve ${host}`);
  }
  if (answers.length === 0) throw new EgressFailure('dns_error', 'ENOTFOUND', `${host} has no addresses`);

  const addresses: string[] = [];
  for (const answer of answers) {
    if (!trusted) {
      const refusal = addressRejection(answer, policy, host);
      if (refusal !== null) return { ok: false, ...refusal };
    }
    const canonical = canonicalIp(answer);
    // Even a trusted name must yield real IPs: connecting to an unparsed string would hand it back to DNS.
    if (canonical !== null) addresses.push(canonical);
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} did not resolve to a valid IP address` };
  return { ok: true, addresses };
}

// CONNECT carries a bare authority; requiring an explicit port and no userinfo/path keeps "evil/@internal" tricks out.
function parseAuthority(authority: string | undefined): Target | null {
  const match = /^(\[[0-9a-fA-F:.%]+\]|[^\s:[\]/@?#]+):(\d{1,5})$/.exec(authority ?? '');
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://${match[1]}/`).hostname;
  } catch {
    return null;
  }
  return { host: normaliseHost(hostname), port };
}

type Parsed = { ok: true; target: Target; path: string } | { ok: false; error: string; target?: Target };

function parseAbsolute(raw: string | undefined, schemes: readonly string[]): Parsed {
  if (raw === undefined || !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return { ok: false, error: 'proxy requests must use an absolute URL' };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: 'request URL could not be parsed' };
  }
  if (url.hostname === '') return { ok: false, error: 'request URL has no host' };
  const port = url.port === '' ? 80 : Number(url.port);
  if (port < 1) return { ok: false, error: 'request URL has port 0' };
  const target: Target = { host: normaliseHost(url.hostname), port, url: raw.slice(0, MAX_URL_IN_EVENT) };
  // https:// in absolute form would ask the proxy to originate TLS; browsers use CONNECT for that.
  if (!schemes.includes(url.protocol)) return { ok: false, error: `scheme ${url.protocol} is not proxied`, target };
  return { ok: true, target, path: `${url.pathname}${url.search}` };
}

// Header values come from the client or from our own reasons; anything outside visible ASCII would make Node throw.
function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}

function connectionListed(rawHeaders: readonly string[]): Set<string> {
  const listed = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[i + 1].split(',')) listed.add(token.trim().toLowerCase());
  }
  return listed;
}

// Works on Node's flat rawHeaders so duplicate headers (Set-Cookie) and original casing survive the hop.
function endToEndHeaders(rawHeaders: readonly string[], keepUpgrade = false): string[] {
  const listed = connectionListed(rawHeaders);
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (listed.has(name) && !(keepUpgrade && name === 'upgrade')) continue;
    if (HOP_BY_HOP.has(name) && !(keepUpgrade && name === 'upgrade')) continue;
    out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

function hasHeader(rawHeaders: readonly string[], wanted: string): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === wanted) return true;
  return false;
}

function rawStatus(status: number, text: string, headers: Record<string, string>): string {
  let out = `HTTP/1.1 ${status} ${text}\r\n`;
  for (const [name, value] of Object.entries(headers)) out += `${name}: ${value}\r\n`;
  return `${out}Content-Length: 0\r\nConnection: close\r\n\r\n`;
}

/** Start an SSRF-checking HTTP/CONNECT proxy on 127.0.0.1 that connects only to the exact addresses it vetted. */
export async function startEgressProxy(opts: EgressProxyOptions): Promise<EgressProxy> {
  const { policy } = opts;
  const resolve = opts.resolve ?? resolveAllAddresses;
  const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;

  const events: EgressEvent[] = [];
  // Separate from `events` so eventFor still answers for hosts seen after the event list filled up.
  const latestByHost = new Map<string, EgressEvent>();
  const sockets = new Set<Duplex>();
  let blocked = 0;
  let closing: Promise<void> | null = null;

  const track = (socket: Duplex): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // ECONNRESET and friends are routine on both sides; without a listener they would crash the worker.
    socket.on('error', () => socket.destroy());
  };

  const record = (kind: EgressEvent['kind'], target: Target, reason: string, detail?: string): void => {
    if (closing) return;
    const event: EgressEvent = { at: Date.now(), kind, host: target.host, port: target.port, reason };
    if (target.url !== undefined) event.url = target.url;
    if (detail !== undefined) event.detail = detail;
    if (kind === 'blocked') blocked++;
    if (events.length < MAX_EVENTS) events.push(event);
    latestByHost.delete(target.host);
    latestByHost.set(target.host, event);
    if (latestByHost.size > MAX_EVENT_HOSTS) latestByHost.delete(latestByHost.keys().next().value as string);
  };

  // Tries the vetted addresses in resolver order within one overall deadline, so an unreachable IPv6 answer
  // does not fail a site that also has a working IPv4 one.
  const connectPinned = (addresses: readonly string[], port: number): Promise<net.Socket> =>
    new Promise((resolveSocket, reject) => {
      const deadline = Date.now() + connectTimeoutMs;
      let lastError: unknown = null;
      const attempt = (index: number): void => {
        const remaining = deadline - Date.now();
        if (closing || index >= addresses.length || remaining <= 0) {
          const code = closing ? 'ECANCELED' : remaining <= 0 ? 'ETIMEDOUT' : errorCode(lastError);
          reject(new EgressFailure('connect_error', code, `could not connect to port ${port}`));
          return;
        }
        let socket: net.Socket;
        try {
          socket = net.connect({ host: addresses[index], port, noDelay: true });
        } catch (err) {
          // Retries run from socket callbacks, where a synchronous throw would take the worker down.
          lastError = err;
          attempt(index + 1);
          return;
        }
        track(socket);
        const timer = setTimeout(() => {
          lastError = Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' });
          socket.destroy();
          attempt(index + 1);
        }, remaining);
        timer.unref();
        const onError = (err: unknown): void => {
          clearTimeout(timer);
          lastError = err;
          attempt(index + 1);
        };
        socket.once('error', onError);
        socket.once('connect', () => {
          clearTimeout(timer);
          socket.removeListener('error', onError);
          resolveSocket(socket);
        });
      };
      attempt(0);
    });

  // Returns a connected socket, or the refusal already recorded (the caller only has to answer the client).
  const open = async (
    target: Target,
  ): Promise<{ socket: net.Socket } | { status: 403 | 502; header: string; value: string; reason: string }> => {
    try {
      const verdict = await vetHost(target.host, policy, resolve);
      if (!verdict.ok) {
        record('blocked', target, verdict.reason, verdict.detail);
        return { status: 403, header: 'X-Egress-Blocked', value: headerSafe(verdict.reason), reason: verdict.reason };
      }
      return { socket: await connectPinned(verdict.addresses, target.port) };
    } catch (err) {
      const failure = err instanceof EgressFailure ? err : new EgressFailure('connect_error', errorCode(err), 'proxy failure');
      const label = failure.kind === 'dns_error' ? 'dns' : 'connect';
      record(failure.kind, target, `${label} ${failure.code}: ${failure.message}`);
      return { status: 502, header: 'X-Egress-Error', value: `${label} ${failure.code}`, reason: failure.message };
    }
  };

  const relay = (a: Duplex, b: Duplex): void => {
    a.pipe(b);
    b.pipe(a);
    // A half-closed or reset pair would otherwise linger until close(); one side gone means the tunnel is over.
    a.once('close', () => b.destroy());
    b.once('close', () => a.destroy());
  };

  const handleRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const parsed = parseAbsolute(req.url, ['http:']);
    if (!parsed.ok) {
      if (parsed.target) record('blocked', parsed.target, parsed.error);
      res.writeHead(400, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' }).end(`${parsed.error}\n`);
      return;
    }
    const { target, path } = parsed;
    const outcome = await open(target);
    if (!('socket' in outcome)) {
      if (res.destroyed) return;
      res
        .writeHead(outcome.status, {
          'Content-Type': 'text/plain',
          'Cache-Control': 'no-store',
          [outcome.header]: outcome.value,
        })
        .end(`egress proxy: ${headerSafe(outcome.reason)}\n`);
      return;
    }
    const upstream = outcome.socket;
    if (res.destroyed || req.destroyed) {
      upstream.destroy();
      return;
    }

    const headers = endToEndHeaders(req.rawHeaders);
    // Host stays whatever the browser sent (virtual hosting); only the TCP destination is pinned.
    if (!hasHeader(headers, 'host')) headers.push('Host', req.headers.host ?? `${target.host}:${target.port}`);
    const upReq = http.request({
      method: req.method,
      path,
      headers,
      setHost: false,
      maxHeaderSize: MAX_HEADER_BYTES,
      createConnection: () => upstream,
    });
    upReq.on('error', (err) => {
      upstream.destroy();
      if (res.destroyed) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res
        .writeHead(502, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', 'X-Egress-Error': `upstream ${errorCode(err)}` })
        .end('egress proxy: upstream failed\n');
    });
    upReq.on('response', (upRes) => {
      upRes.on('error', () => res.destroy());
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, endToEndHeaders(upRes.rawHeaders));
      upRes.pipe(res);
    });
    req.on('error', () => upReq.destroy());
    // After a normal finish this is a no-op for the already-closed upstream; before it, the browser gave up.
    res.on('close', () => {
      if (!res.writableFinished) upReq.destroy();
      upstream.destroy();
    });
    req.pipe(upReq);
  };

  // Absolute-form requests carrying Upgrade (ws:// without CONNECT): after the request line is rewritten the
  // exchange is relayed byte for byte, so the 101 and the frames need no parsing here.
  /** Opens the checked upstream for a raw-socket client, or answers the refusal on that socket; null when refused. */
  const openForRawClient = async (target: Parameters<typeof open>[0], client: Duplex): Promise<net.Socket | null> => {
    const outcome = await open(target);
    if (!('socket' in outcome)) {
      const text = outcome.status === 403 ? 'Forbidden' : 'Bad Gateway';
      client.end(rawStatus(outcome.status, text, { [outcome.header]: outcome.value }));
      return null;
    }
    if (client.destroyed) {
      outcome.socket.destroy();
      return null;
    }
    return outcome.socket;
  };

  const handleUpgrade = async (req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> => {
    const parsed = parseAbsolute(req.url, ['http:', 'ws:']);
    if (!parsed.ok) {
      if (parsed.target) record('blocked', parsed.target, parsed.error);
      client.end(rawStatus(400, 'Bad Request', {}));
      return;
    }
    const { target, path } = parsed;
    const upstream = await openForRawClient(target, client);
    if (!upstream) return;
    const websocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    const headers = endToEndHeaders(req.rawHeaders, websocket);
    // Any other Upgrade (h2c…) is dropped; Connection: close makes it a plain one-shot exchange over the raw relay.
    headers.push('Connection', websocket ? 'Upgrade' : 'close');
    if (!hasHeader(headers, 'host')) headers.push('Host', `${target.host}:${target.port}`);
    let text = `${req.method ?? 'GET'} ${path} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    upstream.write(`${text}\r\n`);
    if (head.length > 0) upstream.write(head);
    relay(client, upstream);
  };

  const handleConnect = async (req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> => {
    const target = parseAuthority(req.url);
    if (target === null) {
      client.end(rawStatus(400, 'Bad Request', {}));
      return;
    }
    const upstream = await openForRawClient(target, client);
    if (!upstream) return;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    relay(client, upstream);
  };

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES });
  server.on('connection', (socket: net.Socket) => track(socket));
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    void handleRequest(req, res).catch(() => res.destroy());
  });
  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    void handleUpgrade(req, client, head).catch(() => client.destroy());
  });
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    void handleConnect(req, client, head).catch(() => client.destroy());
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolveListen();
    });
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    events,
    blockedCount: () => blocked,
    eventFor: (host) => latestByHost.get(normaliseHost(host)),
    resetEvents: () => {
      events.length = 0;
      latestByHost.clear();
      blocked = 0;
    },
    close: () => {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
