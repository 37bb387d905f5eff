import type { Request } from 'express';
import { hashKey } from '../services/api-key.service';
import { cookiesOf, keyFingerprint, sameToken } from './session';

const req = (cookie?: string) => ({ get: (h: string) => (h.toLowerCase() === 'cookie' ? cookie : undefined) }) as unknown as Request;

describe('session helpers', () => {
  it('reads cookies, tolerating foreign ones that are not URI-encoded', () => {
    expect(cookiesOf(req('a=1; wcag_session=abc%2Bdef; bad=%E0%A4%A; =x'))).toMatchObject({ a: '1', wcag_session: 'abc+def' });
    expect(cookiesOf(req())).toEqual({});
  });

  it('compares CSRF tokens exactly and refuses missing ones', () => {
    expect(sameToken('tok', 'tok')).toBe(true);
    expect(sameToken('tok', 'tok2')).toBe(false);
    expect(sameToken(undefined, 'tok')).toBe(false);
    expect(sameToken('', '')).toBe(false);
  });

  it('fingerprints a client key as its api_keys.key_hash and the admin key with scrypt (not a plain hash)', () => {
    const client = { kind: 'client' as const, clientId: 'acme', keyId: '00000000-0000-0000-0000-000000000000' };
    expect(keyFingerprint(client, 'wcag_abc')).toBe(hashKey('wcag_abc'));
    const admin = keyFingerprint({ kind: 'admin' }, 'admin-key-0123456789abcdef');
    expect(admin).toMatch(/^[0-9a-f]{64}$/);
    expect(admin).not.toBe(hashKey('admin-key-0123456789abcdef'));
    expect(keyFingerprint({ kind: 'admin' }, 'admin-key-0123456789abcdef')).toBe(admin);
    expect(keyFingerprint({ kind: 'admin' }, 'admin-key-0123456789abcdeF')).not.toBe(admin);
  });
});
