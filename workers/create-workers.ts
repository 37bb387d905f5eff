import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createBrowserActivities, createHealthCheckActivities, createScanActivities, createWorkerControlActivities } from '../activities';
import { BrowserPool } from '../activities/browser/browser-pool';
import { currentUid, decideSandbox } from '../activities/browser/launch-options';
import { taskQueuePrefixOf, parseViewport, type Env } from '../lib/env';
import type { Logger } from '../lib/logger';
import { urlPolicyFrom } from '../targets/url-policy';
import { breakerConfigFrom } from '../lib/circuit-breakers';
import { temporalLoggerFrom } from './temporal-logger';
import { workerDeploymentOptionsFrom } from './worker-deployment';
import type { PrismaClient } from '../lib/prisma';
import { controlQueue, sharedControlQueue, taskQueues } from '../core/contracts';

export function createBrowserPool(env: Env, logger: Logger): BrowserPool {
  // Decided once at startup (throws for CHROME_SANDBOX=on as root) and logged: an unsandboxed Chromium is a warning.
  const sandbox = decideSandbox(env.CHROME_SANDBOX, currentUid());
  if (sandbox.enabled) logger.info({ sandbox: true, reason: sandbox.reason }, 'Chromium runs with its sandbox');
  else logger.warn({ sandbox: false, reason: sandbox.reason }, 'Chromium runs WITHOUT its sandbox (--no-sandbox)');
  return new BrowserPool(
    {
      chromePath: env.CHROME_PATH,
      sandbox: sandbox.enabled,
      launchTimeoutMs: env.BROWSER_LAUNCH_TIMEOUT,
      viewport: parseViewport(env.SCAN_VIEWPORT),
      protocolTimeoutMs: env.MAX_SCAN_TIME + 10_000,
      maxPages: env.MAX_CONCURRENT_PAGES,
      maxMemoryMb: env.MAX_MEMORY_MB,
      healthCheckIntervalMs: env.MEMORY_HEALTH_CHECK_INTERVAL,
      idleTimeoutMs: env.PAGE_IDLE_TIMEOUT,
    },
    logger.child({ component: 'browser-pool' }),
  );
}

// Only the compiled build (dist/) has a prebuilt bundle beside it; from source we always bundle fresh.
const PREBUILT_BUNDLE = join(__dirname, '..', 'workflow-bundle.js');

/** The prebuilt bundle in production images, a fresh one in development and tests. */
export async function loadWorkflowBundle(logger?: Logger): Promise<WorkflowBundleOption> {
  if (existsSync(PREBUILT_BUNDLE)) return { codePath: PREBUILT_BUNDLE };
  // webpack's own output goes through our logger (at debug), not straight to stderr.
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    ...(logger && { logger: temporalLoggerFrom(logger.child({ component: 'bundler' })) }),
  });
  logger?.debug({ bytes: bundle.code.length }, 'workflow bundle built');
  return bundle;
}

export interface WorkerDeps {
  env: Env;
  connection: NativeConnection;
  prisma: PrismaClient;
  pool: BrowserPool;
  workflowBundle: WorkflowBundleOption;
  /** Defaults to TEMPORAL_TASK_QUEUE_PREFIX; tests pass their own so they never share queues. */
  taskQueuePrefix?: string;
  /** What the drain command does: stop polling and exit once in-flight work is done. */
  drain?: () => void;
}

/**
 * Five workers in one process: the high and low scan queues (workflows + DB/URL activities), the browser queue,
 * whose activity slots equal the pool size so Temporal, not the pool, holds the backlog, this process's own
 * control queue for operator commands (restart the browser pool, drain), and the shared control queue (health check).
 */
export async function createWorkers(deps: WorkerDeps): Promise<Worker[]> {
  const { env, connection } = deps;
  const prefix = taskQueuePrefixOf(deps);
  const queues = taskQueues(prefix);
  const identity = `${hostname()}:${process.pid}`;
  const urlPolicy = urlPolicyFrom(env);
  const scanActivities = createScanActivities({
    prisma: deps.prisma,
    urlPolicy,
    maxScansPerHour: env.MAX_SCANS_PER_HOUR,
    userAgent: env.SCAN_USER_AGENT,
  });
  const unversioned = { connection, namespace: env.TEMPORAL_NAMESPACE, identity, shutdownGraceTime: '30 seconds' } as const;
  const common = { ...unversioned, ...workerDeploymentOptionsFrom(env) };

  const scanWorker = (taskQueue: string) =>
    Worker.create({
      ...common,
      taskQueue,
      workflowBundle: deps.workflowBundle,
      activities: scanActivities,
      maxConcurrentActivityTaskExecutions: 20,
    });

  return Promise.all([
    scanWorker(queues.high),
    scanWorker(queues.low),
    Worker.create({
      ...common,
      taskQueue: queues.browser,
      activities: createBrowserActivities({
        prisma: deps.prisma,
        urlPolicy,
        pool: deps.pool,
        scanConfig: {
          maxScanTimeMs: env.MAX_SCAN_TIME,
          userAgent: env.SCAN_USER_AGENT,
          acceptLanguage: env.SCAN_ACCEPT_LANGUAGE,
          pageMaxHeapMb: env.PAGE_MAX_HEAP_MB,
          maxRedirects: 10,
          screenshots: env.SCAN_SCREENSHOTS,
        },
        hostBreaker: breakerConfigFrom(env),
      }),
      maxConcurrentActivityTaskExecutions: env.MAX_CONCURRENT_PAGES,
    }),
    // Unversioned: a queue of this process alone, activities only. Versioned, each process would add its own queue to
    // its version, and set-current-version refuses a version that does not poll every queue of the current one.
    Worker.create({
      ...unversioned,
      taskQueue: controlQueue(prefix, identity),
      activities: createWorkerControlActivities({
        pool: deps.pool,
        identity,
        drain: deps.drain ?? (() => process.kill(process.pid, 'SIGTERM')),
      }),
      maxConcurrentActivityTaskExecutions: 2,
    }),
    // The shared control queue: the scheduled health check (healthCheckWorkflow and its activities), kept off the
    // scan queues so a scan backlog never delays it. Every worker serves it; any one may run a round.
    Worker.create({
      ...common,
      taskQueue: sharedControlQueue(prefix),
      workflowBundle: deps.workflowBundle,
      activities: createHealthCheckActivities({ env, prisma: deps.prisma, prefix }),
      maxConcurrentActivityTaskExecutions: 4,
    }),
  ]);
}
