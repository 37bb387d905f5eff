// Worker Deployment Versioning against a real dev server, with the rollout the README's runbook prescribes: v1 is
// current, a workflow starts on v1 and blocks, v2 workers start and v2 is made current with the temporal CLI. The
// running workflow stays on v1 (PINNED, the behaviour workers/worker-deployment.ts gives every workflow type), new
// workflows go to v2. The probe workflow is tiny; the worker options are the production ones.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { decodeVersioningBehavior } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { Env } from '../../lib/env';
import { connectClient, connectNative } from '../../lib/temporal';
import { workerDeploymentOptionsFrom } from '../../workers/worker-deployment';
import { scanWorkflowId } from '../../core/contracts';
import { startFixtureServer } from '../support/fixture-server';
import { submitScan, waitForTerminal } from '../support/scan-client';
import { eventually, startStack, testEnv } from '../support/stack';
import { releaseProbeSignal, versionProbeWorkflow } from '../support/version-probe.workflow';

const run = promisify(execFile);
const CLI = process.env.TEMPORAL_CLI_PATH ?? join(__dirname, '..', '..', '.tools', 'venv', 'bin', 'temporal');

describe('worker deployment versioning', () => {
  let env: Env;
  let bundle: WorkflowBundle;
  let connection: NativeConnection;
  let client: Client;

  beforeAll(async () => {
    env = testEnv();
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../support/version-probe.workflow'), logger: quiet });
    connection = await connectNative(env);
    client = await connectClient(env);
  });
  afterAll(async () => {
    await client?.connection.close();
    await connection?.close();
  });

  /** The runbook's step, through the CLI: a version becomes current once its workers have polled. */
  const setCurrentVersion = (deploymentName: string, buildId: string) =>
    eventually(async () => {
      const args = [
        'worker',
        'deployment',
        'set-current-version',
        '--address',
        env.TEMPORAL_ADDRESS,
        '--namespace',
        env.TEMPORAL_NAMESPACE,
      ];
      return run(CLI, [...args, '--deployment-name', deploymentName, '--build-id', buildId, '--yes']).then(
        () => true,
        () => undefined, // the version is not registered until its first poll
      );
    }, 30_000);

  it('keeps a workflow started on v1 on v1 after v2 becomes current, and sends new workflows to v2', async () => {
    const deploymentName = `probe-${randomBytes(4).toString('hex')}`;
    const taskQueue = `${deploymentName}-workflows`;
    const workerOf = (buildId: string) =>
      Worker.create({
        connection,
        namespace: env.TEMPORAL_NAMESPACE,
        taskQueue,
        workflowBundle: bundle,
        activities: { servedBy: async () => buildId },
        ...workerDeploymentOptionsFrom({ WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: buildId }),
      });
    const start = (id: string) => client.workflow.start(versionProbeWorkflow, { taskQueue, workflowId: `${deploymentName}-${id}` });
    const versionOf = async (handle: Awaited<ReturnType<typeof start>>) => {
      const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
      return info?.deploymentVersion
        ? { buildId: info.deploymentVersion.buildId, behavior: decodeVersioningBehavior(info.behavior) }
        : undefined;
    };

    const v1 = await workerOf('v1');
    const v1Running = v1.run();
    const v2 = await workerOf('v2');
    let v2Running: Promise<void> | undefined;
    try {
      await setCurrentVersion(deploymentName, 'v1');
      const before = await start('before');
      // Its first workflow task ran on v1 and pinned it there.
      expect(await eventually(() => versionOf(before), 30_000)).toEqual({ buildId: 'v1', behavior: 'PINNED' });

      // Deploy v2 next to v1, then make it current (README "Rolling out a new worker version", steps 1-2).
      v2Running = v2.run();
      await setCurrentVersion(deploymentName, 'v2');
      const after = await start('after');
      expect(await eventually(() => versionOf(after), 30_000)).toEqual({ buildId: 'v2', behavior: 'PINNED' });

      await before.signal(releaseProbeSignal);
      await after.signal(releaseProbeSignal);
      expect(await before.result()).toBe('v1');
      expect(await after.result()).toBe('v2');
      expect(await versionOf(before)).toEqual({ buildId: 'v1', behavior: 'PINNED' });
    } finally {
      v1.shutdown();
      if (v2Running) v2.shutdown();
      await Promise.all([v1Running, v2Running]);
    }
  });

  it('runs a real scan on the production workers of a versioned build, pinned to that build', async () => {
    const deploymentName = `wcag-${randomBytes(4).toString('hex')}`;
    const stack = await startStack({ env: { WORKER_DEPLOYMENT_NAME: deploymentName, WORKER_BUILD_ID: 'b1' } });
    const site = await startFixtureServer();
    try {
      // Versioned workers take no new workflow until their version is current: the runbook's first step.
      await setCurrentVersion(deploymentName, 'b1');
      const scanId = await submitScan(stack.app, { url: site.url('/clean.html'), clientId: 'versioning' });
      expect(await waitForTerminal(stack.app, scanId)).toMatchObject({ status: 'completed' });
      expect(await versionOf(stack.client.workflow.getHandle(scanWorkflowId(scanId)))).toEqual({ buildId: 'b1', behavior: 'PINNED' });
    } finally {
      await site.close();
      await stack.stop();
    }
  });
});

/** A workflow's Worker Deployment Version and behaviour, once its first workflow task has run. */
async function versionOf(handle: WorkflowHandle) {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  return info?.deploymentVersion
    ? { buildId: info.deploymentVersion.buildId, behavior: decodeVersioningBehavior(info.behavior) }
    : undefined;
}

const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
