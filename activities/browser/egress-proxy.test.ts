import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import type { UrlPolicy } from '../../targets/url-safety';
import { startEgressProxy, type EgressProxy } from './egress-proxy';

// Only 127.0.0.1 is allowed: every other loopback, private or metadata address must be refused by the proxy.
const loopbackOnly: UrlPolicy = { allowPrivateTargets: false, allowedHosts: ['127.0.0.1'], maxUrlLength: 2048 };

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Fixture {
  port: number;
  connections: number;
  seen: Seen[];
  /** Connections currently open on the fixture's side. */
  open(): number;
  close(): Promise<void>;
}

function trackConnections(server: net.Server, fixture: { connections: number }, sockets: Set<net.Socket>): void {
  server.on('connection', (socket: net.Socket) => {
    fixture.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((done) => server.close(() => done()));
}

// Binding fails where 127.0.0.2 or ::1 is unavailable; callers then skip the sub-asserts that need it.
async function listen(server: net.Server, host: string): Promise<boolean> {
  try {
    server.listen(0, host);
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  }
}

/** Upstream web server: /echo reports the request, /hop sends hop-by-hop response headers, /stream echoes chunks as they arrive. */
async function startHttpUpstream(host = '127.0.0.1'): Promise<Fixture | null> {
  const sockets = new Set<net.Socket>();
  const fixture: Fixture = { port: 0, connections: 0, seen: [], open: () => sockets.size, close: () => closeServer(server, sockets) };
  const server = http.createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      req.on('data', (chunk: Buffer) => res.write(`got:${chunk.toString()}|`));
      req.on('end', () => res.end('done'));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      fixture.seen.push(seen);
      if (req.url === '/hop') {
        res.setHeader('Connection', 'x-hop');
        res.setHeader('X-Hop', 'secret');
        res.setHeader('Keep-Alive', 'timeout=5');
        res.setHeader('Proxy-Authenticate', 'Basic realm="x"');
      }
      res.setHeader('X-Upstream', 'yes');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(seen));
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    fixture.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.on('data', (data: Buffer) => socket.write(data));
  });
  trackConnections(server, fixture, sockets);
  if (!(await listen(server, host))) return null;
  fixture.port = (server.address() as net.AddressInfo).port;
  return fixture;
}

/** Raw TCP echo: stands in for TLS or WebSocket bytes flowing through a CONNECT tunnel. */
async function startEchoServer(): Promise<Fixture> {
  const sockets = new Set<net.Socket>();
  const fixture: Fixture = { port: 0, connections: 0, seen: [], open: () => sockets.size, close: () => closeServer(server, sockets) };
  const server = net.createServer((socket) => socket.on('data', (data) => socket.write(data)));
  trackConnections(server, fixture, sockets);
  await listen(server, '127.0.0.1');
  fixture.port = (server.address() as net.AddressInfo).port;
  return fixture;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await listen(server, '127.0.0.1');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function portOf(proxy: EgressProxy): number {
  return Number(new URL(proxy.url).port);
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

async function readReply(res: http.IncomingMessage): Promise<Reply> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString() };
}

/** Absolute-form request to the proxy, as Chromium sends plain-http traffic (Host names the target, not the proxy). */
async function viaProxy(
  proxy: EgressProxy,
  url: string,
  init: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {},
): Promise<Reply> {
  const req = http.request({
    host: '127.0.0.1',
    port: portOf(proxy),
    method: init.method ?? 'GET',
    path: url,
    headers: { Host: new URL(url).host, ...init.headers },
    agent: false,
  });
  req.end(init.body);
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  return readReply(res);
}

/** CONNECT through the proxy; Node reports any status (not just 200) via the 'connect' event. */
async function tunnel(proxy: EgressProxy, authority: string): Promise<{ res: http.IncomingMessage; socket: net.Socket }> {
  const req = http.request({ host: '127.0.0.1', port: portOf(proxy), method: 'CONNECT', path: authority, agent: false });
  req.end();
  const [res, socket] = (await once(req, 'connect')) as [http.IncomingMessage, net.Socket];
  socket.on('error', () => undefined);
  return { res, socket };
}

