import { z } from 'zod';
import type { ClientConfigProfile } from '@temporalio/envconfig';
import { resolveTemporalSettings } from './temporal-config';
import { trustProxyProblem } from './trust-proxy';

// Booleans arrive as strings: Boolean('false') is true, so parse the two spellings explicitly.
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
// envconfig's spelling of a boolean: 1/true, 0/false.
const tlsFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const ms = (def: number, min = 1_000) => z.coerce.number().int().min(min).default(def);

// TRUST_PROXY: express `trust proxy` entries; a bad one stops the process with the entry named (lib/trust-proxy.ts).
const trustProxyList = z
  .string()
  .default('loopback')
  .superRefine((v, ctx) => {
    const problem = trustProxyProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const DEFAULT_WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),

  // API
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  API_HOST: z.string().default('0.0.0.0'),
  API_BODY_LIMIT: z.string().default('1mb'),
  // POST /api/scans/bulk only: 10,000 items of ~300 bytes.
  API_BULK_BODY_LIMIT: z.string().default('5mb'),
  // Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (express `trust proxy`): addresses, CIDRs and
  // loopback | linklocal | uniquelocal, comma separated. Behind a TLS proxy, name the proxy's address.
  TRUST_PROXY: trustProxyList,
  // The operator key; the API refuses to start without it (see requireAdminKey).
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  // Where operators find a workflow; used to build links in API responses.
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),

  // Postgres
  DATABASE_URL: z.string().url().default('postgresql://wcag:wcag@127.0.0.1:5432/wcag'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),

  // Temporal connection: the standard names (@temporalio/envconfig, as the temporal CLI and every SDK read them). A
  // TOML profile may give any of them (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE); a variable set here wins over it.
  // The defaults apply when neither gives a value (README "Pointing at an existing Temporal cluster or Temporal Cloud").
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_CONFIG_FILE: z.string().optional(),
  TEMPORAL_PROFILE: z.string().optional(),
  // Every task queue name starts with this, so two deployments (or test runs) can share one server.
  TEMPORAL_TASK_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]+$/)
    .default('wcag'),
  // `npm start` only: the embedded dev server's CLI, SQLite file (workflows survive restarts) and UI port.
  TEMPORAL_CLI_PATH: z.string().default('.tools/venv/bin/temporal'),
  TEMPORAL_DB_FILE: z.string().default('.data/temporal.sqlite'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  // An existing cluster or Temporal Cloud: an API key (implies TLS), an mTLS client certificate and key, a private
  // CA, each as a PEM file path or inline PEM data; the server name TLS verifies. Any of them turns TLS on; TEMPORAL_TLS
  // true forces TLS without them, false turns it off. Deprecated aliases: lib/temporal-config.ts.
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: tlsFlag.optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_CLIENT_CERT_DATA: z.string().optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CLIENT_KEY_DATA: z.string().optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  // The TypeScript SDK cannot skip host verification: refused rather than silently ignored.
  TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: tlsFlag
    .refine((on) => !on, 'not supported by the TypeScript SDK: set TEMPORAL_TLS_SERVER_NAME to the name the certificate carries')
    .optional(),

  // Browser pool (seed: PuppeteerService)
  CHROME_PATH: z.string().default('/usr/bin/chromium'),
  // auto: sandboxed unless the worker runs as root; off: --no-sandbox (warned at startup); on: refuse root
  CHROME_SANDBOX: z.enum(['auto', 'on', 'off']).default('auto'),
  MAX_CONCURRENT_PAGES: z.coerce.number().int().min(1).max(16).default(3),
  BROWSER_LAUNCH_TIMEOUT: ms(60_000),
  PAGE_IDLE_TIMEOUT: ms(30_000),
  MEMORY_HEALTH_CHECK_INTERVAL: ms(30_000),
  MAX_MEMORY_MB: z.coerce.number().int().min(100).default(800),
  // A single page whose JS heap grows past this is killed and fails as `memory`.
  PAGE_MAX_HEAP_MB: z.coerce.number().int().min(16).default(512),

  // Scans (seed: SafetyService)
  MAX_SCAN_TIME: ms(120_000, 5_000),
  SCAN_DEFAULT_TIMEOUT: ms(30_000),
  SCAN_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  SCAN_RETRY_INITIAL_INTERVAL: z.coerce.number().int().min(100).default(2_000),
  MAX_URL_LENGTH: z.coerce.number().int().min(32).max(8192).default(2048),
  SCAN_ALLOW_PRIVATE_TARGETS: flag.default(false),
  SCAN_ALLOWED_HOSTS: z.string().default(''),
  SCAN_USER_AGENT: z.string().optional(),
  SCAN_ACCEPT_LANGUAGE: z.string().default('en-US,en;q=0.9'),
  SCAN_VIEWPORT: z
    .string()
    .regex(/^\d{3,5}x\d{3,5}$/, 'must look like 1280x800')
    .default('1280x800'),
  SCAN_WCAG_TAGS: z.string().default(DEFAULT_WCAG_TAGS.join(',')),

  // Safety: rate limits, abuse limits, circuit breakers, metrics (README "Safety, rate limits and circuit breakers").
  // Scans a client key may submit per clock hour; per-client overrides live in Postgres (client_rate_limits).
  MAX_SCANS_PER_HOUR: z.coerce.number().int().min(0).default(10),
  // Tenant limits (README "Schedules" and "Safety, rate limits and circuit breakers"): the shortest gap between two
  // runs of a schedule a client key may create, and ceilings on what one client may store (409 above them).
  SCHEDULE_MIN_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 31)
    .default(60),
  MAX_SCHEDULES_PER_CLIENT: z.coerce.number().int().min(1).default(100),
  MAX_PROSPECTS_PER_CLIENT: z.coerce.number().int().min(1).default(50_000),
  MAX_API_KEYS_PER_CLIENT: z.coerce.number().int().min(1).default(20),
  // Site audits (README "Site audits"): the hard cap of pages per audit (a client key's ceiling is also its hourly
  // scan quota), the maxPages of a request that gives none, and the ceiling of politeness.concurrency.
  AUDIT_MAX_PAGES: z.coerce.number().int().min(1).max(100_000).default(1000),
  AUDIT_DEFAULT_MAX_PAGES: z.coerce.number().int().min(1).max(100_000).default(100),
  AUDIT_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  // HTTP abuse limits per API instance (token buckets): requests per minute per API key and per client IP; 0 = off.
  API_RATE_LIMIT_PER_KEY: z.coerce.number().int().min(0).default(600),
  API_RATE_LIMIT_PER_IP: z.coerce.number().int().min(0).default(1200),
  // Seed CircuitBreaker: consecutive failures that open a breaker, successes in half-open that close it, open time.
  BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().min(1).default(5),
  BREAKER_SUCCESS_THRESHOLD: z.coerce.number().int().min(1).default(2),
  BREAKER_TIMEOUT: ms(30_000, 100),
  // Shared host breakers only: distinct clients whose scans must fail before one opens (1 = any client alone); a
  // client's own breaker for a host always opens on BREAKER_FAILURE_THRESHOLD of its own failures.
  BREAKER_MIN_CLIENTS: z.coerce.number().int().min(1).default(2),
  // Deadline of one API call to Temporal (start a scan): a dead server fails the call instead of hanging it.
  TEMPORAL_CALL_TIMEOUT: ms(5_000, 100),
  // GET /metrics on the API accepts this bearer token as well as the admin key.
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Each worker serves Prometheus metrics on this port (0 = off); the Temporal SDK's own metrics (temporal_*) on the
  // second, on by default (0 = off). Two workers on one host need a pair of ports each.
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  WORKER_SDK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  WORKER_METRICS_HOST: z.string().default('0.0.0.0'),

  // Worker Deployment Versioning (README "Rolling out a new worker version"): off while WORKER_DEPLOYMENT_NAME is empty.
  // When set, every worker of this build polls as version <name>.<WORKER_BUILD_ID> and a workflow stays on the version
  // it started on (PINNED); new workflows go to the version made current with `temporal worker deployment
  // set-current-version`. The build id names the code (image tag, git sha): required with a deployment name.
  WORKER_DEPLOYMENT_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, - and _ only (the version is <name>.<build id>)')
    .optional(),
  WORKER_BUILD_ID: z.string().max(255).optional(),

  // Monitoring: worker telemetry, the scheduled health check and alerts (README "Monitoring").
  // Each worker writes its state this often; one silent for 3 intervals is reported lost.
  WORKER_TELEMETRY_INTERVAL: ms(5_000, 500),
  // The Temporal Schedule that runs healthCheckWorkflow (snapshot, alerts, recovery).
  HEALTH_CHECK_INTERVAL: ms(60_000, 10_000),
  // Slack-compatible incoming webhook ({ text } JSON POST); unset = alerts go to the log only.
  ALERT_WEBHOOK_URL: z.string().url().optional(),
  ALERT_WEBHOOK_TIMEOUT: ms(5_000, 100),
  ALERT_WEBHOOK_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  // A firing alert is not sent again within this window (it is re-sent once per window while it keeps firing).
  ALERT_DEDUPE_WINDOW: ms(15 * 60_000, 1_000),
  // Success rate over the last hour below this (0-1) raises an alert, once at least ALERT_MIN_VOLUME scans ended.
  ALERT_SUCCESS_RATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.9),
  ALERT_MIN_VOLUME: z.coerce.number().int().min(1).default(10),
  // A viewport JPEG (quality 60, ~30-120 KB) per completed scan, in Postgres, shown in the Web UI report.
  SCAN_SCREENSHOTS: flag.default(true),

  // Web UI: a signed-in browser session lasts this long (the cookie and its row in ui_sessions).
  UI_SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  // Web UI sign-in attempts (POST /login) per client IP per minute, bursts of the same size; 0 = unlimited.
  UI_LOGIN_RATE_LIMIT_PER_IP: z.coerce.number().int().min(0).default(10),

  // Data retention (README "Data retention"): raw axe results, element details and screenshots of scans that
  // finished longer ago than this are pruned daily; scan rows (score, counts, status) are kept forever.
  RESULT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
});

