// The corpus web root on 127.0.0.1, served the way the corpus README requires: test cases load their assets by
// root-relative URLs, so the server is rooted at the corpus folder and never rewrites a path.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, join, relative, sep } from 'node:path';
import { contentTypeFor } from './mime';

export type ResolvedPath = { ok: true; file: string; pathname: string } | { ok: false; status: 400 | 403 };

/**
 * The file a request target names under `root`. Query strings and fragments are ignored; a malformed escape is
 * a 400 and anything that would leave `root` (`..`, an encoded `/`, a NUL) a 403.
 */
export function resolveRequestPath(root: string, target: string): ResolvedPath {
  let url: URL;
  let decoded: string;
  try {
    url = new URL(target, 'http://corpus.invalid');
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (decoded.includes('\0')) return { ok: false, status: 403 };
  // URL parsing already removed dot segments; decoding can bring them back (`..%2f`), so check the joined path.
  const file = join(root, decoded);
  const rel = relative(root, file);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { ok: false, status: 403 };
  return { ok: true, file, pathname: url.pathname };
}

export type ByteRange = { start: number; end: number };

/**
 * One `bytes=` range of a file of `size` bytes: a range, 'unsatisfiable' (416), or null to send the whole file
 * (no header, several ranges, or a form we do not serve). Media elements ask for ranges.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export interface StaticServer {
  origin: string;
  /** The URL of a corpus-relative path such as `testcases/674b10/abc.html`. */
  url(path: string): string;
  close(): Promise<void>;
}

const NOT_FOUND = '<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found</p>';

function plain(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(status === 404 ? NOT_FOUND : undefined);
}

async function kindOf(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : null;
  } catch {
    return null;
  }
}

async function serve(realRoot: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, { Allow: 'GET, HEAD' });
  const resolved = resolveRequestPath(realRoot, req.url ?? '/');
  if (!resolved.ok) return plain(res, resolved.status);
  let file = resolved.file;
  const kind = await kindOf(file);
  if (kind === 'dir') {
    // Like any static host: a directory URL without its slash is redirected, so relative links in index.html resolve.
    if (!resolved.pathname.endsWith('/')) return plain(res, 301, { Location: `${resolved.pathname}/` });
    file = join(file, 'index.html');
    if ((await kindOf(file)) !== 'file') return plain(res, 404);
  } else if (kind !== 'file') {
    return plain(res, 404);
  }
  // A symlink inside the corpus must not lead outside it either.
  const real = await realpath(file).catch(() => null);
  if (!real || (real !== realRoot && !real.startsWith(`${realRoot}${sep}`))) return plain(res, 403);

  const { size } = await stat(real);
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string> = {
    'Content-Type': contentTypeFor(real),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
  };
  if (range === 'unsatisfiable') return plain(res, 416, { 'Content-Range': `bytes */${size}` });
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  headers['Content-Length'] = String(size === 0 ? 0 : end - start + 1);
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) return void res.end();
  const stream = createReadStream(real, { start, end });
  stream.once('error', () => res.destroy());
  stream.pipe(res);
}

/** Serves `root` on 127.0.0.1 at a port the kernel picks. */
export async function startStaticServer(root: string): Promise<StaticServer> {
  const realRoot = await realpath(root);
  const server = createServer((req, res) => {
    serve(realRoot, req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else plain(res, 500);
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => `${origin}/${path.split('/').map(encodeURIComponent).join('/')}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Chromium keeps connections alive; close() alone would wait for them.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
