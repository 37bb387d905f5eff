import { Client, Connection } from '@temporalio/client';
import { toClientOptions } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Env } from './env';

type TemporalEnv = Pick<Env, 'TEMPORAL_NAMESPACE' | 'temporalProfile'>;

/** Options both connections share: what Connection (client) and NativeConnection (worker) both accept. */
export type TemporalConnectionOptions = Pick<NativeConnectionOptions, 'address' | 'apiKey' | 'tls' | 'metadata'>;

/**
 * The connection options for the client (API, scripts) and the worker alike, from envconfig's resolved profile:
 * plain gRPC for the local dev server; TLS with an API key (Temporal Cloud refuses one in clear text), a client
 * certificate, a private CA or a server name. Certificate files are read here, so a bad path fails at startup.
 */
export function temporalConnectionOptions(env: TemporalEnv): TemporalConnectionOptions {
  let options: NativeConnectionOptions;
  try {
    ({ connectionOptions: options } = toClientOptions(env.temporalProfile));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code && 'path' in e ? `cannot read ${String(e.path)} (${e.code})` : e.message;
    throw new Error(`Invalid configuration:\n  TEMPORAL_TLS_*: ${reason}`);
  }
  const tls = options.tls && typeof options.tls === 'object' ? withoutUndefined(options.tls) : options.tls;
  return withoutUndefined({
    address: options.address,
    apiKey: options.apiKey,
    // An empty TLS object (TEMPORAL_TLS=true alone) means "TLS with the system roots".
    tls: tls && typeof tls === 'object' && Object.keys(tls).length === 0 ? true : tls,
    metadata: options.metadata,
  });
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Client for starting, querying and cancelling workflows (API side). */
export async function connectClient(env: TemporalEnv): Promise<Client> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(env), connectTimeout: '5s' });
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}

/** Native connection for workers. */
export function connectNative(env: TemporalEnv): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(env));
}