export type Env = Readonly<
  z.infer<typeof EnvSchema> & {
    /** The Temporal connection as envconfig resolved it (profile + variables); lib/temporal.ts builds connections from it. */
    temporalProfile: Readonly<ClientConfigProfile>;
    /** Startup warnings (deprecated variables); each entry point logs them once it has a logger. */
    configWarnings: readonly string[];
  }
>;

// Rules that involve two variables, reported like any other invalid variable (`VAR: problem`).
const CheckedEnvSchema = EnvSchema.superRefine((v, ctx) => {
  if (v.WORKER_DEPLOYMENT_NAME && !v.WORKER_BUILD_ID) {
    const message = 'required when WORKER_DEPLOYMENT_NAME is set (e.g. the image tag or git sha)';
    ctx.addIssue({ code: 'custom', path: ['WORKER_BUILD_ID'], message });
  }
  // Two exporters cannot share a port; without this the second silently loses, and a scrape job reads the wrong one.
  if (v.WORKER_SDK_METRICS_PORT !== 0 && v.WORKER_SDK_METRICS_PORT === v.WORKER_METRICS_PORT) {
    ctx.addIssue({ code: 'custom', path: ['WORKER_SDK_METRICS_PORT'], message: 'must differ from WORKER_METRICS_PORT (0 = off)' });
  }
});

