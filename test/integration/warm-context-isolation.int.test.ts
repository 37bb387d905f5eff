// Warm browser contexts (BrowserPool reuseKey) through the whole stack with the production address rule on:
// a client's next scan may reuse its page, but starts from a first visitor's state, and nothing a scan leaves in
// the browser (cookie, storage, IndexedDB, Cache Storage, service worker, HTTP cache, window.name, a third-party
// frame's storage) is ever visible to another client's scan.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { useFixtureServer } from '../support/fixture-server';
import { scanToEnd } from '../support/scan-client';
import { eventually, useStack } from '../support/stack';

const html = (res: ServerResponse, body: string, headers: Record<string, string> = {}) =>
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...headers }).end(body);

const page = (title: string, script: string, extra = '') =>
  `<!doctype html><html lang="en"><head><title>${title}</title><script src="/cached.js"></script></head><body><main><h1>State check</h1><p>A page that plants or probes browser state.</p>${extra}<script>${script}</script></main></body></html>`;

// Everything a page can leave behind without a user gesture; the title says when all of it is in place.
const PLANT = `
  document.cookie = 'js=1; max-age=3600';
  localStorage.setItem('planted', '1');
  sessionStorage.setItem('planted', '1');
  window.name = 'planted';
  Promise.all([
    new Promise((ok, ko) => { const r = indexedDB.open('planted'); r.onsuccess = ok; r.onerror = ko; }),
    caches.open('planted').then((c) => c.put('/planted', new Response('x'))),
    navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready),
    new Promise((ok) => addEventListener('message', (e) => e.data === 'frame-planted' && ok())),
  ]).then(() => { document.title = 'planted'; }, (e) => { document.title = 'plant failed: ' + e; });
  // Keeps writing after the scan is over, until the document is gone.
  setInterval(() => { document.cookie = 'late=1'; localStorage.setItem('late', '1'); }, 5);
`;

const PROBE = `
  const frame = new Promise((ok) => addEventListener('message', (e) => typeof e.data === 'number' && ok(e.data)));
  Promise.all([
    indexedDB.databases().then((d) => d.map((x) => x.name).join(',')),
    caches.keys().then((k) => k.join(',')),
    navigator.serviceWorker.getRegistrations().then((r) => r.length),
    frame,
  ]).then(([idb, cacheNames, sw, frameItems]) => {
    document.title = 'probe c=' + document.cookie + ';ls=' + localStorage.length + ';ss=' + sessionStorage.length +
      ';idb=' + idb + ';caches=' + cacheNames + ';sw=' + sw + ';name=' + window.name + ';frame=' + frameItems;
  });
`;

const CLEAN = 'probe c=;ls=0;ss=0;idb=;caches=;sw=0;name=;frame=0';
const cookieHeaders: string[] = [];

const site = useFixtureServer({
  '/plant': (_req, res) =>
    html(res, page('planting', PLANT, `<iframe title="third party" src="${site().altOrigin}/frame-plant"></iframe>`), {
      'Set-Cookie': 'srv=1; Max-Age=3600',
    }),
  '/probe': (req: IncomingMessage, res) => {
    cookieHeaders.push(req.headers.cookie ?? '');
    html(res, page('probing', PROBE, `<iframe title="third party" src="${site().altOrigin}/frame-probe"></iframe>`));
  },
  '/frame-plant': (_req, res) =>
    html(
      res,
      `<!doctype html><html lang="en"><title>f</title><script>localStorage.setItem('f', '1'); parent.postMessage('frame-planted', '*')</script></html>`,
    ),
  '/frame-probe': (_req, res) =>
    html(res, `<!doctype html><html lang="en"><title>f</title><script>parent.postMessage(localStorage.length, '*')</script></html>`),
  '/cached.js': (_req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'max-age=3600' }).end('/* cacheable */'),
  '/sw.js': (_req, res) => res.writeHead(200, { 'Content-Type': 'text/javascript' }).end("self.addEventListener('fetch', () => {});"),
});

// One page: every scan lands on the same slot, so a kept context would be reused if the pool allowed it.
const stack = useStack({
  env: { MAX_CONCURRENT_PAGES: '1', SCAN_ALLOW_PRIVATE_TARGETS: 'false', SCAN_ALLOWED_HOSTS: '127.0.0.1,localhost' },
});

async function plant(clientId: string) {
  const scan = await scanToEnd(stack().app, { clientId, url: site().url('/plant') });
  // Proves the state really was there to leak: otherwise a clean probe would prove nothing.
  expect(scan).toMatchObject({ status: 'completed', result: { pageTitle: 'planted' } });
}

async function probe(clientId: string): Promise<string> {
  const scan = await scanToEnd(stack().app, { clientId, url: site().url('/probe') });
  expect(scan.status).toBe('completed');
  return scan.result.pageTitle as string;
}

describe('warm browser contexts', () => {
  it("reuses a client's page for its next scan, which starts from a first visitor's state", async () => {
    const pool = stack().pool!;
    await plant('tenant-a');
    // With a spare context free, a lease does not wait for a reset but opens the spare: let the reset finish.
    await eventually(async () => (pool.stats().warmResetting === 0 ? true : undefined));
    const warmBefore = pool.stats().warmLeases ?? 0;
    const cachedHits = site().hits.get('/cached.js');
    cookieHeaders.length = 0;
    expect(await probe('tenant-a')).toBe(CLEAN);
    expect(cookieHeaders).toEqual(['']);
    expect(pool.stats().warmLeases).toBe(warmBefore + 1);
    // The HTTP cache is the one thing kept within a client: it changes no result and makes the next page cheap.
    expect(site().hits.get('/cached.js')).toBe(cachedHits);
  });

  it("never lets another client's scan see anything, the HTTP cache included", async () => {
    const pool = stack().pool!;
    await plant('tenant-b');
    const warmBefore = pool.stats().warmLeases ?? 0;
    const cachedHits = site().hits.get('/cached.js') ?? 0;
    cookieHeaders.length = 0;
    expect(await probe('tenant-c')).toBe(CLEAN);
    expect(cookieHeaders).toEqual(['']);
    expect(pool.stats().warmLeases).toBe(warmBefore);
    expect(site().hits.get('/cached.js')).toBe(cachedHits + 1);
  });

  it('keeps at most one spare context beyond the pool size and closes the ones it evicts', async () => {
    const pool = stack().pool!;
    for (const clientId of ['tenant-d', 'tenant-e', 'tenant-f']) await probe(clientId);
    expect(pool.stats().warmPages).toBeLessThanOrEqual(2);
    expect(await pool.openPages()).toBe(0);
    const contexts = await eventually(async () => {
      const n = pool.browserContextCount();
      return n <= 2 ? n : undefined;
    });
    expect(contexts).toBeGreaterThan(0);
  });
});
