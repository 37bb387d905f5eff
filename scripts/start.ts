// `npm start`: the whole embedded stack in the foreground. Temporal dev server (SQLite file, Web UI),
// Postgres ensured running and migrated, one worker and the API. Ctrl-C stops every child, no orphans.
import 'dotenv/config';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { loadEnv, requireAdminKey, type Env } from '../lib/env';
import { applyMigrations, ensureDatabase } from '../lib/migrator';
import { startTemporalDevServer, type DevServer } from '../lib/temporal-dev-server';

const ROOT = join(__dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
// A child that crashes is restarted, but one that crashes this often is broken: stop instead of looping.
const MAX_RESTARTS_PER_MINUTE = 5;

const say = (msg: string) => process.stdout.write(`[start] ${msg}\n`);

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = createConnection({ host, port, timeout: 1_000 });
    s.once('connect', () => (s.destroy(), r(true)));
    s.once('error', () => r(false));
    s.once('timeout', () => (s.destroy(), r(false)));
  });
}

async function ensurePostgres(env: Env): Promise<void> {
  const u = new URL(env.DATABASE_URL);
  const port = Number(u.port || 5432);
  if (await reachable(u.hostname, port)) return;
  if (!['127.0.0.1', 'localhost', '::1'].includes(u.hostname)) throw new Error(`Postgres at ${u.hostname}:${port} is not reachable`);
  const clusters = spawnSync('pg_lsclusters', ['-h'], { encoding: 'utf8' });
  const first = clusters.stdout?.trim().split('\n')[0]?.split(/\s+/);
  if (!first || first.length < 2) throw new Error('no local Postgres cluster found: run `npm run setup` first');
  say(`starting Postgres cluster ${first[0]}/${first[1]}`);
  const command = ['pg_ctlcluster', first[0], first[1], 'start'];
  if (process.getuid?.() !== 0) command.unshift('sudo');
  const started = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
  if (started.status !== 0) throw new Error('could not start Postgres (pg_ctlcluster failed)');
  for (let i = 0; i < 50 && !(await reachable(u.hostname, port)); i++) await new Promise((r) => setTimeout(r, 200));
}

/**
 * With Worker Deployment Versioning on, versioned workers take no new workflow until their version is current. The
 * embedded stack runs one build only, so it makes that build current once the worker has polled (the CLI refuses a
 * version no worker has polled yet); against a server it did not start, it only says what the operator must run.
 */
async function makeWorkerBuildCurrent(env: Env, ownServer: boolean): Promise<void> {
  if (!env.WORKER_DEPLOYMENT_NAME || !env.WORKER_BUILD_ID) return;
  const args = ['worker', 'deployment', 'set-current-version', '--address', env.TEMPORAL_ADDRESS, '--namespace', env.TEMPORAL_NAMESPACE];
  args.push('--deployment-name', env.WORKER_DEPLOYMENT_NAME, '--build-id', env.WORKER_BUILD_ID, '--yes');
  if (!ownServer) {
    say(`worker versioning is on: make this build current when it is ready: temporal ${args.join(' ')}`);
    return;
  }
  for (let attempt = 0; attempt < 60; attempt++) {
    if (spawnSync(resolve(ROOT, env.TEMPORAL_CLI_PATH), args, { stdio: 'ignore' }).status === 0) {
      say(`worker build ${env.WORKER_DEPLOYMENT_NAME}.${env.WORKER_BUILD_ID} is the current version`);
      return;
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
  say(`could not make ${env.WORKER_DEPLOYMENT_NAME}.${env.WORKER_BUILD_ID} current: new workflows wait until it is`);
}

interface Supervised {
  name: string;
  child: ChildProcess | null;
  restarts: number[];
}

async function main(): Promise<void> {
  const env = loadEnv();
  requireAdminKey(env);
  let stopping = false;
  let temporal: DevServer | null = null;
  const children: Supervised[] = [];

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    // API first (no new scans), then the worker (finishes or hands back in-flight scans), then Temporal.
    for (const name of ['api', 'worker']) {
      const s = children.find((c) => c.name === name);
      const child = s?.child;
      if (!child || child.exitCode !== null) continue;
      await new Promise<void>((done) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 45_000);
        child.once('exit', () => (clearTimeout(force), done()));
        child.kill('SIGTERM');
      });
    }
    await temporal?.stop();
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  await ensurePostgres(env);
  await ensureDatabase(env.DATABASE_URL);
  const { applied } = await applyMigrations(env.DATABASE_URL, join(ROOT, 'prisma', 'migrations'));
  say(`Postgres ready (${applied.length} migration(s) applied)`);

  const [host, portText] = env.TEMPORAL_ADDRESS.split(':');
  if (await reachable(host, Number(portText))) {
    say(`using the Temporal server already at ${env.TEMPORAL_ADDRESS}`);
  } else {
    const dbFile = resolve(ROOT, env.TEMPORAL_DB_FILE);
    mkdirSync(dirname(dbFile), { recursive: true });
    temporal = await startTemporalDevServer({
      cliPath: resolve(ROOT, env.TEMPORAL_CLI_PATH),
      ip: host,
      port: Number(portText),
      uiPort: env.TEMPORAL_UI_PORT,
      dbFile,
      namespace: env.TEMPORAL_NAMESPACE,
      stdio: 'inherit',
    });
    temporal.process.once('exit', (code) => {
      if (!stopping) {
        say(`Temporal dev server exited (${code}); stopping everything`);
        void shutdown(1);
      }
    });
    say(`Temporal dev server on ${temporal.address}, data in ${env.TEMPORAL_DB_FILE}`);
  }

  const launch = (s: Supervised, script: string) => {
    s.child = spawn(process.execPath, [TSX, join(ROOT, script)], { stdio: 'inherit', cwd: ROOT });
    s.child.once('exit', (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      s.restarts = s.restarts.filter((t) => now - t < 60_000).concat(now);
      if (s.restarts.length > MAX_RESTARTS_PER_MINUTE) {
        say(`${s.name} keeps crashing (${code ?? signal}); stopping everything`);
        void shutdown(1);
        return;
      }
      say(`${s.name} exited (${code ?? signal}); restarting in 2 s`);
      setTimeout(() => !stopping && launch(s, script), 2_000);
    });
  };
  const worker: Supervised = { name: 'worker', child: null, restarts: [] };
  const api: Supervised = { name: 'api', child: null, restarts: [] };
  children.push(worker, api);
  launch(worker, 'workers/main.ts');
  launch(api, 'api/main.ts');
  await makeWorkerBuildCurrent(env, temporal !== null);

  const apiUrl = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 150 && !stopping && !(await reachable('127.0.0.1', env.PORT)); i++) await new Promise((r) => setTimeout(r, 200));
  say('');
  say(`API:             ${apiUrl}   (try: curl ${apiUrl}/readyz)`);
  if (temporal) say(`Temporal Web UI: http://${host}:${env.TEMPORAL_UI_PORT}`);
  say(`Admin API key:   ADMIN_API_KEY in ${join(ROOT, '.env')}`);
  say('Press Ctrl-C to stop everything.');
}

main().catch((err) => {
  process.stderr.write(`[start] failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