/** Parses the environment once; every entry point calls this and passes the result down. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // An empty string in .env means "not set", not "set to empty".
  const cleaned = Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const temporal = resolveTemporalSettings(cleaned);
  // The profile's address and namespace count as set: the schema's defaults apply only when neither gives one.
  const parsed = CheckedEnvSchema.safeParse({
    ...temporal.vars,
    ...(temporal.profile.address !== undefined && { TEMPORAL_ADDRESS: temporal.profile.address }),
    ...(temporal.profile.namespace !== undefined && { TEMPORAL_NAMESPACE: temporal.profile.namespace }),
  });
  if (parsed.success) {
    const temporalProfile = { ...temporal.profile, address: parsed.data.TEMPORAL_ADDRESS, namespace: parsed.data.TEMPORAL_NAMESPACE };
    return Object.freeze({ ...parsed.data, temporalProfile, configWarnings: temporal.warnings });
  }
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
}

/** The API cannot authenticate anyone without the operator key: fail at startup, not at the first request. */
export function requireAdminKey(env: Env): string {
  if (!env.ADMIN_API_KEY) {
    throw new Error('Invalid configuration:\n  ADMIN_API_KEY: required by the API (run `npm run setup` to generate one in .env)');
  }
  return env.ADMIN_API_KEY;
}

export function parseList(csv: string): string[] {
  return csv
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseViewport(v: string): { width: number; height: number } {
  const [width, height] = v.split('x').map(Number);
  return { width, height };
}

/** The deployment's task-queue prefix: tests isolate themselves with their own, everything else uses the env's. */
export const taskQueuePrefixOf = (deps: { taskQueuePrefix?: string; env: Pick<Env, 'TEMPORAL_TASK_QUEUE_PREFIX'> }): string =>
  deps.taskQueuePrefix ?? deps.env.TEMPORAL_TASK_QUEUE_PREFIX;

/** A workflow's page in the Temporal Web UI, as shown to operators next to a scan. */
export const temporalUiUrl = (env: Pick<Env, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, workflowId: string): string =>
  `${env.TEMPORAL_UI_URL}/namespaces/${encodeURIComponent(env.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
