// Replays recorded workflow histories against the current workflow code (determinism check).
// Usage: tsx scripts/replay-histories.ts [dir]   (default test/fixtures/histories). Exit 1 on any failure.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? join(__dirname, '..', 'test', 'fixtures', 'histories'));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const noop = () => undefined;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
  });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  let failed = 0;
  for (const file of files) {
    const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    try {
      await Worker.runReplayHistory({ workflowBundle }, history, file);
      process.stdout.write(`replayed ${file}\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`FAILED ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  process.stdout.write(`${files.length - failed} replayed, ${failed} failed\n`);
  if (failed > 0 || files.length === 0) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`replay failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
