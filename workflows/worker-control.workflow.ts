import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WorkerCommand, WorkerCommandResult } from '../activities/worker-control.activity';

/** Delivers one operator command to one worker process through its control task queue. */
export async function workerControlWorkflow(input: { controlQueue: string; command: WorkerCommand }): Promise<WorkerCommandResult> {
  const { runWorkerCommand } = proxyActivities<Activities>({
    taskQueue: input.controlQueue,
    // A worker that is gone does not pick the command up: fail fast instead of waiting for a restart.
    scheduleToStartTimeout: '15 seconds',
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 1 },
  });
  return runWorkerCommand({ command: input.command });
}
