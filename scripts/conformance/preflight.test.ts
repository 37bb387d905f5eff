import { createServer, type AddressInfo } from 'node:net';
import { assertInfrastructure, infrastructureMessage, postgresEndpoint, reachable, temporalEndpoint } from './preflight';
import { InfrastructureError } from './errors';

describe('endpoints', () => {
  it('splits TEMPORAL_ADDRESS, IPv6 included', () => {
    expect(temporalEndpoint('127.0.0.1:7299')).toEqual({ host: '127.0.0.1', port: 7299 });
    expect(temporalEndpoint('[::1]:7233')).toEqual({ host: '::1', port: 7233 });
  });

  it('takes host and port from DATABASE_URL, 5432 by default', () => {
    expect(postgresEndpoint('postgresql://wcag:secret@db.internal/wcag')).toEqual({ host: 'db.internal', port: 5432 });
    expect(postgresEndpoint('postgresql://u:p@127.0.0.1:6543/x')).toEqual({ host: '127.0.0.1', port: 6543 });
  });
});

describe('infrastructureMessage', () => {
  it('is one line naming what is down and what to start', () => {
    const both = infrastructureMessage({ temporal: '127.0.0.1:7233', postgres: '127.0.0.1:5432' })!;
    expect(both).toMatch(
      /^Temporal \(127\.0\.0\.1:7233\) and Postgres \(127\.0\.0\.1:5432\) are not reachable: start them with `npm start`/,
    );
    expect(infrastructureMessage({ temporal: 'h:1' })).toMatch(/^Temporal is not reachable at h:1: start it with `npm start`/);
    expect(infrastructureMessage({ postgres: 'h:2' })).toMatch(/^Postgres is not reachable at h:2: .*npm run setup/);
    for (const m of [both, infrastructureMessage({ temporal: 'h:1' })!]) expect(m).not.toContain('\n');
    expect(infrastructureMessage({})).toBeNull();
  });
});

describe('reachable and assertInfrastructure', () => {
  it('sees an open port as reachable and a closed one as not, and names the one that is down', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const open = (server.address() as AddressInfo).port;
    const closedServer = createServer();
    await new Promise<void>((r) => closedServer.listen(0, '127.0.0.1', r));
    const closed = (closedServer.address() as AddressInfo).port;
    await new Promise((r) => closedServer.close(r));
    try {
      expect(await reachable('127.0.0.1', open)).toBe(true);
      expect(await reachable('127.0.0.1', closed)).toBe(false);
      await expect(
        assertInfrastructure({ TEMPORAL_ADDRESS: `127.0.0.1:${open}`, DATABASE_URL: `postgresql://u:p@127.0.0.1:${open}/db` }),
      ).resolves.toBeUndefined();
      const down = assertInfrastructure({ TEMPORAL_ADDRESS: `127.0.0.1:${closed}`, DATABASE_URL: `postgresql://u:p@127.0.0.1:${open}/db` });
      await expect(down).rejects.toThrow(InfrastructureError);
      await expect(down).rejects.toThrow(`Temporal is not reachable at 127.0.0.1:${closed}`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
