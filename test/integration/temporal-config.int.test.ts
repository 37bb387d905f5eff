// The connection settings envconfig resolves reach a real server: a TOML profile alone (no TEMPORAL_ADDRESS) connects
// the client and the worker's native connection, through the one options builder both use (lib/temporal.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../../lib/env';
import { connectClient, connectNative } from '../../lib/temporal';

describe('Temporal connection from a TOML profile', () => {
  it('connects the client and the worker connection with only TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE set', async () => {
    const address = process.env.TEST_TEMPORAL_ADDRESS;
    if (!address) throw new Error('integration tests need the jest global setup');
    const file = join(mkdtempSync(join(tmpdir(), 'temporal-profile-')), 'temporal.toml');
    writeFileSync(file, `[profile.default]\naddress = "127.0.0.1:1"\n\n[profile.local]\naddress = "${address}"\nnamespace = "default"\n`);
    const env = loadEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'local' });
    expect(env.TEMPORAL_ADDRESS).toBe(address);

    const client = await connectClient(env);
    const native = await connectNative(env);
    try {
      const info = await client.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
      await expect(client.workflowService.describeNamespace({ namespace: env.TEMPORAL_NAMESPACE })).resolves.toBeTruthy();
    } finally {
      await native.close();
      await client.connection.close();
    }
  });
});
