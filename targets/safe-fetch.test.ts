import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchWithinPolicy, type SafeFetchOptions } from './safe-fetch';
import type { UrlPolicy } from './url-safety';

const strict: UrlPolicy = { allowPrivateTargets: false, allowedHosts: [], maxUrlLength: 2048 };
const loopbackAllowed: UrlPolicy = { ...strict, allowedHosts: ['127.0.0.1'] };
const opts: SafeFetchOptions = { maxBytes: 1024 * 1024, timeoutMs: 5_000 };

let server: http.Server;
let base: string;
let connections = 0;
let closedEarly = 0;
const requests: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const path = req.url ?? '/';
    if (path === '/hello') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('hello');
    } else if (path === '/missing') {
      res.writeHead(404).end('nope');
    } else if (path.startsWith('/redirect-to?')) {
      res.writeHead(302, { location: decodeURIComponent(path.slice('/redirect-to?'.length)) }).end();
    } else if (path.startsWith('/chain/')) {
      const n = Number(path.slice('/chain/'.length));
      res.writeHead(301, { location: n > 0 ? `/chain/${n - 1}` : '/hello' }).end();
    } else if (path === '/endless') {
      // Streams until the client goes away: the fetch must stop reading, not wait for an end.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => closedEarly++);
      pump();
    } else if (path === '/hang') {
      // Never answers.
    } else {
      res.writeHead(500).end();
    }
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
  connections = 0;
});

