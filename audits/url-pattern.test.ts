import { urlPattern } from './url-pattern';

describe('urlPattern', () => {
  it.each([
    ['/', '/'],
    ['/about', '/about'],
    ['/about/', '/about'],
    ['/12345', '/:id'],
    ['/blog/my-post', '/blog/*'],
    ['/blog/other-post/', '/blog/*'],
    ['/products/12/reviews', '/products/:id/*'],
    ['/products/12', '/products/*'],
    ['/users/3f2504e0-4f89-11d3-9a0c-0305e82c3301/profile', '/users/:id/*'],
    ['/commits/9fceb02d0ae598e95dc970b74767f19372d61af8/files', '/commits/:id/*'],
    ['/archive/2026-11/list', '/archive/:id/*'],
    ['/archive/2026-11-05/list', '/archive/:id/*'],
    ['/archive/2026/11/05', '/archive/:id/:id/*'],
    ['/facade/cafe/x', '/facade/cafe/*'],
    ['https://example.com/a/b?z=1&y=2', '/a/*?y&z'],
  ])('%s → %s', (url, pattern) => {
    expect(urlPattern(url)).toBe(pattern);
  });

  it('keeps one-segment pages apart', () => {
    expect(urlPattern('/about')).not.toBe(urlPattern('/contact'));
  });

  it('makes an endless calendar one pattern', () => {
    const months = ['2026-11', '2026-12', '2027-01', '2099-12'].map((m) => urlPattern(`https://e.com/calendar?month=${m}`));
    expect(new Set(months)).toEqual(new Set(['/calendar?month']));
    const paths = ['2026/11', '2026/12', '2031/04'].map((m) => urlPattern(`https://e.com/events/${m}`));
    expect(new Set(paths)).toEqual(new Set(['/events/:id/*']));
  });

  it('makes facet permutations one pattern per set of facet names', () => {
    const facets = ['/shop?color=red&size=m', '/shop?size=m&color=red', '/shop?color=blue&size=xl', '/shop?size=s&color=green&size=m'].map(
      urlPattern,
    );
    expect(new Set(facets)).toEqual(new Set(['/shop?color&size']));
    expect(urlPattern('/shop?color=red')).toBe('/shop?color');
  });

  it('makes an ever-growing query string one pattern', () => {
    let query = 'page=1';
    const patterns = new Set<string>();
    for (let i = 0; i < 20; i++) {
      patterns.add(urlPattern(`/list?${query}`));
      query += `&page=${i}`;
    }
    expect(patterns).toEqual(new Set(['/list?page']));
  });

  it('drops the values and the host', () => {
    expect(urlPattern('https://a.example/search?q=x')).toBe(urlPattern('http://b.example/search?q=y'));
  });
});
