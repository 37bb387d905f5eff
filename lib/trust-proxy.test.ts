import { loadEnv } from './env';
import { parseTrustProxy, trustProxyProblem } from './trust-proxy';

describe('TRUST_PROXY', () => {
  it('defaults to loopback and splits a list', () => {
    expect(loadEnv({}).TRUST_PROXY).toBe('loopback');
    expect(parseTrustProxy(' loopback, 10.0.0.0/8 ,fd00::/8,192.0.2.1 ')).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.1']);
  });

  it.each(['loopback', 'linklocal,uniquelocal', '10.0.0.0/8', '172.16.0.0/12, 127.0.0.1', '::1', 'fc00::/7', '0.0.0.0/0'])(
    'accepts %s',
    (v) => {
      expect(trustProxyProblem(v)).toBeNull();
      expect(loadEnv({ TRUST_PROXY: v }).TRUST_PROXY).toBe(v);
    },
  );

  it.each<[string, RegExp]>([
    ['true', /"true" is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal/],
    ['2', /"2" is not an IP address/],
    ['loopback,proxy.example', /"proxy.example" is not an IP address/],
    ['10.0.0.0/33', /"10.0.0.0\/33": the prefix length must be 0-32/],
    ['fd00::/129', /the prefix length must be 0-128/],
    ['10.0.0.0/', /the prefix length/],
    [' , ', /must name at least one/],
  ])('refuses %j at startup, naming the variable', (v, message) => {
    expect(() => loadEnv({ TRUST_PROXY: v })).toThrow(/TRUST_PROXY: /);
    expect(() => loadEnv({ TRUST_PROXY: v })).toThrow(message);
  });
});
