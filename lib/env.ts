import { z } from 'zod';

// Booleans arrive as strings: Boolean('false') is true, so parse the two spellings explicitly.
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const ms = (def: number, min = 1_000) => z.coerce.number().int().min(min).default(def);

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
  // The operator key; the API refuses to start without it (see requireAdminKey).
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  // Where operators find a workflow; used to build links in API responses.
  TEMPORAL_UI_URL: z.string().url().default('http://127.0.0.1:8233'),

  // Postgres
  DATABASE_URL: z.string().url().default('postgresql://wcag:wcag@127.0.0.1:5432/wcag'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),

  // Temporal (same names the temporal CLI reads)
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  // Every task queue name starts with this, so two deployments (or test runs) can share one server.
  TEMPORAL_TASK_QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_.-]+$/).default('wcag'),
  // `npm start` only: the embedded dev server's CLI, SQLite file (workflows survive restarts) and UI port.
  TEMPORAL_CLI_PATH: z.string().default('.tools/venv/bin/temporal'),
  TEMPORAL_DB_FILE: z.string().default('.data/temporal.sqlite'),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),

  // Browser pool (seed: PuppeteerService)
  CHROME_PATH: z.string().default('/usr/bin/chromium'),
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
  SCAN_VIEWPORT: z.string().regex(/^\d{3,5}x\d{3,5}$/, 'must look like 1280x800').default('1280x800'),
  SCAN_WCAG_TAGS: z.string().default(DEFAULT_WCAG_TAGS.join(',')),
});

export type Env = Readonly<z.infer<typeof EnvSchema>>;

/** Parses the environment once; every entry point calls this and passes the result down. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // An empty string in .env means "not set", not "set to empty".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (parsed.success) return Object.freeze(parsed.data);
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
  return csv.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export function parseViewport(v: string): { width: number; height: number } {
  const [width, height] = v.split('x').map(Number);
  return { width, height };
}
