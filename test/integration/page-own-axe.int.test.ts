// A page cannot supply its own axe: ours is always injected into an isolated world the page's scripts cannot reach,
// so a page that defines window.axe (a fake perfect score, or thousands of fake results) or patches DOM prototypes
// still gets its real violations and none of the fake ones. Real Chromium, runAxe as the scan activity calls it.
import type { BrowserPool } from '../../activities/browser/browser-pool';
import { AXE_VERSION, runAxe } from '../../activities/browser/run-axe';
import { testBrowserPool } from '../support/browser';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// A clean result, a fake one, and the functions runPartial/finishRun/getFrameContexts that our code used to call.
const FAKE_AXE = (mode: 'clean' | 'fake') => `<script>
(() => {
  const fakeRule = { id: 'fake-rule', impact: 'critical', tags: ['wcag2a'], description: 'fake', help: 'fake',
    helpUrl: 'javascript:alert(1)', nodes: Array.from({ length: 5000 }, (_, i) => ({ html: '<p>' + 'x'.repeat(5000) + '</p>', target: ['#n' + i], impact: 'critical', any: [], all: [], none: [] })) };
  const result = { violations: ${mode === 'fake' ? '[fakeRule]' : '[]'}, incomplete: [], passes: [], inapplicable: [] };
  const fake = {
    version: '4.14.1',
    run: async () => result,
    runPartial: async () => ({ results: [], frames: [] }),
    finishRun: async () => result,
    utils: { getFrameContexts: () => [], shadowSelect: () => null },
    configure() {}, setup() {}, teardown() {},
  };
  Object.defineProperty(window, 'axe', { value: fake, writable: false, configurable: false });
  // Patching the DOM the main world sees does not change what an isolated world sees.
  const getAttribute = Element.prototype.getAttribute;
  Element.prototype.getAttribute = function (name) { return name === 'alt' ? 'innocent' : getAttribute.call(this, name); };
  Element.prototype.hasAttribute = function () { return true; };
})();
</script>`;

const page = (body: string, head = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Own axe</title>${head}</head><body><main><h1>Own axe</h1>${body}</main></body></html>`;

// Planted, real: an image without alt and a button without a name.
const PLANTED = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10"><button></button>';

describe('a page that brings its own axe', () => {
  let site: FixtureServer;
  let pool: BrowserPool;

  beforeAll(async () => {
    const send = (body: string) => (_req: unknown, res: import('node:http').ServerResponse) =>
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(body);
    site = await startFixtureServer({
      '/own-axe-clean': send(page(PLANTED, FAKE_AXE('clean'))),
      '/own-axe-fake': send(page(PLANTED, FAKE_AXE('fake'))),
      // Frames take the runPartial path: every frame's own axe is fake too; the planted image is in the child.
      '/own-axe-frames': send(page('<button></button><iframe title="child" src="/own-axe-child"></iframe>', FAKE_AXE('clean'))),
      '/own-axe-child': send(page('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10">', FAKE_AXE('fake'))),
      // window.axe as a named property the page controls: an element id and a frame name.
      '/named-axe': send(page(`${PLANTED}<div id="axe"></div><iframe name="axe" title="named" srcdoc="<p>x</p>"></iframe>`)),
    });
    pool = testBrowserPool();
  });
  afterAll(async () => {
    await pool?.close();
    await site?.close();
  });

  async function scan(path: string) {
    const lease = await pool.acquire();
    try {
      await lease.page.goto(site.url(path), { waitUntil: 'load' });
      const pageAxe = await lease.page.evaluate(() => typeof (window as unknown as { axe?: { run?: unknown } }).axe?.run);
      const run = await runAxe(lease.page, TAGS);
      return { ...run, pageAxe };
    } finally {
      await lease.release();
    }
  }

  const ids = (rules: Array<{ id: string }>) => rules.map((r) => r.id).sort();

  it.each([
    ['reports a clean result', '/own-axe-clean'],
    ['reports 5,000 fake critical nodes', '/own-axe-fake'],
  ])('still finds the planted violations when the page’s own axe %s', async (_name, path) => {
    const { results, pageAxe, truncated } = await scan(path);
    expect(pageAxe).toBe('function'); // the page's fake is in place in its own world...
    expect(ids(results.violations)).toEqual(['button-name', 'image-alt']); // ...and ignored
    expect(results.violations.flatMap((v) => v.nodes)).toHaveLength(2);
    expect(results.testEngine.version).toBe(AXE_VERSION);
    expect(truncated).toEqual([]);
  });

  it('runs our axe in every frame (runPartial path) even when each frame has a fake one', async () => {
    const { results, untestedFrames } = await scan('/own-axe-frames');
    expect(untestedFrames).toEqual([]);
    expect(ids(results.violations)).toEqual(['button-name', 'image-alt']);
    const image = results.violations.find((v) => v.id === 'image-alt')!;
    expect(image.nodes[0].target).toEqual(['iframe', 'img']);
  });

  it('is not confused by window.axe being an element or a frame the page named', async () => {
    const { results } = await scan('/named-axe');
    expect(ids(results.violations)).toEqual(['button-name', 'image-alt']);
  });
});
