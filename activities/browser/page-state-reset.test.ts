import { webOrigin } from './page-state-reset';

describe('webOrigin', () => {
  it('gives http(s) origins and nothing for documents without storage of their own', () => {
    expect(webOrigin('https://Example.com:8443/a?b#c')).toBe('https://example.com:8443');
    expect(webOrigin('http://127.0.0.1:3000/')).toBe('http://127.0.0.1:3000');
    for (const url of ['about:blank', 'about:srcdoc', 'data:text/html,x', 'chrome-error://chromewebdata/', ''])
      expect(webOrigin(url)).toBeNull();
  });
});