async function echoOnce(socket: net.Socket, text: string): Promise<string> {
  socket.write(text);
  let received = '';
  while (received.length < text.length) {
    const [data] = (await once(socket, 'data')) as [Buffer];
    received += data.toString();
  }
  return received;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

const enotfound = (host: string): Error => Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });

// Immediate means well under the 10 s connect timeout; generous because the CI box shares its two cores with Chromium.
const IMMEDIATE_MS = 1000;

describe('startEgressProxy', () => {
  let upstream: Fixture;
  let echo: Fixture;
  let proxy: EgressProxy;
  let resolver: jest.Mock<Promise<string[]>, [string]>;
  const dns: Record<string, string[]> = {
    'fixtures.test': ['127.0.0.1'],
    'mixed.test': ['127.0.0.1', '10.0.0.1'],
    'public-private.test': ['93.184.215.14', '169.254.169.254'],
    'empty.test': [],
  };

  beforeAll(async () => {
    upstream = (await startHttpUpstream()) as Fixture;
    echo = await startEchoServer();
    resolver = jest.fn(async (host: string) => {
      const answer = dns[host];
      if (answer === undefined) throw enotfound(host);
      return answer;
    });
    proxy = await startEgressProxy({ policy: loopbackOnly, resolve: resolver });
  });

  afterAll(async () => {
    await proxy.close();
    await upstream.close();
    await echo.close();
  });

  it('listens on loopback', () => {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  describe('plain HTTP', () => {
    it('relays an allowed GET with status, body and repeated headers', async () => {
      const reply = await viaProxy(proxy, `http://127.0.0.1:${upstream.port}/echo?q=1`);
      expect(reply.status).toBe(200);
      expect(reply.headers['x-upstream']).toBe('yes');
      expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      const seen = JSON.parse(reply.body) as Seen;
      expect(seen).toMatchObject({ method: 'GET', url: '/echo?q=1' });
      expect(seen.headers.host).toBe(`127.0.0.1:${upstream.port}`);
    });

    it('forwards a POST body', async () => {
      const reply = await viaProxy(proxy, `http://127.0.0.1:${upstream.port}/echo`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: 'hello upstream',
      });
      expect(JSON.parse(reply.body)).toMatchObject({ method: 'POST', body: 'hello upstream' });
    });

    it('streams a request body instead of buffering it', async () => {
      const req = http.request({
        host: '127.0.0.1',
        port: portOf(proxy),
        method: 'POST',
        path: `http://127.0.0.1:${upstream.port}/stream`,
        headers: { Host: `127.0.0.1:${upstream.port}` },
        agent: false,
      });
      req.write('first');
      const [res] = (await once(req, 'response')) as [http.IncomingMessage];
      // The upstream answers the first chunk while the request is still open: a buffering proxy would deadlock here.
      const [firstData] = (await once(res, 'data')) as [Buffer];
      let body = firstData.toString();
      expect(body).toBe('got:first|');
      req.end('second');
      for await (const chunk of res) body += (chunk as Buffer).toString();
      expect(body).toBe('got:first|got:second|done');
    });

    it('strips hop-by-hop request headers, including Connection-listed ones', async () => {
      const reply = await viaProxy(proxy, `http://127.0.0.1:${upstream.port}/echo`, {
        headers: {
          'Proxy-Connection': 'keep-alive',
          'Proxy-Authorization': 'Basic c2VjcmV0',
          Connection: 'close, x-drop-me',
          'X-Drop-Me': '1',
          'Keep-Alive': '300',
          TE: 'trailers',
          'X-Keep': 'kept',
        },
      });
      const { headers } = JSON.parse(reply.body) as Seen;
      for (const name of ['proxy-connection', 'proxy-authorization', 'x-drop-me', 'keep-alive', 'te']) {
        expect(headers).not.toHaveProperty(name);
      }
      expect(headers['x-keep']).toBe('kept');
      expect(headers.connection).toBe('close');
    });

    it('strips hop-by-hop response headers', async () => {
      const reply = await viaProxy(proxy, `http://127.0.0.1:${upstream.port}/hop`);
      expect(reply.status).toBe(200);
      expect(reply.headers).not.toHaveProperty('x-hop');
      expect(reply.headers).not.toHaveProperty('keep-alive');
      expect(reply.headers).not.toHaveProperty('proxy-authenticate');
      expect(reply.headers['x-upstream']).toBe('yes');
    });

    it('relays a WebSocket upgrade sent in absolute form', async () => {
      const req = http.request({
        host: '127.0.0.1',
        port: portOf(proxy),
        path: `http://127.0.0.1:${upstream.port}/ws`,
        headers: { Host: `127.0.0.1:${upstream.port}`, Connection: 'Upgrade', Upgrade: 'websocket', 'Proxy-Connection': 'x' },
        agent: false,
      });
      req.end();
      const [res, socket] = (await once(req, 'upgrade')) as [http.IncomingMessage, net.Socket];
      expect(res.statusCode).toBe(101);
      expect(await echoOnce(socket, 'frame')).toBe('frame');
      socket.destroy();
      const seen = upstream.seen.find((s) => s.url === '/ws');
      expect(seen?.headers.upgrade).toBe('websocket');
      expect(seen?.headers).not.toHaveProperty('proxy-connection');
    });

    it('refuses origin-form requests and non-http schemes with 400', async () => {
      const origin = http.request({ host: '127.0.0.1', port: portOf(proxy), path: '/echo', agent: false });
      origin.end();
      const [res] = (await once(origin, 'response')) as [http.IncomingMessage];
      expect((await readReply(res)).status).toBe(400);

      const https = await viaProxy(proxy, `https://127.0.0.1:${upstream.port}/echo`);
      expect(https.status).toBe(400);

      const portZero = await viaProxy(proxy, 'http://127.0.0.1:0/');
      expect(portZero.status).toBe(400);
    });

    it.each([
      ['127.0.0.2', 'loopback'],
      ['169.254.169.254', 'link-local'],
      ['10.0.0.1', 'private'],
      ['[::1]', 'loopback'],
      ['localhost', 'loopback name'],
    ])('refuses %s (%s) with 403 and X-Egress-Blocked, before connecting', async (host, range) => {
      const before = upstream.connections;
      const { value: reply, ms } = await timed(() => viaProxy(proxy, `http://${host}:${upstream.port}/echo`));
      expect(reply.status).toBe(403);
      expect(reply.headers['x-egress-blocked']).toContain(range);
      expect(ms).toBeLessThan(IMMEDIATE_MS);
      expect(upstream.connections).toBe(before);
      expect(proxy.eventFor(host)).toMatchObject({ kind: 'blocked', port: upstream.port });
      expect(proxy.eventFor(host)?.url).toContain('/echo');
    });

    it('refuses a name whose answers mix allowed and private addresses', async () => {
      const before = upstream.connections;
      const reply = await viaProxy(proxy, `http://mixed.test:${upstream.port}/echo`);
      expect(reply.status).toBe(403);
      // The page (and the scan's client) learns the kind of range, not the internal address; the event keeps it for logs.
      expect(reply.headers['x-egress-blocked']).toBe(
        'target host mixed.test resolves to an address that is not public (in a private range)',
      );
      expect(proxy.eventFor('mixed.test')).toMatchObject({
        reason: 'target host mixed.test resolves to an address that is not public (in a private range)',
        detail: 'target address 10.0.0.1 is in a private range (resolved from mixed.test)',
      });
      expect(upstream.connections).toBe(before);

      const { value: publicPrivate, ms } = await timed(() => viaProxy(proxy, 'http://public-private.test/'));
      expect(publicPrivate.status).toBe(403);
      expect(publicPrivate.headers['x-egress-blocked']).toContain('link-local');
      expect(publicPrivate.headers['x-egress-blocked']).not.toContain('169.254.169.254');
      expect(ms).toBeLessThan(IMMEDIATE_MS);
      expect(proxy.eventFor('PUBLIC-PRIVATE.test')).toMatchObject({ kind: 'blocked', host: 'public-private.test', port: 80 });
      expect(proxy.eventFor('public-private.test')?.detail).toContain('169.254.169.254');
    });

    it('answers a DNS failure with 502 dns ENOTFOUND', async () => {
      const reply = await viaProxy(proxy, 'http://nowhere.test/');
      expect(reply.status).toBe(502);
      expect(reply.headers['x-egress-error']).toBe('dns ENOTFOUND');
      expect(proxy.eventFor('nowhere.test')).toMatchObject({ kind: 'dns_error', port: 80 });

      const empty = await viaProxy(proxy, 'http://empty.test/');
      expect(empty.headers['x-egress-error']).toBe('dns ENOTFOUND');
    });

    it('answers a refused upstream with 502 connect ECONNREFUSED', async () => {
      const port = await closedPort();
      const reply = await viaProxy(proxy, `http://127.0.0.1:${port}/`);
      expect(reply.status).toBe(502);
      expect(reply.headers['x-egress-error']).toBe('connect ECONNREFUSED');
      expect(proxy.events.at(-1)).toMatchObject({ kind: 'connect_error', host: '127.0.0.1', port });
    });
  });

  describe('pinning', () => {
    it('resolves once per request and connects to the address it checked', async () => {
      let calls = 0;
      const rebinding = jest.fn(async () => (calls++ === 0 ? ['127.0.0.1'] : ['10.0.0.1']));
      const pinned = await startEgressProxy({ policy: loopbackOnly, resolve: rebinding });
      try {
        const first = await viaProxy(pinned, `http://rebind.test:${upstream.port}/echo`);
        expect(first.status).toBe(200);
        // Host is what the browser sent; only the TCP destination is the vetted IP.
        expect((JSON.parse(first.body) as Seen).headers.host).toBe(`rebind.test:${upstream.port}`);
        expect(rebinding).toHaveBeenCalledTimes(1);

        const before = upstream.connections;
        const second = await viaProxy(pinned, `http://rebind.test:${upstream.port}/echo`);
        expect(second.status).toBe(403);
        expect(rebinding).toHaveBeenCalledTimes(2);
        expect(upstream.connections).toBe(before);
      } finally {
        await pinned.close();
      }
    });

    it('lets a resolver-approved name through for plain HTTP and CONNECT', async () => {
      resolver.mockClear();
      const reply = await viaProxy(proxy, `http://fixtures.test:${upstream.port}/echo`);
      expect(reply.status).toBe(200);
      expect(resolver).toHaveBeenCalledTimes(1);
      expect(resolver).toHaveBeenCalledWith('fixtures.test');

      const { res, socket } = await tunnel(proxy, `fixtures.test:${echo.port}`);
      expect(res.statusCode).toBe(200);
      expect(await echoOnce(socket, 'tls-ish bytes')).toBe('tls-ish bytes');
      socket.destroy();
      expect(resolver).toHaveBeenCalledTimes(2);
    });
  });

  describe('CONNECT', () => {
    it('tunnels bytes to an allowed address', async () => {
      const { res, socket } = await tunnel(proxy, `127.0.0.1:${echo.port}`);
      expect(res.statusCode).toBe(200);
      expect(res.statusMessage).toBe('Connection Established');
      expect(await echoOnce(socket, 'hello')).toBe('hello');
      expect(await echoOnce(socket, 'again')).toBe('again');
      socket.destroy();
    });

    it.each(['10.0.0.1', '169.254.169.254', '[::1]', 'localhost', 'mixed.test'])(
      'refuses %s with 403 and X-Egress-Blocked',
      async (host) => {
        const blockedBefore = proxy.blockedCount();
        const before = echo.connections;
        const { value, ms } = await timed(() => tunnel(proxy, `${host}:${echo.port}`));
        value.socket.destroy();
        expect(value.res.statusCode).toBe(403);
        expect(value.res.headers['x-egress-blocked']).toMatch(/target/);
        expect(ms).toBeLessThan(IMMEDIATE_MS);
        expect(echo.connections).toBe(before);
        expect(proxy.blockedCount()).toBe(blockedBefore + 1);
        const event = proxy.eventFor(host);
        expect(event).toMatchObject({ kind: 'blocked', port: echo.port });
        expect(event?.url).toBeUndefined();
      },
    );

    it('answers DNS and connect failures with 502 and X-Egress-Error', async () => {
      const dnsFail = await tunnel(proxy, 'nowhere.test:443');
      dnsFail.socket.destroy();
      expect(dnsFail.res.statusCode).toBe(502);
      expect(dnsFail.res.headers['x-egress-error']).toBe('dns ENOTFOUND');

      const port = await closedPort();
      const refused = await tunnel(proxy, `127.0.0.1:${port}`);
      refused.socket.destroy();
      expect(refused.res.statusCode).toBe(502);
      expect(refused.res.headers['x-egress-error']).toBe('connect ECONNREFUSED');
      expect(proxy.eventFor('127.0.0.1')).toMatchObject({ kind: 'connect_error', port });
    });

    it('refuses a malformed authority with 400', async () => {
      const { res, socket } = await tunnel(proxy, 'no-port-here');
      socket.destroy();
      expect(res.statusCode).toBe(400);
    });
  });

  describe('policy', () => {
    it('allowPrivateTargets lets other loopback addresses through', async () => {
      const strictTripwire = await startHttpUpstream('127.0.0.2');
      if (strictTripwire === null) return; // 127.0.0.2 is not bindable here: nothing to assert
      const open = await startEgressProxy({ policy: { ...loopbackOnly, allowPrivateTargets: true, allowedHosts: [] } });
      try {
        const refused = await viaProxy(proxy, `http://127.0.0.2:${strictTripwire.port}/echo`);
        expect(refused.status).toBe(403);
        expect(strictTripwire.connections).toBe(0);

        const allowed = await viaProxy(open, `http://127.0.0.2:${strictTripwire.port}/echo`);
        expect(allowed.status).toBe(200);
        expect(strictTripwire.connections).toBe(1);
      } finally {
        await open.close();
        await strictTripwire.close();
      }
    });

    it('never connects to ::1 unless the allowlist covers it', async () => {
      const v6 = await startHttpUpstream('::1');
      if (v6 === null) return; // no IPv6 loopback here
      const withV6 = await startEgressProxy({ policy: { ...loopbackOnly, allowedHosts: ['127.0.0.1', '::1'] } });
      try {
        expect((await viaProxy(proxy, `http://[::1]:${v6.port}/echo`)).status).toBe(403);
        expect(v6.connections).toBe(0);
        expect((await viaProxy(withV6, `http://[::1]:${v6.port}/echo`)).status).toBe(200);
        expect(v6.connections).toBe(1);
        // Both loopback addresses covered, so the localhost name is allowed too (pinned to 127.0.0.1 first).
        expect((await viaProxy(withV6, `http://localhost:${upstream.port}/echo`)).status).toBe(200);
      } finally {
        await withV6.close();
        await v6.close();
      }
    });
  });

  describe('events and lifecycle', () => {
    it('caps the event list at 500 but keeps counting and answering eventFor', async () => {
      const capped = await startEgressProxy({ policy: loopbackOnly });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      try {
        const get = (host: string): Promise<number> =>
          new Promise((done, fail) => {
            const req = http.request({ host: '127.0.0.1', port: portOf(capped), path: `http://${host}/`, agent }, (res) => {
              res.resume();
              res.on('end', () => done(res.statusCode ?? 0));
            });
            req.on('error', fail);
            req.end();
          });
        const hosts = Array.from({ length: 510 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
        const statuses = await Promise.all(hosts.map(get));
        expect(statuses.every((s) => s === 403)).toBe(true);
        expect(capped.events).toHaveLength(500);
        expect(capped.blockedCount()).toBe(510);
        expect(capped.eventFor(hosts[509])).toMatchObject({ kind: 'blocked', host: hosts[509] });
      } finally {
        agent.destroy();
        await capped.close();
      }
    });

    it('close() destroys open tunnels, stops listening and is idempotent', async () => {
      const own = await startEgressProxy({ policy: loopbackOnly });
      const port = portOf(own);
      const { res, socket } = await tunnel(own, `127.0.0.1:${echo.port}`);
      expect(res.statusCode).toBe(200);
      expect(await echoOnce(socket, 'open')).toBe('open');
      const upstreamOpen = echo.open();

      const closed = once(socket, 'close');
      await Promise.all([own.close(), own.close()]);
      await closed;
      await own.close();
      // The upstream half of the tunnel goes too, so no handle outlives the scan.
      for (let i = 0; i < 50 && echo.open() >= upstreamOpen; i++) await new Promise((r) => setTimeout(r, 10));
      expect(echo.open()).toBe(upstreamOpen - 1);

      const retry = net.connect(port, '127.0.0.1');
      const [err] = (await once(retry, 'error')) as [NodeJS.ErrnoException];
      expect(err.code).toBe('ECONNREFUSED');
    });
  });
});
