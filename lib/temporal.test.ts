import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from './env';
import { temporalConnectionOptions } from './temporal';

const dir = mkdtempSync(join(tmpdir(), 'temporal-auth-'));
const pem = (name: string) => {
  const p = join(dir, name);
  writeFileSync(p, `-----BEGIN ${name}-----\n`);
  return p;
};
const optionsOf = (vars: Record<string, string>) => temporalConnectionOptions(loadEnv(vars));

describe('temporalConnectionOptions (client and worker alike)', () => {
  it('uses plain gRPC for the local dev server', () => {
    expect(optionsOf({})).toEqual({ address: '127.0.0.1:7233' });
    expect(optionsOf({ TEMPORAL_TLS: 'false' })).toEqual({ address: '127.0.0.1:7233', tls: false });
  });

  it('turns TLS on with an API key (Temporal Cloud)', () => {
    expect(optionsOf({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_API_KEY: 'k' })).toEqual({ address: 'x:7233', tls: true, apiKey: 'k' });
  });

  it('reads an mTLS pair and a private CA from files, with the server name', () => {
    const options = optionsOf({
      TEMPORAL_TLS_CLIENT_CERT_PATH: pem('CERT'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: pem('KEY'),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: pem('CA'),
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    expect(options.apiKey).toBeUndefined();
    const tls = options.tls as {
      clientCertPair: { crt: Uint8Array; key: Uint8Array };
      serverRootCACertificate: Uint8Array;
      serverNameOverride: string;
    };
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toContain('CERT');
    expect(Buffer.from(tls.clientCertPair.key).toString()).toContain('KEY');
    expect(Buffer.from(tls.serverRootCACertificate).toString()).toContain('CA');
    expect(tls.serverNameOverride).toBe('frontend.internal');
  });

  it('takes inline PEM data as well as paths, and the deprecated aliases as paths', () => {
    const inline = optionsOf({ TEMPORAL_TLS_CLIENT_CERT_DATA: 'CERT-DATA', TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY-DATA' }).tls as {
      clientCertPair: { crt: Uint8Array; key: Uint8Array };
    };
    expect(Buffer.from(inline.clientCertPair.crt).toString()).toBe('CERT-DATA');
    const aliased = optionsOf({ TEMPORAL_TLS_CERT: pem('OLDCERT'), TEMPORAL_TLS_KEY: pem('OLDKEY') }).tls as {
      clientCertPair: { crt: Uint8Array };
    };
    expect(Buffer.from(aliased.clientCertPair.crt).toString()).toContain('OLDCERT');
  });

  it('turns TLS on without credentials when asked', () => {
    expect(optionsOf({ TEMPORAL_TLS: 'true' })).toEqual({ address: '127.0.0.1:7233', tls: true });
  });

  it('passes gRPC metadata from TEMPORAL_GRPC_META_*', () => {
    expect(optionsOf({ TEMPORAL_GRPC_META_X_TENANT: 'acme' }).metadata).toEqual({ 'x-tenant': 'acme' });
  });

  it('refuses an unreadable certificate with a message naming the file', () => {
    expect(() => optionsOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: pem('CERT'), TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'missing.pem') })).toThrow(
      /TEMPORAL_TLS_\*: cannot read .*missing\.pem \(ENOENT\)/,
    );
  });
});
