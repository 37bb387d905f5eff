import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporalAuth } from './temporal';

const base = { TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_NAMESPACE: 'default' };
const dir = mkdtempSync(join(tmpdir(), 'temporal-auth-'));
const pem = (name: string) => {
  const p = join(dir, name);
  writeFileSync(p, `-----BEGIN ${name}-----\n`);
  return p;
};

describe('temporalAuth', () => {
  it('uses plain gRPC for the local dev server', () => {
    expect(temporalAuth(base)).toEqual({});
    expect(temporalAuth({ ...base, TEMPORAL_TLS: false })).toEqual({});
  });

  it('turns TLS on with an API key (Temporal Cloud)', () => {
    expect(temporalAuth({ ...base, TEMPORAL_API_KEY: 'k' })).toEqual({ tls: true, apiKey: 'k' });
  });

  it('reads an mTLS pair and a private CA from files', () => {
    const auth = temporalAuth({ ...base, TEMPORAL_TLS_CERT: pem('CERT'), TEMPORAL_TLS_KEY: pem('KEY'), TEMPORAL_TLS_CA: pem('CA') });
    expect(auth.apiKey).toBeUndefined();
    const tls = auth.tls as { clientCertPair: { crt: Buffer; key: Buffer }; serverRootCACertificate: Buffer };
    expect(tls.clientCertPair.crt.toString()).toContain('CERT');
    expect(tls.clientCertPair.key.toString()).toContain('KEY');
    expect(tls.serverRootCACertificate.toString()).toContain('CA');
  });

  it('turns TLS on without credentials when asked', () => {
    expect(temporalAuth({ ...base, TEMPORAL_TLS: true })).toEqual({ tls: true });
  });

  it('refuses half a certificate pair and unreadable files with a message naming the variable', () => {
    expect(() => temporalAuth({ ...base, TEMPORAL_TLS_CERT: pem('CERT') })).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: give both/);
    expect(() => temporalAuth({ ...base, TEMPORAL_TLS_CERT: pem('CERT'), TEMPORAL_TLS_KEY: join(dir, 'missing.pem') })).toThrow(
      /TEMPORAL_TLS_KEY: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });
});
