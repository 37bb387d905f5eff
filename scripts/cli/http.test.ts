import { CliError, createApi, describeHttpError } from './http';

const answer = (status: number, body: unknown) => async () =>
  new Response(body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body), { status });

describe('createApi', () => {
  it('sends the bearer key and returns the parsed body', async () => {
    const seen: RequestInit[] = [];
    const api = createApi('http://h', 'k', async (_url, init) => {
      seen.push(init ?? {});
      return new Response('{"ok":true}', { status: 200 });
    });
    await expect(api.get('/x')).resolves.toEqual({ status: 200, body: { ok: true } });
    expect((seen[0].headers as Record<string, string>).Authorization).toBe('Bearer k');
  });

  it('turns a refused connection into one line naming the URL', async () => {
    const api = createApi('http://127.0.0.1:9', 'k', async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    });
    await expect(api.get('/x')).rejects.toThrow('cannot reach the API at http://127.0.0.1:9 (connection refused); is it running?');
  });

  it('explains 401, 403 and a missing key', async () => {
    await expect(
      createApi('http://h', 'bad', answer(401, { error: 'unauthorized', message: 'invalid API key' })).get('/x'),
    ).rejects.toThrow('the API refused the key (401: invalid API key); set WCAG_API_KEY, or ADMIN_API_KEY in .env');
    await expect(createApi('http://h', 'client', answer(403, { message: 'admin only' })).get('/x')).rejects.toThrow(
      /403: admin only.*admin key/,
    );
    await expect(createApi('http://h', undefined, answer(401, {})).get('/x')).rejects.toThrow(/^no API key/);
  });

  it('passes allowed error statuses through and rejects answers that are not JSON', async () => {
    await expect(createApi('http://h', 'k', answer(503, { status: 'critical' })).get('/x', { allow: [503] })).resolves.toEqual({
      status: 503,
      body: { status: 'critical' },
    });
    const err = await createApi('http://h', 'k', answer(200, '<html>'))
      .get('/x')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toMatch(/without JSON; is http:\/\/h really the WCAG API\?/);
  });

  it('quotes the API message for other errors', () => {
    expect(
      describeHttpError('POST', '/api/scans', 400, { error: 'validation', message: 'url: only http and https URLs can be scanned' }),
    ).toBe('POST /api/scans answered 400: url: only http and https URLs can be scanned');
    expect(describeHttpError('GET', '/x', 502, undefined)).toBe('GET /x answered 502');
  });
});
