// One spelling per page: discovered links are normalised before they are deduplicated, scoped and stored, so
// /a?utm_source=x#top and /a are one page of the audit.
import { canonicalIp, isLoopbackName } from '../targets/url-safety';

// Tracking and session parameters: they change per visitor or campaign, never which page is served.
const DROPPED_PARAMS = new Set([
  'gclid',
  'fbclid',
  'msclkid',
  'dclid',
  'mc_cid',
  'mc_eid',
  '_ga',
  '_gl',
  'yclid',
  'ref_src',
  'jsessionid',
  'phpsessid',
  'sid',
  'sessionid',
]);
const DROPPED_PREFIXES = ['utm_', 'aspsessionid'];

// Servlet-style session ids carried as a path parameter: /shop;jsessionid=ABC123/cart.
const SESSION_PATH_PARAM = /;(?:jsessionid|phpsessid|sessionid|sid)=[^/;?#]*/gi;

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function isDroppedParam(name: string): boolean {
  const lower = name.toLowerCase();
  return DROPPED_PARAMS.has(lower) || DROPPED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

// RFC 3986 6.2.2: %41 and A are the same URL, so unreserved escapes are decoded and the others upper-cased. WHATWG
// serialisation leaves both alone, which would let one page enter the audit twice.
function normaliseEscapes(text: string): string {
  return text.replace(/%([0-9a-fA-F]{2})/g, (_escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

function decodedName(rawPair: string): string {
  const rawName = rawPair.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(rawName);
  } catch {
    return rawName;
  }
}

// The raw pairs are kept as written (URLSearchParams would re-encode them: %20 → +, / → %2F), only filtered and
// sorted by name; Array.prototype.sort is stable, so repeated names keep their order (?tag=b&tag=a differs from ?tag=a&tag=b).
function normaliseQuery(search: string): string {
  const pairs = search
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => ({ pair: normaliseEscapes(pair), name: decodedName(pair) }))
    .filter(({ name }) => !isDroppedParam(name));
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return pairs.length === 0 ? '' : `?${pairs.map(({ pair }) => pair).join('&')}`;
}

/**
 * The audit's spelling of a link: resolved against `base`, http(s) only (else null), no fragment, lowercase scheme
 * and host, no default port, no tracking or session parameters, the rest sorted by name, an empty path as '/'.
 * The trailing slash is kept as written: servers may serve /a and /a/ differently, so they are not merged.
 */
export function normaliseUrl(raw: string, base?: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // WHATWG parsing already lowercases scheme and host, drops the default port and turns an empty path into '/'.
  url.hash = '';
  url.pathname = normaliseEscapes(url.pathname.replace(SESSION_PATH_PARAM, ''));
  url.search = normaliseQuery(url.search);
  return url.href;
}

// Host with its port (http://127.0.0.1:8080 and :8081 are different sites), without a trailing root dot.
function hostKey(url: URL): string {
  const name = url.hostname.toLowerCase().replace(/\.$/, '');
  return url.port === '' ? name : `${name}:${url.port}`;
}

/**
 * The hosts (with port, when not the default) that count as the audited site: the start URL's host and its www.
 * twin (example.com ↔ www.example.com). IP literals and localhost names have no twin.
 */
export function siteHostsOf(startUrl: string): string[] {
  const url = new URL(startUrl);
  const host = hostKey(url);
  const name = url.hostname.toLowerCase().replace(/\.$/, '');
  if (canonicalIp(name) !== null || isLoopbackName(name) || !name.includes('.')) return [host];
  const port = url.port === '' ? '' : `:${url.port}`;
  const twin = name.startsWith('www.') ? name.slice(4) : `www.${name}`;
  return [host, `${twin}${port}`];
}

/** True if `url` is on one of `siteHosts` (from siteHostsOf); the scheme does not matter, the port does. */
export function isOnSite(url: string, siteHosts: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return siteHosts.includes(hostKey(parsed));
}
