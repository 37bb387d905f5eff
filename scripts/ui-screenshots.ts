// Screenshots of every Web UI page for the README: runs the Web UI browser test (real stack, real Chromium,
// seeded history) with its page screenshots directed to docs/screenshots/.
//   npm run ui:screenshots      (needs what `npm test` needs: Postgres, the Temporal CLI, Chromium)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const out = process.argv[2] ?? join(ROOT, 'docs', 'screenshots');
const run = spawnSync('npx', ['jest', '--runTestsByPath', 'test/integration/web-ui.int.test.ts', '--selectProjects', 'integration'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, UI_SCREENSHOT_DIR: out },
});
if (run.status === 0) process.stdout.write(`screenshots written to ${out}\n`);
process.exit(run.status ?? 1);
