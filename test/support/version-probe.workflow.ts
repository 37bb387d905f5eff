// A tiny workflow for the worker-versioning test: it waits for a signal, then asks an activity which worker build
// served it. Bundled on its own so the test does not pay for the scan workflows' bundle.
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export interface VersionProbeActivities {
  servedBy(): Promise<string>;
}

export const releaseProbeSignal = defineSignal('releaseProbe');

export async function versionProbeWorkflow(): Promise<string> {
  let released = false;
  setHandler(releaseProbeSignal, () => {
    released = true;
  });
  await condition(() => released);
  const { servedBy } = proxyActivities<VersionProbeActivities>({ startToCloseTimeout: '10 seconds' });
  return servedBy();
}
