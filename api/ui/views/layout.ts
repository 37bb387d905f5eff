import type { Principal } from '../../services/api-key.service';
import { html, raw, tableWrap, type SafeHtml } from '../html';

export interface PageContext {
  principal?: Principal;
  csrfToken?: string;
  /** The nav entry to mark as the current page. */
  current?: 'dashboard' | 'failed' | 'report' | 'prospect' | 'audits';
}

/** Every page: skip link, banner with navigation and sign-out, one main landmark. */
export function layout(title: string, ctx: PageContext, body: SafeHtml, opts: { script?: boolean } = {}): string {
  const p = ctx.principal;
  const link = (href: string, label: string, key: PageContext['current']) =>
    html`<li><a href="${href}"${ctx.current === key ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · WCAG scanner</title>
<link rel="stylesheet" href="/ui/assets/ui.css">
${ctx.csrfToken ? html`<meta name="csrf-token" content="${ctx.csrfToken}">` : ''}
${opts.script ? html`<script src="/ui/assets/ui.js" defer></script>` : ''}
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="banner">
  <p class="brand"><a href="/">WCAG scanner</a></p>
  ${
    p
      ? html`<nav aria-label="Main"><ul>
        ${p.kind === 'admin' ? [link('/dashboard', 'Dashboard', 'dashboard'), link('/failed', 'Failed scans', 'failed')] : ''}
        ${link('/audits', 'Site audits', 'audits')}
      </ul></nav>
      <div class="who">
        <span>Signed in as ${p.kind === 'admin' ? 'operator' : html`client <strong>${p.clientId}</strong>`}</span>
        <form method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ''}"><button type="submit" class="link-button">Sign out</button></form>
      </div>`
      : ''
  }
</header>
<main id="main" tabindex="-1">
${body}
</main>
</body>
</html>`.value;
}

/**
 * A page to print (the PDF export): no navigation, forms or scripts, the stylesheet inlined and nothing fetched
 * (its CSP allows no request at all), so the browser that prints it needs no network.
 */
export function printableLayout(title: string, body: SafeHtml, css: string): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${title}</title>
<style>${raw(css.replace(/<\/style/gi, '<\\/style'))}</style>
</head>
<body class="printable">
<main id="main">
${body}
</main>
</body>
</html>`.value;
}

export function errorPage(status: number, message: string, ctx: PageContext): string {
  const title = status === 404 ? 'Not found' : status === 403 ? 'Forbidden' : 'Something went wrong';
  return layout(title, ctx, html`<h1>${title}</h1><p>${message}</p><p><a href="/">Back to the start page</a></p>`);
}

export function loginPage(opts: { csrfToken: string; next: string; error?: string }): string {
  return layout(
    'Sign in',
    {},
    html`<div class="login">
      <h1>Sign in</h1>
      <p>Sign in with your API key. Operators use the admin key and see every client; a client key shows that client's reports only.
         The key is checked once and not stored in your browser: you get a session cookie instead.</p>
      ${opts.error ? html`<div class="alert error" role="alert" id="login-error">${opts.error}</div>` : ''}
      <form method="post" action="/login" class="stack">
        <input type="hidden" name="_csrf" value="${opts.csrfToken}">
        <input type="hidden" name="next" value="${opts.next}">
        <label for="api-key">API key</label>
        <input id="api-key" name="apiKey" type="password" autocomplete="current-password" required spellcheck="false"
          ${opts.error ? html`aria-invalid="true" aria-describedby="login-error"` : ''}>
        <button type="submit">Sign in</button>
      </form>
    </div>`,
  );
}

export function homePage(
  ctx: PageContext,
  recent: Array<{ scanId: string; url: string; status: string; score: number | null; createdAt: Date }>,
): string {
  return layout(
    'Your scans',
    ctx,
    html`<h1>Recent scans</h1>
    ${
      recent.length === 0
        ? html`<p>No scans yet.</p>`
        : html`${tableWrap(`Recent scans table`)}<table>
      <caption class="visually-hidden">The 50 newest scans</caption>
      <thead><tr><th scope="col">Page</th><th scope="col">Status</th><th scope="col">Score</th><th scope="col">Submitted</th></tr></thead>
      <tbody>${recent.map(
        (s) => html`<tr>
        <td><a href="/scans/${s.scanId}">${s.url}</a></td><td>${s.status}</td><td>${s.score ?? '—'}</td>
        <td>${s.createdAt.toISOString().slice(0, 16).replace('T', ' ')}</td></tr>`,
      )}</tbody>
    </table></div>`
    }`,
  );
}
