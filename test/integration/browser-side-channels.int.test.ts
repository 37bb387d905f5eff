// The browser's side channels, live: a page on an allowed host (127.0.0.1) tries to reach a blocked address
// (127.0.0.2, loopback, not on the allow list) by every route that does not look like an ordinary request. A TCP
// server and a UDP socket on that address must receive nothing, and where the route goes through the egress proxy
// the proxy must record the refusal. Real Chromium with the production flags, the scan activity's proxy setup.
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { BrowserPool, PageLease } from '../../activities/browser/browser-pool';
import { startEgressProxy, type EgressProxy } from '../../activities/browser/egress-proxy';
import { preparePage } from '../../activities/scan-page.activity';
import { testBrowserPool } from '../support/browser';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';

const BLOCKED_HOST = '127.0.0.2';

interface Listener {
  port: number;
  tcp: string[];
  udp: number;
  reset(): void;
  close(): Promise<void>;
}

/** A TCP server and a UDP socket on the same port of the blocked address, counting everything they receive. */
async function listenOnBlockedAddress(): Promise<Listener> {
  const tcp: string[] = [];
  let udp = 0;
  const server: Server = createServer((socket) => {
    let first = '';
    socket.on('data', (d) => (first ||= d.toString('latin1').split('\r\n')[0] || '(binary)'));
    socket.on('close', () => tcp.push(first || '(connected)'));
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), 200);
  });
  await new Promise<void>((resolve) => server.listen(0, BLOCKED_HOST, resolve));
  const { port } = server.address() as AddressInfo;
  const dgram: UdpSocket = createSocket('udp4');
  dgram.on('message', () => udp++);
  await new Promise<void>((resolve) => dgram.bind(port, BLOCKED_HOST, resolve));
  return {
    port,
    tcp,
    get udp() {
      return udp;
    },
    reset() {
      tcp.length = 0;
      udp = 0;
    },
    close: async () => {
      dgram.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  } as Listener;
}

/**
 * A root, an intermediate and a leaf for 127.0.0.1 whose AIA "CA Issuers" URL points at the blocked address; the
 * server sends the leaf alone, so a browser that fetches missing intermediates (AIA) would ask the blocked address.
 */
