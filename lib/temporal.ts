import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Env } from './env';

type TemporalEnv = Pick<Env, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>;

/** Client for starting, querying and cancelling workflows (API side). */
export async function connectClient(env: TemporalEnv): Promise<Client> {
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, connectTimeout: '5s' });
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
}

/** Native connection for workers. */
export function connectNative(env: TemporalEnv): Promise<NativeConnection> {
  return NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
}
