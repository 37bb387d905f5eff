import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { ActivityFailure, TimeoutFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { createTtlCache } from '../../lib/async';
import { taskQueuePrefixOf, type Env } from '../../lib/env';
import { controlQueue, taskQueues } from '../../core/contracts';
import type { workerControlWorkflow } from '../../workflows';
import { HttpError, notFound } from '../http-errors';
import { requireAdmin } from '../middleware/auth';
import { validate } from '../middleware/validate';
import { WorkerCommandParams } from '../schemas/workers.schema';

/** How long one answer of Temporal's pollers serves GET /api/monitoring/workers (README "Monitoring"). */
export const WORKERS_CACHE_MS = 1_000;

/** GET /api/monitoring/workers, POST /api/monitoring/workers/:identity/(restart-browser|drain): admin only. */
export function workersRouter(deps: { env: Env; temporal: Client; taskQueuePrefix?: string }): Router {
  const router = Router();
  router.use(requireAdmin);
  const prefix = taskQueuePrefixOf(deps);
  const queues = taskQueues(prefix);

  // Pollers change only as workers start and stop: one Temporal call per WORKERS_CACHE_MS answers every caller.
  const pollersCache = createTtlCache();
  const listWorkers = async () => {
    // Whoever polls the browser queue is a worker with a browser pool; pollers vanish a few minutes after exit.
    const described = await deps.temporal.workflowService.describeTaskQueue({
      namespace: deps.env.TEMPORAL_NAMESPACE,
      taskQueue: { name: queues.browser },
      taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return (described.pollers ?? []).map((p) => ({
      identity: p.identity,
      lastPollAt: p.lastAccessTime?.seconds ? new Date(Number(p.lastAccessTime.seconds) * 1000).toISOString() : null,
    }));
  };

  router.get('/', async (_req, res) => {
    res.json({ workers: await pollersCache.get('workers', WORKERS_CACHE_MS, listWorkers) });
  });

  router.post(
    '/:identity/:command',
    validate({ params: WorkerCommandParams }, async ({ params }, _req, res) => {
      try {
        const result = await deps.temporal.workflow.execute<typeof workerControlWorkflow>('workerControlWorkflow', {
          taskQueue: queues.high,
          workflowId: `worker-control-${randomUUID()}`,
          args: [{ controlQueue: controlQueue(prefix, params.identity), command: params.command }],
          workflowExecutionTimeout: '3 minutes',
        });
        res.json(result);
      } catch (err) {
        // The command's activity was never picked up: that worker is not running.
        if (err instanceof WorkflowFailedError && err.cause instanceof ActivityFailure && err.cause.cause instanceof TimeoutFailure) {
          throw notFound('worker');
        }
        if (err instanceof WorkflowFailedError) throw new HttpError(502, 'command_failed', 'the worker could not run the command');
        throw err;
      }
    }),
  );
  return router;
}
