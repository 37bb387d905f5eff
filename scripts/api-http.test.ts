import { normaliseApiUrl, requestJson } from './api-http';

describe('normaliseApiUrl', () => {
  it('drops trailing slashes', () => {
    expect(normaliseApiUrl('http://127.0.0.1:3001/')).toEqual({ ok: true, url: 'http://127.0.0.1:3001' });
    expect(normaliseApiUrl('https://api.example/base//')).toEqual({ ok: true, url: 'https://api.example/base' });
  });

  it('says why a value is not an API URL', () => {
    expect(normaliseApiUrl('not a url')).toEqual({ ok: false, reason: 'not a URL' });
    expect(normaliseApiUrl('ftp://x')).toEqual({ ok: false, reason: 'not http(s)' });
  });
});

describe('requestJson', () => {
  const answer = (status: number, text: string) => jest.fn(async (..._args: Parameters<typeof fetch>) => new Response(text, { status }));

  it('sends the key and a JSON body, and parses the JSON answer', async () => {
    const fetchFn = answer(202, '{"scanId":"s-1"}');
    expect(await requestJson('http://h', 'POST', '/api/scans', { key: 'k', body: { url: 'x' }, fetchFn })).toEqual({
      status: 202,
      body: { scanId: 's-1' },
    });
    const [url, init] = fetchFn.mock.calls[0];
    expect(url).toBe('http://h/api/scans');
    expect(init?.method).toBe('POST');
    expect(init?.headers).toMatchObject({ Authorization: 'Bearer k', 'Content-Type': 'application/json' });
    expect(init?.body).toBe('{"url":"x"}');
  });

  it('sends no Authorization header without a key, and no body for a GET', async () => {
    const fetchFn = answer(200, '{}');
    await requestJson('http://h', 'GET', '/readyz', { fetchFn });
    const init = fetchFn.mock.calls[0][1];
    expect(init?.headers).not.toHaveProperty('Authorization');
    expect(init?.body).toBeUndefined();
  });

  it('gives an undefined body for an empty or non-JSON answer', async () => {
    expect(await requestJson('http://h', 'GET', '/x', { fetchFn: answer(502, '<html>bad gateway</html>') })).toEqual({
      status: 502,
      body: undefined,
    });
    expect(await requestJson('http://h', 'GET', '/x', { fetchFn: answer(200, '') })).toEqual({ status: 200, body: undefined });
  });

  it('throws what fetch throws', async () => {
    const fetchFn = jest.fn(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(requestJson('http://h', 'GET', '/x', { fetchFn })).rejects.toThrow('fetch failed');
  });
});
