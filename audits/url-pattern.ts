// A URL's template key: the per-pattern crawl-trap cap counts pages by it, and sampling picks N pages of each.
// Path-only: an audit is one site, so the host adds nothing.

const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Hex ids (commit hashes, Mongo ids) are long and mix digits and letters; "deadbeef" or "facade" are words.
const HEX_ID = /^(?=.*\d)(?=.*[a-f])[0-9a-f]{8,}$/i;
const DATE_LIKE = /^\d{4}-\d{1,2}(?:-\d{1,2})?$/;

function isIdSegment(segment: string): boolean {
  return NUMERIC.test(segment) || UUID.test(segment) || HEX_ID.test(segment) || DATE_LIKE.test(segment);
}

/**
 * The template key of `url` (absolute, or a path): id-like segments (numbers, uuids, hex ids, dates) become `:id`;
 * with two or more segments the last becomes `*` (/blog/a-post → /blog/*, /products/12/reviews → /products/:id/*);
 * a one-segment path stays literal (/about and /contact are different pages); the query adds its parameter names,
 * sorted and without values (/calendar?month=2026-11 → /calendar?month), so an endless calendar is one pattern.
 */
export function urlPattern(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://pattern.invalid');
  } catch {
    return url;
  }
  // A trailing slash does not make another template: /blog/ and /blog share one key.
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
  const keyed = segments.map((segment, i) => {
    if (segments.length >= 2 && i === segments.length - 1) return '*';
    return isIdSegment(segment) ? ':id' : segment;
  });
  const names = [...new Set([...parsed.searchParams.keys()].filter((name) => name !== ''))].sort();
  const query = names.length === 0 ? '' : `?${names.join('&')}`;
  return `/${keyed.join('/')}${query}`;
}
