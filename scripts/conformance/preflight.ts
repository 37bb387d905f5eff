// Before starting anything in-process: are Temporal and Postgres there? One line says what to start when not.
import { createConnection } from 'node:net';
import type { Env } from '../../lib/env';
import { InfrastructureError } from './errors';

const CONNECT_TIMEOUT_MS = 1_500;

/** Whether a TCP connection to host:port opens within a second and a half. */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host, port, timeout: CONNECT_TIMEOUT_MS });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

/** host and port of `TEMPORAL_ADDRESS` (host:port, IPv6 in brackets). */
export function temporalEndpoint(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return m ? { host: m[1], port: Number(m[2]) } : { host: address, port: 7233 };
}

/** host and port of `DATABASE_URL`, without the credentials. */
export function postgresEndpoint(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 5432) };
}

/** The one line printed when something is down; null when both are up. */
export function infrastructureMessage(down: { temporal?: string; postgres?: string }): string | null {
  const { temporal, postgres } = down;
  if (temporal && postgres) {
    return `Temporal (${temporal}) and Postgres (${postgres}) are not reachable: start them with \`npm start\` (on a fresh machine \`npm run setup\` first)`;
  }
  if (temporal) return `Temporal is not reachable at ${temporal}: start it with \`npm start\`, or set TEMPORAL_ADDRESS to a running server`;
  if (postgres) return `Postgres is not reachable at ${postgres}: start it with \`npm start\` (on a fresh machine \`npm run setup\` first)`;
  return null;
}

/** Throws InfrastructureError naming what to start when Temporal or Postgres does not accept connections. */
export async function assertInfrastructure(env: Pick<Env, 'TEMPORAL_ADDRESS' | 'DATABASE_URL'>): Promise<void> {
  const t = temporalEndpoint(env.TEMPORAL_ADDRESS);
  const p = postgresEndpoint(env.DATABASE_URL);
  const [temporalUp, postgresUp] = await Promise.all([reachable(t.host, t.port), reachable(p.host, p.port)]);
  const message = infrastructureMessage({
    temporal: temporalUp ? undefined : env.TEMPORAL_ADDRESS,
    postgres: postgresUp ? undefined : `${p.host}:${p.port}`,
  });
  if (message) throw new InfrastructureError(message);
}
