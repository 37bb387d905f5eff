// The API reference page (/api/docs) in real Chromium: Swagger UI renders every operation of /api/openapi.json
// under the page's CSP, with no violation and no request leaving the API's origin (no CDN).
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser } from 'puppeteer-core';
import request from 'supertest';
import { buildLaunchOptions } from '../../activities/browser/launch-options';
import { useStack } from '../support/stack';

describe('GET /api/docs', () => {
  const stack = useStack({ workers: false });
  let server: Server;
  let base: string;
  let browser: Browser | undefined;
  let userDataDir: string | undefined;

  beforeAll(async () => {
    server = stack().app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const launch = buildLaunchOptions({
      chromePath: stack().env.CHROME_PATH,
      launchTimeoutMs: 60_000,
      viewport: { width: 1280, height: 900 },
      protocolTimeoutMs: 60_000,
    });
    userDataDir = launch.userDataDir;
    browser = await puppeteer.launch(launch);
  });

  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await new Promise((r) => server?.close(r));
  });

  it('serves the document and the page without a key, the page under its own CSP', async () => {
    const doc = await request(stack().app)
      .get('/api/openapi.json')
      .expect(200)
      .expect('content-type', /application\/json/);
    expect(doc.body.openapi).toBe('3.1.0');
    const page = await request(stack().app)
      .get('/api/docs')
      .expect(200)
      .expect('content-type', /text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.text).not.toMatch(/<script>|<style>|\sstyle=/);
    // Everything else keeps the API's policy.
    const other = await request(stack().app).get('/healthz').expect(200);
    expect(other.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
  });

  it('renders every operation in Chromium with no CSP violation and nothing fetched from another origin', async () => {
    const page = await browser!.newPage();
    const violations: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    await page.goto(`${base}/api/docs`, { waitUntil: 'networkidle0' });
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    // Swagger UI collapses tags beyond the first few; the operation ids it renders are counted from the spans.
    const operations = await page.$$eval('.opblock', (els) => els.length);
    const documented = Object.values(
      (await request(stack().app).get('/api/openapi.json')).body.paths as Record<string, Record<string, unknown>>,
    ).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(operations).toBe(documented);
    expect(violations).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });
});