describe('fetchWithinPolicy', () => {
  it('fetches from an allowed address', async () => {
    const result = await fetchWithinPolicy(`${base}/hello`, loopbackAllowed, {
      ...opts,
      userAgent: 'WCAGScanner/1.0',
      accept: 'text/plain',
    });
    expect(result).toEqual({
      ok: true,
      status: 200,
      contentType: 'text/plain; charset=utf-8',
      body: Buffer.from('hello'),
      finalUrl: `${base}/hello`,
      truncated: false,
    });
    expect(requests[0].headers).toMatchObject({ 'user-agent': 'WCAGScanner/1.0', accept: 'text/plain', 'accept-encoding': 'identity' });
  });

  it('returns an HTTP error status as a result', async () => {
    const result = await fetchWithinPolicy(`${base}/missing`, loopbackAllowed, opts);
    expect(result).toMatchObject({ ok: true, status: 404 });
  });

  it('allows private targets when the policy does', async () => {
    const result = await fetchWithinPolicy(`${base}/hello`, { ...strict, allowPrivateTargets: true }, opts);
    expect(result).toMatchObject({ ok: true, status: 200 });
  });

  it('refuses a private address without connecting', async () => {
    const result = await fetchWithinPolicy(`${base}/hello`, strict, opts);
    expect(result).toMatchObject({ ok: false, category: 'blocked_target' });
    expect(connections).toBe(0);
  });

  it('refuses a non-http URL', async () => {
    expect(await fetchWithinPolicy('file:///etc/passwd', loopbackAllowed, opts)).toMatchObject({ ok: false, category: 'invalid_url' });
  });

  it('follows redirects, checking each hop', async () => {
    const result = await fetchWithinPolicy(`${base}/chain/2`, loopbackAllowed, opts);
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: `${base}/hello` });
    expect(requests.map((r) => r.url)).toEqual(['/chain/2', '/chain/1', '/chain/0', '/hello']);
  });

  it('stops after maxRedirects', async () => {
    const result = await fetchWithinPolicy(`${base}/chain/5`, loopbackAllowed, { ...opts, maxRedirects: 2 });
    expect(result).toMatchObject({ ok: false, category: 'network', reason: expect.stringMatching(/more than 2 redirects/) });
    expect(requests).toHaveLength(3);
  });

  it('refuses a redirect to the metadata address without connecting to it', async () => {
    const resolve = jest.fn(async () => ['127.0.0.1']);
    const target = encodeURIComponent('http://169.254.169.254/latest/meta-data/');
    const result = await fetchWithinPolicy(`${base}/redirect-to?${target}`, loopbackAllowed, { ...opts, resolve });
    expect(result).toMatchObject({ ok: false, category: 'blocked_target', reason: expect.stringMatching(/link-local/) });
    expect(requests.map((r) => r.url)).toEqual([`/redirect-to?${target}`]);
  });

  it('refuses a redirect to a name that resolves to a private address', async () => {
    const resolve = jest.fn(async (host: string) => (host === 'internal.example' ? ['10.0.0.5'] : []));
    const target = encodeURIComponent('http://internal.example/admin');
    const result = await fetchWithinPolicy(`${base}/redirect-to?${target}`, loopbackAllowed, { ...opts, resolve });
    expect(result).toMatchObject({ ok: false, category: 'blocked_target' });
    expect(resolve).toHaveBeenCalledWith('internal.example');
    expect(JSON.stringify(result)).not.toContain('10.0.0.5');
  });

  it('connects to the address it checked, not to a second resolution', async () => {
    // The OS resolver does not know site.test: only the checked answer can have reached the server.
    const port = (server.address() as AddressInfo).port;
    const resolve = jest.fn(async () => ['127.0.0.1']);
    const result = await fetchWithinPolicy(`http://site.test:${port}/hello`, loopbackAllowed, { ...opts, resolve });
    expect(result).toMatchObject({ ok: true, status: 200, body: Buffer.from('hello') });
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(requests[0].headers.host).toBe(`site.test:${port}`);
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const port = (server.address() as AddressInfo).port;
    const resolve = jest.fn(async () => ['127.0.0.1', '169.254.169.254']);
    const result = await fetchWithinPolicy(`http://site.test:${port}/hello`, loopbackAllowed, { ...opts, resolve });
    expect(result).toMatchObject({ ok: false, category: 'blocked_target' });
    expect(connections).toBe(0);
  });

  it('stops reading at maxBytes and closes the connection', async () => {
    const before = closedEarly;
    const result = await fetchWithinPolicy(`${base}/endless`, loopbackAllowed, { ...opts, maxBytes: 100_000 });
    expect(result).toMatchObject({ ok: true, status: 200, truncated: true });
    if (result.ok) expect(result.body.length).toBe(100_000);
    await waitFor(() => closedEarly > before);
  });

  it('fails instead of truncating when asked to', async () => {
    const result = await fetchWithinPolicy(`${base}/endless`, loopbackAllowed, { ...opts, maxBytes: 100_000, overLimit: 'fail' });
    expect(result).toMatchObject({ ok: false, category: 'too_large' });
  });

  it('does not call a body of exactly maxBytes truncated', async () => {
    const result = await fetchWithinPolicy(`${base}/hello`, loopbackAllowed, { ...opts, maxBytes: 5 });
    expect(result).toMatchObject({ ok: true, truncated: false, body: Buffer.from('hello') });
  });

  it('times out', async () => {
    const started = Date.now();
    const result = await fetchWithinPolicy(`${base}/hang`, loopbackAllowed, { ...opts, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, category: 'network', reason: expect.stringMatching(/within 300 ms/) });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('reports a refused connection without the address', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const resolve = jest.fn(async () => ['127.0.0.1']);
    const result = await fetchWithinPolicy(`http://site.test:${port}/`, loopbackAllowed, { ...opts, resolve });
    expect(result).toMatchObject({ ok: false, category: 'network', reason: expect.stringMatching(/ECONNREFUSED/) });
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
  });

  it('reports an unknown host as a network failure', async () => {
    const resolve = jest.fn(async (host: string): Promise<string[]> => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    });
    const result = await fetchWithinPolicy('https://nowhere.example/', strict, { ...opts, resolve });
    expect(result).toMatchObject({ ok: false, category: 'network', reason: expect.stringMatching(/host not found/) });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
