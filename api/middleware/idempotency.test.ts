import { canonicalJson, requestHash } from './idempotency';

const req = (over: Partial<Parameters<typeof requestHash>[0]> = {}) => ({
  method: 'POST',
  baseUrl: '/api/scans',
  path: '/',
  query: {},
  body: { url: 'https://a.example/', clientId: 'acme' },
  ...over,
});

describe('canonicalJson', () => {
  it('sorts object keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined members as JSON does, and reads a missing body as null', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('encodes strings (a CSV body) as JSON strings', () => {
    expect(canonicalJson('url\n"a,b"')).toBe('"url\\n\\"a,b\\""');
  });
});

describe('requestHash', () => {
  it('is the same for the same fields in another order', () => {
    expect(requestHash(req({ body: { clientId: 'acme', url: 'https://a.example/' } }))).toBe(requestHash(req()));
  });

  it.each([
    ['the body', { body: { url: 'https://b.example/', clientId: 'acme' } }],
    ['the path', { baseUrl: '/api/prospects' }],
    ['the method', { method: 'PUT' }],
    ['the query', { query: { onDuplicate: 'update' } }],
  ])('differs when %s differs', (_what, over) => {
    expect(requestHash(req(over))).not.toBe(requestHash(req()));
  });
});
