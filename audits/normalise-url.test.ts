import { isOnSite, normaliseUrl, siteHostsOf } from './normalise-url';

describe('normaliseUrl', () => {
  it.each([
    ['resolves a relative link against the page', '../b?x=1', 'https://example.com/a/c/page', 'https://example.com/a/b?x=1'],
    ['drops the fragment', 'https://example.com/a#top', undefined, 'https://example.com/a'],
    ['lowercases scheme and host', 'HTTPS://Example.COM/Path', undefined, 'https://example.com/Path'],
    ['drops the default port', 'http://example.com:80/a', undefined, 'http://example.com/a'],
    ['drops the default https port', 'https://example.com:443/a', undefined, 'https://example.com/a'],
    ['keeps another port', 'http://example.com:8080/a', undefined, 'http://example.com:8080/a'],
    ['turns an empty path into /', 'https://example.com', undefined, 'https://example.com/'],
    ['keeps a trailing slash', 'https://example.com/a/', undefined, 'https://example.com/a/'],
    ['keeps no trailing slash', 'https://example.com/a', undefined, 'https://example.com/a'],
    [
      'drops utm_* and click ids',
      'https://example.com/a?utm_source=x&UTM_Medium=y&gclid=1&fbclid=2&msclkid=3&dclid=4&yclid=5&id=7',
      undefined,
      'https://example.com/a?id=7',
    ],
    ['drops mailchimp and analytics parameters', '/a?mc_cid=1&mc_eid=2&_ga=3&_gl=4&ref_src=5', 'https://e.com/', 'https://e.com/a'],
    ['drops session ids', '/a?jsessionid=1&PHPSESSID=2&sid=3&sessionid=4&ASPSESSIONIDQQ=5&q=ok', 'https://e.com/', 'https://e.com/a?q=ok'],
    ['drops a ;jsessionid path parameter', '/shop;jsessionid=ABC123/cart?x=1', 'https://e.com/', 'https://e.com/shop/cart?x=1'],
    ['drops a ;jsessionid at the end of the path', '/shop;JSESSIONID=ABC', 'https://e.com/', 'https://e.com/shop'],
    ['sorts the parameters by name', '/s?b=2&a=1&c=3', 'https://e.com/', 'https://e.com/s?a=1&b=2&c=3'],
    ['keeps the order of repeated names', '/s?tag=z&a=1&tag=b', 'https://e.com/', 'https://e.com/s?a=1&tag=z&tag=b'],
    ['drops an emptied query entirely', '/a?utm_source=x', 'https://e.com/', 'https://e.com/a'],
    ['drops empty pairs', '/a?&x=1&&', 'https://e.com/', 'https://e.com/a?x=1'],
    ['decodes unreserved escapes in the path', '/%7Euser/%41b%2d', 'https://e.com/', 'https://e.com/~user/Ab-'],
    ['upper-cases the other escapes', '/a%2fb?q=%c3%a9', 'https://e.com/', 'https://e.com/a%2Fb?q=%C3%A9'],
    ['encodes what WHATWG encodes', '/a b?q=é', 'https://e.com/', 'https://e.com/a%20b?q=%C3%A9'],
    ['keeps + and %20 in the query as written', '/s?q=a+b&r=a%20b', 'https://e.com/', 'https://e.com/s?q=a+b&r=a%20b'],
  ])('%s', (_name, raw, base, expected) => {
    expect(normaliseUrl(raw, base)).toBe(expected);
  });

  it('gives the same spelling for equivalent links', () => {
    const spellings = [
      'https://Example.com:443/a?b=2&a=1#x',
      'https://example.com/a?a=1&utm_campaign=c&b=2',
      'https://example.com/%61?a=1&b=2&fbclid=z',
    ];
    expect(new Set(spellings.map((s) => normaliseUrl(s)))).toEqual(new Set(['https://example.com/a?a=1&b=2']));
  });

  it.each(['mailto:a@example.com', 'javascript:alert(1)', 'ftp://example.com/f', 'tel:+123', 'data:text/html,hi', 'http://'])(
    'refuses %s',
    (raw) => {
      expect(normaliseUrl(raw, 'https://example.com/')).toBeNull();
    },
  );

  it('refuses a relative link without a base', () => {
    expect(normaliseUrl('/a')).toBeNull();
  });
});

describe('siteHostsOf', () => {
  it.each([
    ['https://example.com/', ['example.com', 'www.example.com']],
    ['https://www.example.com/x', ['www.example.com', 'example.com']],
    ['http://Example.com:8080/', ['example.com:8080', 'www.example.com:8080']],
    ['http://127.0.0.1:4000/', ['127.0.0.1:4000']],
    ['http://[::1]:4000/', ['[::1]:4000']],
    ['http://localhost:3000/', ['localhost:3000']],
    ['http://intranet/', ['intranet']],
  ])('%s → %j', (start, hosts) => {
    expect(siteHostsOf(start)).toEqual(hosts);
  });
});

describe('isOnSite', () => {
  const hosts = siteHostsOf('https://example.com/');
  it.each([
    ['https://example.com/a', true],
    ['http://www.example.com/b', true],
    ['https://EXAMPLE.com./c', true],
    ['https://shop.example.com/', false],
    ['https://example.com:8443/', false],
    ['https://example.org/', false],
    ['not a url', false],
  ])('%s → %s', (url, expected) => {
    expect(isOnSite(url, hosts)).toBe(expected);
  });

  it('tells ports of one address apart', () => {
    expect(isOnSite('http://127.0.0.1:4001/', siteHostsOf('http://127.0.0.1:4000/'))).toBe(false);
  });
});
