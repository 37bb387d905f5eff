// Fixture routes that misbehave on purpose, each the way real sites do (see PERF-NOTES "Hostile pages").
import type { FixtureRoute } from './fixture-server';

const html = (body: string, head = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hostile fixture</title>${head}</head><body><main><h1>Fixture</h1><p>Some real content so the page is not empty.</p>${body}</main></body></html>`;

const send = (res: Parameters<FixtureRoute>[1], body: string, headers: Record<string, string> = {}) =>
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...headers }).end(body);

export function hostileRoutes(opts: { blockedUrl: string }): Record<string, FixtureRoute> {
  return {
    // Headers and half a document, then nothing, forever.
    '/never-finishes': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.write('<!doctype html><html lang="en"><head><title>Still coming</title></head><body><p>Loading the rest');
    },
    '/infinite-loop': (_req, res) =>
      send(
        res,
        html(
          '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10">',
          `<script>addEventListener('load', () => setTimeout(() => { for (;;) {} }, 50));</script>`,
        ),
      ),
    '/memory-hog': (_req, res) =>
      send(
        res,
        html(
          '',
          `<script>const hoard = []; setInterval(() => { for (let i = 0; i < 20; i++) hoard.push(new Array(1e6).fill(Math.random())); }, 20);</script>`,
        ),
      ),
    '/dialogs': (_req, res) =>
      send(
        res,
        html(
          '<p>Dialogs everywhere.</p>',
          `<script>alert('hi'); confirm('sure?'); prompt('name?'); addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = ''; });</script>`,
        ),
      ),
    '/redirect-loop': (_req, res) => res.writeHead(302, { Location: '/redirect-loop' }).end(),
    '/redirect-to-metadata': (_req, res) => res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end(),
    '/blocked-subresource': (_req, res) =>
      send(
        res,
        html(
          `<img src="${opts.blockedUrl}" alt="tracking pixel" width="1" height="1"><script>fetch('http://169.254.169.254/latest/meta-data/').catch(() => {});</script>`,
        ),
      ),
    '/huge-dom': (_req, res) => {
      const rows = Array.from(
        { length: 4_000 },
        (_, i) => `<li><a href="#r${i}">Row ${i}</a> <span>cell</span> <em>x</em> <b>y</b></li>`,
      ).join('');
      send(res, html(`<ul>${rows}</ul>`));
    },
    '/nested-frames': (req, res) => {
      const depth = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('d') ?? '0');
      if (depth >= 30) return send(res, html('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10">'));
      send(res, html(`<iframe title="level ${depth + 1}" src="/nested-frames?d=${depth + 1}" width="300" height="200"></iframe>`));
    },
    '/download': (_req, res) =>
      res
        .writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Disposition': 'attachment; filename="report.bin"' })
        .end('0123456789'),
    '/download-trigger': (_req, res) =>
      send(
        res,
        html(
          '<a id="dl" href="/download" download>Get the report</a>',
          `<script>addEventListener('load', () => document.getElementById('dl').click());</script>`,
        ),
      ),
    '/popup': (_req, res) =>
      send(
        res,
        html(
          '<p>Opens windows.</p>',
          `<script>addEventListener('load', () => { window.open('/clean.html'); window.open('/clean.html', '_blank'); });</script>`,
        ),
      ),
    '/strict-csp': (_req, res) =>
      send(res, html('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="10" height="10">'), {
        'Content-Security-Policy': "default-src 'none'; img-src data:; script-src 'none'; style-src 'none'",
      }),
    // Replaces itself with another document as soon as it has loaded (meta refresh and script redirect).
    '/meta-refresh': (_req, res) => send(res, html('<p>Moved.</p>', '<meta http-equiv="refresh" content="0; url=/clean.html">')),
    '/script-redirect': (_req, res) =>
      send(
        res,
        html(
          '<p>Moving…</p>',
          `<script>addEventListener('load', () => setTimeout(() => { location.href = '/clean.html'; }, 300));</script>`,
        ),
      ),
    // A page that stays busy long enough for a test to break things under it.
    '/slow': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.write('<!doctype html><html lang="en"><head><title>Slow page</title></head><body><main><h1>Slow</h1><p>Arrives in pieces.</p>');
      setTimeout(() => res.end('<p>Done.</p></main></body></html>'), 2_500);
    },
    '/set-cookie': (_req, res) =>
      send(res, html('<p>Sets state.</p>', `<script>localStorage.setItem('visited', 'yes');</script>`), {
        'Set-Cookie': 'session=client-a-secret; Path=/; Max-Age=3600',
      }),
    '/echo-cookie': (req, res) => {
      const cookie = req.headers.cookie ?? '';
      send(res, html(`<p id="cookie">cookie=[${cookie.replace(/[<>&]/g, '')}]</p>`));
    },
  };
}