function certificateWithAia(aiaUrl: string): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'aia-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  try {
    const ca = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
    ssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'root.key',
      '-out',
      'root.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Side channel root',
      ...ca,
    );
    writeFileSync(join(dir, 'int.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=Side channel intermediate');
    ssl(
      'x509',
      '-req',
      '-in',
      'int.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-CAcreateserial',
      '-out',
      'int.pem',
      '-days',
      '2',
      '-extfile',
      'int.ext',
    );
    writeFileSync(
      join(dir, 'leaf.ext'),
      `subjectAltName=IP:127.0.0.1\nauthorityInfoAccess=caIssuers;URI:${aiaUrl}\nextendedKeyUsage=serverAuth\n`,
    );
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
    ssl(
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'int.pem',
      '-CAkey',
      'int.key',
      '-CAcreateserial',
      '-out',
      'leaf.pem',
      '-days',
      '2',
      '-extfile',
      'leaf.ext',
    );
    return { key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const html = (body: string, head = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Side channel</title>${head}</head><body><main><h1>Side channel</h1><p>Content.</p>${body}</main></body></html>`;

function routes(blocked: string) {
  const send =
    (body: string, type = 'text/html; charset=utf-8') =>
    (_req: unknown, res: ServerResponse) =>
      res.writeHead(200, { 'Content-Type': type }).end(body);
  return {
    '/hints': send(
      html(
        '',
        `<link rel="dns-prefetch" href="//${blocked}/"><link rel="preconnect" href="http://${blocked}/"><link rel="preconnect" href="https://${blocked}/" crossorigin>` +
          `<link rel="prefetch" href="http://${blocked}/prefetch"><link rel="preload" as="image" href="http://${blocked}/preload.png">` +
          `<script type="speculationrules">{"prefetch":[{"source":"list","urls":["http://${blocked}/speculative"]}],"prerender":[{"source":"list","urls":["http://${blocked}/prerender"]}]}</script>`,
      ),
    ),
    '/service-worker': send(
      html(
        '',
        `<script>window.swState = 'starting'; navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready)
          .then(() => navigator.serviceWorker.controller || new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true })))
          .then(() => { window.swState = 'ready'; return fetch('/through-sw'); }).then((r) => r.text()).then((t) => (window.swState = 'done: ' + t), (e) => (window.swState = 'error: ' + e));</script>`,
      ),
    ),
    '/sw.js': send(
      `self.addEventListener('install', (e) => { self.skipWaiting(); e.waitUntil(fetch('http://${blocked}/sw-install', { mode: 'no-cors' }).catch(() => {})); });
       self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
       self.addEventListener('fetch', (e) => { if (new URL(e.request.url).pathname === '/through-sw') e.respondWith(fetch('http://${blocked}/sw-fetch', { mode: 'no-cors' }).then(() => new Response('answered'), () => new Response('refused'))); });`,
      'text/javascript',
    ),
    '/through-sw': send('not intercepted'),
    '/webrtc': send(
      html(
        '',
        `<script>
        window.rtc = (async () => {
          const [host, port] = ${JSON.stringify(blocked)}.split(':');
          const pc = new RTCPeerConnection({ iceServers: [
            { urls: 'stun:' + host + ':' + port },
            { urls: ['turn:' + host + ':' + port + '?transport=udp', 'turn:' + host + ':' + port + '?transport=tcp'], username: 'u', credential: 'p' },
          ] });
          const candidates = [];
          pc.onicecandidate = (e) => e.candidate && candidates.push(e.candidate.candidate);
          pc.createDataChannel('x');
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          // A remote peer "at" the blocked address: ICE would send STUN binding requests to it over UDP.
          const answer = offer.sdp.replace('a=setup:actpass', 'a=setup:active') +
            'a=candidate:1 1 udp 2122260223 ' + host + ' ' + port + ' typ host\\r\\n' +
            'a=candidate:2 1 tcp 1518280447 ' + host + ' ' + port + ' typ host tcptype passive\\r\\n';
          await pc.setRemoteDescription({ type: 'answer', sdp: answer }).catch((e) => candidates.push('remote: ' + e.message));
          await new Promise((r) => setTimeout(r, 4000));
          return { candidates, ice: pc.iceConnectionState, gathering: pc.iceGatheringState };
        })().catch((e) => ({ error: String(e) }));
        </script>`,
      ),
    ),
    '/webtransport': send(
      html(
        '',
        `<script>window.wt = (async () => {
          if (typeof WebTransport !== 'function') return 'unsupported';
          try { const t = new WebTransport('https://${blocked}/wt'); await Promise.race([t.ready, new Promise((_, j) => setTimeout(() => j(new Error('no answer')), 3000))]); return 'connected'; }
          catch (e) { return 'failed: ' + e; }
        })();</script>`,
      ),
    ),
    '/unload-beacon': send(
      html(
        '',
        `<script>
        const leak = (when) => {
          navigator.sendBeacon('http://${blocked}/beacon-' + when, 'x');
          fetch('http://${blocked}/keepalive-' + when, { method: 'POST', body: 'y', keepalive: true, mode: 'no-cors' }).catch(() => {});
        };
        addEventListener('pagehide', () => leak('pagehide'));
        addEventListener('visibilitychange', () => leak('visibilitychange'));
        addEventListener('beforeunload', () => leak('beforeunload'));
        </script>`,
      ),
    ),
    '/after': send(html('<p>Next page.</p>')),
    '/control': send(html(`<script>fetch('http://${blocked}/control', { mode: 'no-cors' }).catch(() => {});</script>`)),
  };
}

describe('browser side channels to a blocked address', () => {
  let site: FixtureServer;
  let pool: BrowserPool;
  let listener: Listener;
  let blocked: string;

  beforeAll(async () => {
    listener = await listenOnBlockedAddress();
    blocked = `${BLOCKED_HOST}:${listener.port}`;
    site = await startFixtureServer(routes(blocked));
    pool = testBrowserPool();
  });
  afterAll(async () => {
    await pool?.close();
    await site?.close();
    await listener?.close();
  });

  /** As the scan activity does it: a per-scan proxy with the address rule on (only 127.0.0.1 allowed). */
  async function withScanContext(fn: (lease: PageLease, egress: EgressProxy) => Promise<void>): Promise<EgressProxy> {
    const egress = await startEgressProxy({ policy: { allowPrivateTargets: false, allowedHosts: ['127.0.0.1'], maxUrlLength: 2048 } });
    const lease = await pool.acquire(undefined, { proxyServer: egress.url });
    try {
      await preparePage(lease.page, { maxScanTimeMs: 30_000, acceptLanguage: 'en', pageMaxHeapMb: 512, maxRedirects: 5 });
      await fn(lease, egress);
    } finally {
      // In this order, at once, as in the scan activity: whatever the closing context still sends (beacons) finds
      // the proxy gone, and Chromium does not fall back to connecting directly (the listener would see it).
      await lease.release();
      await egress.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    return egress;
  }

  const blockedEvents = (egress: EgressProxy) => egress.events.filter((e) => e.kind === 'blocked' && e.host === BLOCKED_HOST);
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeEach(() => listener.reset());

  it('the harness can see a leak: without the proxy, a plain fetch reaches the listener', async () => {
    const lease = await pool.acquire();
    try {
      await lease.page.goto(site.url('/control'), { waitUntil: 'load' });
      await settle(500);
    } finally {
      await lease.release();
    }
    expect(listener.tcp.some((line) => line.includes('/control'))).toBe(true);
    // and the UDP socket counts what it gets
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.send('x', listener.port, BLOCKED_HOST, () => resolve()));
    probe.close();
    await settle(100);
    expect(listener.udp).toBe(1);
  });

  it('a plain fetch through the proxy is refused and recorded', async () => {
    const egress = await withScanContext(async ({ page }) => {
      await page.goto(site.url('/control'), { waitUntil: 'load' });
      await settle(500);
    });
    expect(listener.tcp).toEqual([]);
    expect(blockedEvents(egress).map((e) => e.url)).toEqual([`http://${blocked}/control`]);
  });

  it('dns-prefetch, preconnect, prefetch, preload and speculation rules reach nothing', async () => {
    const egress = await withScanContext(async ({ page }) => {
      await page.goto(site.url('/hints'), { waitUntil: 'load' });
      await settle(1_500);
    });
    expect(listener.tcp).toEqual([]);
    expect(listener.udp).toBe(0);
    // The fetching hints go through the proxy and are refused there; preconnect and dns-prefetch only warm up the
    // connection to the proxy itself (an IP literal needs no DNS) or are refused as a CONNECT.
    const urls = blockedEvents(egress).map((e) => e.url ?? `${e.host}:${e.port}`);
    expect(urls).toEqual(expect.arrayContaining([`http://${blocked}/preload.png`]));
  });

  it('a service worker’s own fetches go through the proxy and are refused', async () => {
    let state = '';
    const egress = await withScanContext(async ({ page }) => {
      await page.goto(site.url('/service-worker'), { waitUntil: 'load' });
      await page.waitForFunction(
        () =>
          (window as unknown as { swState: string }).swState !== 'starting' &&
          (window as unknown as { swState: string }).swState !== 'ready',
        { timeout: 10_000 },
      );
      state = await page.evaluate(() => (window as unknown as { swState: string }).swState);
      await settle(500);
    });
    // The worker really ran and intercepted the page's fetch (the proxy's refusal is an HTTP answer, hence 'answered').
    expect(state).toMatch(/^done: (answered|refused)$/);
    expect(listener.tcp).toEqual([]);
    const urls = blockedEvents(egress).map((e) => e.url);
    expect(urls).toEqual(expect.arrayContaining([`http://${blocked}/sw-install`, `http://${blocked}/sw-fetch`]));
  });

  it('WebRTC (STUN, TURN over UDP and TCP, a remote host candidate) sends nothing to the blocked address', async () => {
    let outcome: unknown;
    const egress = await withScanContext(async ({ page }) => {
      await page.goto(site.url('/webrtc'), { waitUntil: 'load' });
      outcome = await page.evaluate(() => (window as unknown as { rtc: Promise<unknown> }).rtc);
      await settle(500);
    });
    expect(outcome).not.toHaveProperty('error');
    expect(listener.udp).toBe(0);
    expect(listener.tcp).toEqual([]);
    // No UDP at all leaves this browser: not even a host candidate is gathered.
    const candidates = (outcome as { candidates: string[] }).candidates;
    expect(candidates.filter((c) => / udp /i.test(c))).toEqual([]);
    // TURN over TCP may only go via the proxy, which refuses it.
    expect(blockedEvents(egress).every((e) => e.port === listener.port)).toBe(true);
  });

  it('WebTransport (HTTP/3 over UDP) cannot reach the blocked address', async () => {
    let outcome = '';
    await withScanContext(async ({ page }) => {
      await page.goto(site.url('/webtransport'), { waitUntil: 'load' });
      outcome = await page.evaluate(() => (window as unknown as { wt: Promise<string> }).wt);
    });
    expect(outcome).not.toBe('connected');
    expect(listener.udp).toBe(0);
    expect(listener.tcp).toEqual([]);
  });

  it('sendBeacon and keepalive fetches sent while the page unloads go through the proxy and are refused', async () => {
    const egress = await withScanContext(async ({ page }) => {
      await page.goto(site.url('/unload-beacon'), { waitUntil: 'load' });
      await page.goto(site.url('/after'), { waitUntil: 'load' }); // pagehide/beforeunload of the first document
      await settle(1_000);
      await page.goto(site.url('/unload-beacon'), { waitUntil: 'load' }); // this one unloads when the context closes
    });
    expect(listener.tcp).toEqual([]);
    const urls = blockedEvents(egress).map((e) => e.url);
    expect(urls).toEqual(expect.arrayContaining([`http://${blocked}/beacon-pagehide`, `http://${blocked}/keepalive-pagehide`]));
  });
  it('TLS intermediate fetching (AIA) for a chain missing its intermediate does not reach the blocked address', async () => {
    const tls = createHttpsServer(certificateWithAia(`http://${blocked}/intermediate.cer`), (_req, res) =>
      res.writeHead(200).end(html('')),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/`;
    let error = '';
    try {
      const egress = await withScanContext(async ({ page }) => {
        error = await page.goto(url, { waitUntil: 'load' }).then(
          () => '',
          (e: Error) => e.message,
        );
        await settle(1_000);
      });
      expect(error).toMatch(/ERR_CERT/); // the root is not trusted anyway; what matters is where Chromium asked
      expect(listener.tcp).toEqual([]);
      // Chromium does fetch the intermediate (the control without a proxy reaches the listener), through the proxy.
      expect(blockedEvents(egress).map((e) => e.url)).toEqual([`http://${blocked}/intermediate.cer`]);
    } finally {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });
});
