// A real in-process stack for integration tests: API app + workers + browser pool, against the shared
// Temporal dev server and test database, on task queues of its own.
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker, type WorkflowBundle } from '@temporalio/worker';
import pino from 'pino';
import { createApp, type AppDeps } from '../../api/app';
import type { BrowserPool } from '../../activities/browser/browser-pool';
import { loadEnv, type Env } from '../../lib/env';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { urlPolicyFrom } from '../../targets/url-policy';
import { connectClient, connectNative } from '../../lib/temporal';
import { createBrowserPool, createWorkers } from '../../workers/create-workers';
import { taskQueues, type TaskQueues } from '../../core/contracts';
import { withContractCheck } from './contract-recorder';
import { useResource } from './hooks';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

// Worker state changes at INFO would bury test output; the Runtime can be installed once per process.
try {
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_TEMPORAL_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR') });
} catch {
  // already installed by an earlier test file in this process
}

let bundle: Promise<WorkflowBundle> | undefined;
/** One workflow bundle per test file: bundling takes seconds. */
export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietBundlerLogger });
  return bundle;
}
const noop = () => undefined;
const quietBundlerLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

export function testEnv(overrides: Record<string, string> = {}): Env {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  const db = process.env.TEST_DATABASE_URL;
  if (!address || !db) throw new Error('integration tests need the jest global setup (run them with `npm test`)');
  return loadEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TEMPORAL_ADDRESS: address,
    DATABASE_URL: db,
    DATABASE_POOL_SIZE: '5',
    ADMIN_API_KEY: ADMIN_KEY,
    CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    SCAN_ALLOW_PRIVATE_TARGETS: 'true',
    SCAN_RETRY_INITIAL_INTERVAL: '200',
    // Suites submit far more than 10 scans an hour and hammer 127.0.0.1 with hostile pages: the safety limits and
    // the host breaker stay out of their way. test/integration/safety.int.test.ts turns them on.
    MAX_SCANS_PER_HOUR: '1000000',
    API_RATE_LIMIT_PER_KEY: '0',
    API_RATE_LIMIT_PER_IP: '0',
    BREAKER_FAILURE_THRESHOLD: '1000000',
    ...overrides,
  });
}

export interface Stack {
  env: Env;
  app: Express;
  prisma: PrismaClient;
  client: Client;
  pool: BrowserPool | null;
  queues: TaskQueues;
  prefix: string;
  startBrowserWorker(): void;
  stop(): Promise<void>;
}

export interface StackOptions {
  env?: Record<string, string>;
  workers?: boolean;
  /** Create the browser worker but only start polling when `startBrowserWorker()` is called. */
  deferBrowserWorker?: boolean;
  bulkTuning?: AppDeps['bulkTuning'];
}

/** Starts the API app and (unless `workers: false`) the workers, on task queues unique to this stack. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env = testEnv(opts.env);
  const logger = pino({ level: env.LOG_LEVEL });
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const prisma = createPrisma(env);
  // The same connection module as the API and the worker (lib/temporal.ts), fed by envconfig through testEnv.
  const client = await connectClient(env);
  // Every response is checked against the OpenAPI document (contract-recorder.ts).
  const app = withContractCheck(
    createApp({
      env,
      adminKey: ADMIN_KEY,
      prisma,
      temporal: client,
      logger,
      urlPolicy: urlPolicyFrom(env),
      taskQueuePrefix: prefix,
      bulkTuning: opts.bulkTuning,
    }),
  );

  let pool: BrowserPool | null = null;
  let native: NativeConnection | null = null;
  let workers: Worker[] = [];
  let runs: Promise<void>[] = [];
  if (opts.workers !== false) {
    pool = createBrowserPool(env, logger);
    native = await connectNative(env);
    workers = await createWorkers({
      env,
      connection: native,
      prisma,
      pool,
      workflowBundle: await workflowBundle(),
      taskQueuePrefix: prefix,
    });
    // createWorkers returns [high, low, browser, control]; a created worker does nothing until it runs.
    runs = workers.filter((_, i) => !(opts.deferBrowserWorker && i === 2)).map((w) => w.run());
  }
  return {
    env,
    app,
    prisma,
    client,
    pool,
    queues: taskQueues(prefix),
    prefix,
    startBrowserWorker() {
      if (!opts.deferBrowserWorker || workers[2].getState() !== 'INITIALIZED') throw new Error('the browser worker is already running');
      runs.push(workers[2].run());
    },
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(runs);
      await pool?.close();
      await native?.close();
      await client.connection.close();
      await prisma.$disconnect();
    },
  };
}

/** A stack for the enclosing describe (or file): started before its tests, stopped after them. */
export function useStack(opts: StackOptions = {}): () => Stack {
  return useResource(
    'stack',
    () => startStack(opts),
    (stack) => stack.stop(),
  );
}

/** Polls until `fn` returns a value that is not undefined, or throws after `timeoutMs`. */
/**
 * A workflow's description once it has closed. Our rows are written by the workflow's last activity, just before
 * it closes, so Temporal's status follows a row's terminal status by a moment.
 */
export function closedDescription<D extends { status: { name: string } }>(
  handle: { describe(): Promise<D> },
  timeoutMs = 30_000,
): Promise<D> {
  return eventually(async () => {
    const d = await handle.describe();
    return d.status.name === 'RUNNING' ? undefined : d;
  }, timeoutMs);
}

export async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
