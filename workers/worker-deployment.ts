import type { WorkerOptions } from '@temporalio/worker';
import type { Env } from '../lib/env';

/**
 * Worker Deployment Versioning for the workers that run workflows, or nothing when it is off (no
 * WORKER_DEPLOYMENT_NAME). Every workflow type is PINNED: it finishes on the build it started on, so a deploy never
 * replays a running history against changed code. Scans take minutes; a bulk or audit run (continue-as-new per batch
 * stays pinned too) keeps its version's workers busy until it ends, which the rollout's drain step waits for.
 */
export function workerDeploymentOptionsFrom(
  env: Pick<Env, 'WORKER_DEPLOYMENT_NAME' | 'WORKER_BUILD_ID'>,
): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (!env.WORKER_DEPLOYMENT_NAME || !env.WORKER_BUILD_ID) return {};
  return {
    workerDeploymentOptions: {
      useWorkerVersioning: true,
      version: { deploymentName: env.WORKER_DEPLOYMENT_NAME, buildId: env.WORKER_BUILD_ID },
      defaultVersioningBehavior: 'PINNED',
    },
  };
}
