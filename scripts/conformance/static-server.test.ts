import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRange, resolveRequestPath, startStaticServer, type StaticServer } from './static-server';

describe('resolveRequestPath', () => {
  const root = '/corpus';

  it('maps the URL path under the root and ignores the query and fragment', () => {
    expect(resolveRequestPath(root, '/testcases/a/b.html?page=2#top')).toEqual({
      ok: true,
      file: '/corpus/testcases/a/b.html',
      pathname: '/testcases/a/b.html',
    });
  });

  it('decodes percent escapes', () => {
    expect(resolveRequestPath(root, '/a%20b/c.html')).toMatchObject({ ok: true, file: '/corpus/a b/c.html' });
  });

  it.each(['/../etc/passwd', '/a/../../etc/passwd', '/%2e%2e/etc/passwd'])('keeps %s inside the root (URL dot-segment rules)', (target) => {
    expect(resolveRequestPath(root, target)).toMatchObject({ ok: true, file: '/corpus/etc/passwd' });
  });

  it.each(['/..%2f..%2fetc/passwd', '/a/..%2F..%2F..%2Fetc', '/x%00.html'])('refuses %s, which decoding would take outside', (target) => {
    expect(resolveRequestPath(root, target)).toEqual({ ok: false, status: 403 });
  });

  it('answers 400 to a malformed escape', () => {
    expect(resolveRequestPath(root, '/%E0%A4%A.html')).toEqual({ ok: false, status: 400 });
  });
});

describe('parseRange', () => {
  it.each<[string | undefined, number, ReturnType<typeof parseRange>]>([
    [undefined, 100, null],
    ['bytes=0-', 100, { start: 0, end: 99 }],
    ['bytes=10-19', 100, { start: 10, end: 19 }],
    ['bytes=90-200', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=20-10', 100, 'unsatisfiable'],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-1', 100, null],
  ])('%s of %d bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('startStaticServer', () => {
  let dir: string;
  let outside: string;
  let server: StaticServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conformance-static-'));
    outside = mkdtempSync(join(tmpdir(), 'conformance-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    mkdirSync(join(dir, 'testcases', 'r1'), { recursive: true });
    mkdirSync(join(dir, 'assets', 'site'), { recursive: true });
    writeFileSync(join(dir, 'testcases', 'r1', 'café.html'), '<p>Ünïcödé</p>');
    writeFileSync(join(dir, 'assets', 'site', 'index.html'), '<p>index</p>');
    writeFileSync(join(dir, 'assets', 'clip.mp4'), Buffer.from('0123456789'));
    writeFileSync(join(dir, 'assets', 'pic.jfif'), Buffer.from([0xff, 0xd8]));
    symlinkSync(join(outside, 'secret.txt'), join(dir, 'assets', 'link.txt'));
    server = await startStaticServer(dir);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      // node:http, not fetch: fetch would normalise the raw paths these tests send.
      const req = request(`${server.origin}${path}`, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.once('error', reject);
      req.end();
    });

  it('serves a non-ASCII page as utf-8 HTML at the URL url() builds', async () => {
    const url = new URL(server.url('testcases/r1/café.html'));
    const res = await get(url.pathname);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body.toString('utf8')).toBe('<p>Ünïcödé</p>');
  });

  it('ignores query strings', async () => {
    expect((await get('/assets/site/index.html?page=2')).status).toBe(200);
  });

  it('serves index.html for a directory URL and redirects one without its slash', async () => {
    const res = await get('/assets/site/');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('<p>index</p>');
    const redirect = await get('/assets/site?x=1');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/assets/site/');
  });

  it('answers 404 for a missing file and a directory without index.html', async () => {
    expect((await get('/nope.html')).status).toBe(404);
    expect((await get('/testcases/')).status).toBe(404);
  });

  it('never serves a file outside the root, by dot segments or by symlink', async () => {
    expect((await get('/..%2f..%2f..%2fetc%2fpasswd')).status).toBe(403);
    expect((await get('/assets/link.txt')).status).toBe(403);
  });

  it('serves byte ranges of media with the right type', async () => {
    const res = await get('/assets/clip.mp4', { Range: 'bytes=2-5' });
    expect(res.status).toBe(206);
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.headers['content-range']).toBe('bytes 2-5/10');
    expect(res.body.toString()).toBe('2345');
    expect((await get('/assets/clip.mp4', { Range: 'bytes=50-' })).status).toBe(416);
  });

  it('sends .jfif as image/jpeg', async () => {
    expect((await get('/assets/pic.jfif')).headers['content-type']).toBe('image/jpeg');
  });
});
