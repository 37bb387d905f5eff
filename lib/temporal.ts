import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Env } from './env';

type TemporalEnv = Pick<Env, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'> &
  Partial<Pick<Env, 'TEMPORAL_API_KEY' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS'>>;

/**
 * TLS and API-key settings for an existing cluster or Temporal Cloud; nothing for the local dev server.
 * An API key implies TLS (Temporal Cloud refuses it in clear text).
 */
export function temporalAuth(env: TemporalEnv): { tls?: TLSConfig | true; apiKey?: string } {
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    throw new Error(
      'Invalid configuration:\n  TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: give both (an mTLS client certificate needs its key) or neither',
    );
  }
  const read = (name: string, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`Invalid configuration:\n  ${name}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const tls: TLSConfig = {
    ...(env.TEMPORAL_TLS_CERT &&
      env.TEMPORAL_TLS_KEY && {
        clientCertPair: { crt: read('TEMPORAL_TLS_CERT', env.TEMPORAL_TLS_CERT), key: read('TEMPORAL_TLS_KEY', env.TEMPORAL_TLS_KEY) },
      }),
    ...(env.TEMPORAL_TLS_CA && { serverRootCACertificate: read('TEMPORAL_TLS_CA', env.TEMPORAL_TLS_CA) }),
  };
  const useTls = Boolean(env.TEMPORAL_TLS || env.TEMPORAL_API_KEY || Object.keys(tls).length);
  return {
    ...(useTls && { tls: Object.keys(tls).length ? tls : true }),
    ...(env.TEMPORAL_API_KEY && { apiKey: env.TEMPORAL_API_KEY }),
  };
}

/** Client for starting, querying and cancelling workflows (API side). */
export async function connectClient(env: TemporalEnv): Promise<Client> {
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, connectTimeout: '5s', ...temporalAuth(env) });
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}

/** Native connection for workers. */
export function connectNative(env: TemporalEnv): Promise<NativeConnection> {
  return NativeConnection.connect({ address: env.TEMPORAL_ADDRESS, ...temporalAuth(env) });
}
