import type { Request } from 'express';
import { cookiesOf, sameToken } from './session';

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
});
