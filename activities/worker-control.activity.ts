import type { BrowserPool, BrowserPoolStats, RestartCause } from './browser/browser-pool';

export type WorkerCommand = 'restart-browser' | 'drain';

export interface WorkerCommandResult {
  identity: string;
  command: WorkerCommand;
  pool: BrowserPoolStats;
}

/** Operator commands for one worker process, served on that process's own control task queue. */
export function createWorkerControlActivities(deps: { pool: BrowserPool; identity: string; drain: () => void }) {
  return {
    // `cause` is set by the health check's recovery (memory, unresponsive); an operator's command counts as manual.
    async runWorkerCommand({ command, cause }: { command: WorkerCommand; cause?: RestartCause }): Promise<WorkerCommandResult> {
      if (command === 'restart-browser') {
        // Graceful: in-flight scans finish (up to the drain grace), then the browser is relaunched on demand.
        await deps.pool.restart(cause ?? 'manual');
      } else {
        // Answer first, then stop polling: in-flight scans finish, the browser closes, the process exits.
        setTimeout(deps.drain, 200).unref();
      }
      return { identity: deps.identity, command, pool: deps.pool.stats() };
    },
  };
}
