import type { Logger } from '../lib/logger';

/** The part of a Temporal `Worker` the process lifecycle needs; tests pass plain objects. */
export interface RunnableWorker {
  run(): Promise<void>;
  shutdown(): void;
  getState(): string;
}

export interface CleanupStep {
  name: string;
  run(): unknown;
}

type LifecycleLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/**
 * Runs every cleanup step in order, whatever the earlier ones did: a browser that will not close must not keep
 * the database pool or the Temporal connection open. Each failure is logged and returned, never thrown.
 */
export async function runCleanup(steps: readonly CleanupStep[], logger: LifecycleLogger): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step.run();
    } catch (err) {
      logger.error({ err, step: step.name }, 'worker cleanup step failed');
      errors.push(err);
    }
  }
  return errors;
}

/**
 * Runs the workers until all have stopped, then cleans up. One worker failing stops the rest, because a process
 * that quietly lost one of its queues would look healthy while that queue backs up; and cleanup waits for all of
 * them to settle, because closing the pool, the database or the connection under a running worker fails in its
 * own way and that error would replace the one that explains the exit.
 *
 * Resolves after a normal stop (signal, drain). Rejects with the first worker's error, or, when every worker
 * stopped cleanly but cleanup did not, with the first cleanup error, so the exit code never hides a failure.
 */
export async function runWorkersUntilFirstFailure(
  workers: readonly RunnableWorker[],
  cleanup: readonly CleanupStep[],
  logger: LifecycleLogger,
): Promise<void> {
  let failure: { err: unknown } | undefined;

  const stopRunning = () => {
    for (const w of workers) {
      // shutdown() throws unless the worker is RUNNING (a signal may already have stopped it).
      if (w.getState() !== 'RUNNING') continue;
      try {
        w.shutdown();
      } catch (err) {
        logger.warn({ err }, 'worker did not accept shutdown');
      }
    }
  };

  const onFailure = (err: unknown) => {
    if (failure) {
      logger.warn({ err }, 'another worker failed while stopping');
      return;
    }
    failure = { err };
    logger.error({ err }, 'worker failed; stopping the others');
    stopRunning();
  };

  const runs = workers.map((w) => {
    let run: Promise<void>;
    try {
      run = w.run();
    } catch (err) {
      run = Promise.reject(err);
    }
    return run.catch(onFailure);
  });
  await Promise.allSettled(runs);

  const cleanupErrors = await runCleanup(cleanup, logger);
  if (failure) throw failure.err;
  if (cleanupErrors.length > 0) throw cleanupErrors[0];
}
