// Temporal connection settings the standard way: a TOML profile (envconfig), TEMPORAL_* variables overriding it, the
// deprecated aliases, and startup errors that name what is wrong. Everything goes through loadEnv, as at startup.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from './env';

const dir = mkdtempSync(join(tmpdir(), 'temporal-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const errorOf = (source: NodeJS.ProcessEnv): string => {
  try {
    loadEnv(source);
  } catch (err) {
    return (err as Error).message;
  }
  return '(loadEnv did not throw)';
};

const TOML = file(
  'temporal.toml',
  `
[profile.default]
address = "default.example:7233"
namespace = "from-default"

[profile.cloud]
address = "eu-west-1.aws.api.temporal.io:7233"
namespace = "wcag.a1b2c"
api_key = "profile-key"

[profile.mtls]
address = "cluster.internal:7233"
namespace = "scans"
[profile.mtls.tls]
client_cert_path = "/etc/temporal/client.pem"
client_key_path = "/etc/temporal/client.key"
server_name = "frontend.cluster.internal"
`,
);

describe('Temporal settings (envconfig)', () => {
  it('defaults to the local dev server without a file or variables', () => {
    const env = loadEnv({});
    expect(env.TEMPORAL_ADDRESS).toBe('127.0.0.1:7233');
    expect(env.TEMPORAL_NAMESPACE).toBe('default');
    expect(env.temporalProfile).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(env.configWarnings).toEqual([]);
  });

  it('reads the "default" profile of TEMPORAL_CONFIG_FILE, and the one TEMPORAL_PROFILE names', () => {
    expect(loadEnv({ TEMPORAL_CONFIG_FILE: TOML })).toMatchObject({
      TEMPORAL_ADDRESS: 'default.example:7233',
      TEMPORAL_NAMESPACE: 'from-default',
    });
    const cloud = loadEnv({ TEMPORAL_CONFIG_FILE: TOML, TEMPORAL_PROFILE: 'cloud' });
    expect(cloud.TEMPORAL_ADDRESS).toBe('eu-west-1.aws.api.temporal.io:7233');
    expect(cloud.TEMPORAL_NAMESPACE).toBe('wcag.a1b2c');
    expect(cloud.temporalProfile.apiKey).toBe('profile-key');
    const mtls = loadEnv({ TEMPORAL_CONFIG_FILE: TOML, TEMPORAL_PROFILE: 'mtls' }).temporalProfile;
    expect(mtls.tls).toEqual({
      clientCert: { path: '/etc/temporal/client.pem' },
      clientKey: { path: '/etc/temporal/client.key' },
      serverName: 'frontend.cluster.internal',
    });
  });

  it('reads the default file under XDG_CONFIG_HOME (~/.config/temporalio/temporal.toml) when none is named', () => {
    const home = mkdtempSync(join(tmpdir(), 'temporal-home-'));
    const { mkdirSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    mkdirSync(join(home, 'temporalio'));
    writeFileSync(join(home, 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "xdg.example:7233"\n');
    expect(loadEnv({ XDG_CONFIG_HOME: home }).TEMPORAL_ADDRESS).toBe('xdg.example:7233');
  });

  it('lets each TEMPORAL_* variable override its field of the profile', () => {
    const env = loadEnv({
      TEMPORAL_CONFIG_FILE: TOML,
      TEMPORAL_PROFILE: 'mtls',
      TEMPORAL_NAMESPACE: 'override-ns',
      TEMPORAL_TLS_SERVER_NAME: 'other.name',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/run/secrets/client.key',
    });
    expect(env.TEMPORAL_ADDRESS).toBe('cluster.internal:7233');
    expect(env.TEMPORAL_NAMESPACE).toBe('override-ns');
    expect(env.temporalProfile.tls).toEqual({
      clientCert: { path: '/etc/temporal/client.pem' },
      clientKey: { path: '/run/secrets/client.key' },
      serverName: 'other.name',
    });
    expect(loadEnv({ TEMPORAL_CONFIG_FILE: TOML, TEMPORAL_PROFILE: 'cloud', TEMPORAL_API_KEY: 'env-key' }).temporalProfile.apiKey).toBe(
      'env-key',
    );
  });

  it('accepts the old names as aliases with a deprecation warning, the standard name winning', () => {
    const env = loadEnv({ TEMPORAL_TLS_CERT: '/old/cert.pem', TEMPORAL_TLS_KEY: '/old/key.pem', TEMPORAL_TLS_CA: '/old/ca.pem' });
    expect(env.temporalProfile.tls).toEqual({
      clientCert: { path: '/old/cert.pem' },
      clientKey: { path: '/old/key.pem' },
      serverCACert: { path: '/old/ca.pem' },
    });
    expect(env.configWarnings).toEqual([
      expect.stringMatching(/^TEMPORAL_TLS_CERT is deprecated .* rename it to TEMPORAL_TLS_CLIENT_CERT_PATH$/),
      expect.stringMatching(/^TEMPORAL_TLS_KEY is deprecated .* rename it to TEMPORAL_TLS_CLIENT_KEY_PATH$/),
      expect.stringMatching(/^TEMPORAL_TLS_CA is deprecated .* rename it to TEMPORAL_TLS_SERVER_CA_CERT_PATH$/),
    ]);
    const both = loadEnv({ TEMPORAL_TLS_CA: '/old/ca.pem', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/new/ca.pem' });
    expect(both.temporalProfile.tls?.serverCACert).toEqual({ path: '/new/ca.pem' });
    expect(both.configWarnings).toEqual([
      expect.stringMatching(/TEMPORAL_TLS_CA is deprecated and ignored because TEMPORAL_TLS_SERVER_CA_CERT_PATH is also set/),
    ]);
  });

  it('keeps the old .env default TEMPORAL_TLS=false from turning TLS off next to credentials, for this release', () => {
    const env = loadEnv({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' });
    expect(env.temporalProfile.tls).toBeUndefined();
    expect(env.configWarnings).toEqual([expect.stringMatching(/TEMPORAL_TLS=false next to an API key .* ignored for this release/)]);
    // Without credentials it means what the standard says.
    expect(loadEnv({ TEMPORAL_TLS: 'false' }).temporalProfile.tls).toEqual({ disabled: true });
  });

  it('stops at startup with the file, profile or variable named', () => {
    expect(errorOf({ TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') })).toMatch(/TEMPORAL_CONFIG_FILE: .*missing\.toml does not exist/);
    const broken = file('broken.toml', '[profile.default\naddress = "x"\n');
    expect(errorOf({ TEMPORAL_CONFIG_FILE: broken })).toMatch(/^Invalid configuration:\n  TEMPORAL_CONFIG_FILE: .*broken\.toml: .+/);
    expect(errorOf({ TEMPORAL_CONFIG_FILE: TOML, TEMPORAL_PROFILE: 'staging' })).toMatch(
      /TEMPORAL_CONFIG_FILE: .*temporal\.toml \(profile staging\): Profile 'staging' not found/,
    );
    expect(errorOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/c.pem' })).toMatch(/TEMPORAL_TLS_CLIENT_KEY_\*: give both/);
    expect(errorOf({ TEMPORAL_TLS: 'yes' })).toMatch(/TEMPORAL_TLS: /);
    expect(errorOf({ TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toMatch(
      /TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: not supported by the TypeScript SDK/,
    );
  });
});
