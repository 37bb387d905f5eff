import { loadEnv } from '../lib/env';
import { workerDeploymentOptionsFrom } from './worker-deployment';

describe('workerDeploymentOptionsFrom', () => {
  it('leaves versioning off by default', () => {
    expect(workerDeploymentOptionsFrom(loadEnv({}))).toEqual({});
  });

  it('pins every workflow to the build it started on when a deployment name is set', () => {
    expect(workerDeploymentOptionsFrom(loadEnv({ WORKER_DEPLOYMENT_NAME: 'wcag-workers', WORKER_BUILD_ID: '0.1.0-ab12cd3' }))).toEqual({
      workerDeploymentOptions: {
        useWorkerVersioning: true,
        version: { deploymentName: 'wcag-workers', buildId: '0.1.0-ab12cd3' },
        defaultVersioningBehavior: 'PINNED',
      },
    });
  });

  it('refuses a deployment name without a build id, or one the version string cannot carry, at startup', () => {
    expect(() => loadEnv({ WORKER_DEPLOYMENT_NAME: 'wcag-workers' })).toThrow(
      /WORKER_BUILD_ID: required when WORKER_DEPLOYMENT_NAME is set/,
    );
    expect(() => loadEnv({ WORKER_DEPLOYMENT_NAME: 'wcag.workers', WORKER_BUILD_ID: 'x' })).toThrow(/WORKER_DEPLOYMENT_NAME: /);
  });
});
