// The `wcag` command line: pure parsing, so every usage error is unit-tested and says what to type instead.
import { parseArgs } from 'node:util';
import { normaliseApiUrl } from '../api-http';
import { UsageError, usageErrorFromParseArgs } from '../exit-status';

export { UsageError };

export const USAGE = `usage: wcag <command> [options]

  scan <url> [--wait] [--client <id>] [--queue high|low] [--priority 1-10]
                                 submit one scan; --wait follows it to the end (exit 1 unless it completed)
  bulk <file> [--urls] [--queue high|low] [--client <id>] [--interval <s>]
                                 prospect ids or external ids (or URLs with --urls) one per line, --client: whose
                                 (needed with the admin key for external ids); live progress, then a summary
                                 (exit 1 unless every item completed); --interval default 2 s
  audit <url> [--client <id>] [--max-pages N] [--max-depth N] [--max-per-pattern N] [--include P]... [--exclude P]...
        [--wait] [--fail-on critical|serious|moderate|minor]
                                 audit a whole site from its start page; --wait follows it (progress, then the
                                 site report's summary); --fail-on (with --wait) exits 1 when an issue at or
                                 above that impact is found (a CI gate)
  stats                          queue statistics once
  monitor [--interval <s>]       queue statistics and health, refreshed in place until Ctrl-C (default 5 s)
  health                         health report with recommendations; monitoring-plugin exit status:
                                 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (unreachable, refused key, bad answer or usage)
  keys create --client <id> [--name <name>]
                                 create a client API key (shown once)

common options:
  --api <url>     the API (default $WCAG_API_URL, else http://127.0.0.1:3001)
  --json          machine-readable output: one JSON document on stdout (monitor: one per refresh, JSON Lines);
                  progress and messages go to stderr
  -V, --version   the version (with --json: {"name","version","commit"})
  -h, --help      this text

The key comes from $WCAG_API_KEY, else $ADMIN_API_KEY, else ADMIN_API_KEY in .env.
Exit status: 0 done, 1 failed (the scan, bulk, audit gate, or the API refused or could not be reached),
2 usage error (nothing was sent); \`wcag health\` uses 0/1/2/3 as above.`;

/** Where a usage error points to. */
export const HELP_COMMAND = 'wcag --help';

export const DEFAULT_API_URL = 'http://127.0.0.1:3001';

export type Queue = 'high' | 'low';

/** Impacts from the most severe down: --fail-on X fails on X and everything before it. */
export const IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;
export type FailOn = (typeof IMPACTS)[number];

export interface AuditCommand {
  kind: 'audit';
  url: string;
  clientId?: string;
  maxPages?: number;
  maxDepth?: number;
  /** Pages per URL pattern at most (the API's crawl-trap bound, 50 by default). */
  maxPerPattern?: number;
  include: string[];
  exclude: string[];
  wait: boolean;
  failOn?: FailOn;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'scan'; url: string; wait: boolean; clientId?: string; queue: Queue; priority?: number }
  | AuditCommand
  | { kind: 'bulk'; file: string; urls: boolean; queue: Queue; clientId?: string; intervalMs: number }
  | { kind: 'stats' }
  | { kind: 'monitor'; intervalMs: number }
  | { kind: 'health' }
  | { kind: 'keys-create'; clientId: string; name?: string };

export interface Invocation {
  command: Command;
  /** Explicit --api, if given; the environment fallback is applied by resolveApiUrl. */
  apiUrl?: string;
  /** --json: one machine-readable document on stdout, everything for people on stderr. */
  json: boolean;
}

const OPTIONS = {
  api: { type: 'string' },
  wait: { type: 'boolean', default: false },
  client: { type: 'string' },
  queue: { type: 'string' },
  priority: { type: 'string' },
  urls: { type: 'boolean', default: false },
  interval: { type: 'string' },
  name: { type: 'string' },
  'max-pages': { type: 'string' },
  'max-depth': { type: 'string' },
  'max-per-pattern': { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  json: { type: 'boolean', default: false },
  'fail-on': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const;

function queueOf(v: string | undefined): Queue {
  if (v === undefined) return 'low';
  if (v === 'high' || v === 'low') return v;
  throw new UsageError(`--queue: must be high or low, not "${v}"`);
}

function secondsOf(v: string | undefined, def: number): number {
  if (v === undefined) return def * 1000;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0.2 || n > 3600)
    throw new UsageError(`--interval: must be a number of seconds between 0.2 and 3600, not "${v}"`);
  return Math.round(n * 1000);
}

function intOf(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: must be an integer of at least ${min}, not "${v}"`);
  return n;
}

function failOnOf(v: string | undefined, wait: boolean): FailOn | undefined {
  if (v === undefined) return undefined;
  if (!(IMPACTS as readonly string[]).includes(v)) throw new UsageError(`--fail-on: must be one of ${IMPACTS.join(', ')}, not "${v}"`);
  // Without --wait there is no report to judge: the command would always pass, which is worse than refusing.
  if (!wait) throw new UsageError('--fail-on needs --wait (the report exists only once the audit has finished)');
  return v as FailOn;
}

function apiUrlOf(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return apiUrlArg(v);
}

/** `http://host:3001/` → `http://host:3001`; anything but an http(s) URL is a usage error. */
function apiUrlArg(v: string): string {
  const u = normaliseApiUrl(v);
  if (u.ok) return u.url;
  if (u.reason === 'not a URL') throw new UsageError(`--api: not a URL: "${v}" (for example http://127.0.0.1:3001)`);
  throw new UsageError(`--api: must be an http(s) URL, not "${v}"`);
}

/** Parses `argv` (without node and the script) into one command. */
export function parseCli(argv: readonly string[]): Invocation {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageErrorFromParseArgs(err);
  }
  const { values: v, positionals: pos } = parsed;
  const apiUrl = apiUrlOf(v.api);
  const json = v.json;
  const [name, ...rest] = pos;
  if (v.help || name === 'help') return { command: { kind: 'help' }, apiUrl, json };
  if (v.version || name === 'version') return { command: { kind: 'version' }, apiUrl, json };
  if (name === undefined) throw new UsageError('missing command');
  const expect = (n: number, what: string) => {
    if (rest.length !== n)
      throw new UsageError(`${name}: expected ${what}, got ${rest.length ? rest.map((r) => `"${r}"`).join(' ') : 'nothing'}`);
  };

  switch (name) {
    case 'scan': {
      expect(1, 'one URL');
      let priority: number | undefined;
      if (v.priority !== undefined) {
        priority = Number(v.priority);
        if (!Number.isInteger(priority) || priority < 1 || priority > 10)
          throw new UsageError(`--priority: must be an integer 1-10, not "${v.priority}"`);
      }
      return { apiUrl, json, command: { kind: 'scan', url: rest[0], wait: v.wait, clientId: v.client, queue: queueOf(v.queue), priority } };
    }
    case 'audit':
      expect(1, 'one URL');
      return {
        apiUrl,
        json,
        command: {
          kind: 'audit',
          url: rest[0],
          clientId: v.client,
          maxPages: intOf('max-pages', v['max-pages'], 1),
          maxDepth: intOf('max-depth', v['max-depth'], 0),
          maxPerPattern: intOf('max-per-pattern', v['max-per-pattern'], 1),
          include: v.include ?? [],
          exclude: v.exclude ?? [],
          wait: v.wait,
          failOn: failOnOf(v['fail-on'], v.wait),
        },
      };
    case 'bulk':
      expect(1, 'one file');
      return {
        apiUrl,
        json,
        command: {
          kind: 'bulk',
          file: rest[0],
          urls: v.urls,
          queue: queueOf(v.queue),
          clientId: v.client,
          intervalMs: secondsOf(v.interval, 2),
        },
      };
    case 'stats':
      expect(0, 'no arguments');
      return { apiUrl, json, command: { kind: 'stats' } };
    case 'monitor':
      expect(0, 'no arguments');
      return { apiUrl, json, command: { kind: 'monitor', intervalMs: secondsOf(v.interval, 5) } };
    case 'health':
      expect(0, 'no arguments');
      return { apiUrl, json, command: { kind: 'health' } };
    case 'keys': {
      if (rest[0] !== 'create' || rest.length !== 1) throw new UsageError('keys: the only subcommand is `keys create --client <id>`');
      if (!v.client) throw new UsageError('keys create: --client <id> is required');
      return { apiUrl, json, command: { kind: 'keys-create', clientId: v.client, name: v.name } };
    }
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

/**
 * The command `argv` names, even when the rest of it does not parse: `wcag health` answers a usage error with the
 * monitoring plugins' UNKNOWN (3), every other command with 2.
 */
export function commandName(argv: readonly string[]): string | undefined {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false }).positionals[0];
  } catch {
    return undefined;
  }
}

/** --api, else WCAG_API_URL, else the local default. */
export function resolveApiUrl(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  if (explicit) return explicit;
  if (env.WCAG_API_URL) return apiUrlArg(env.WCAG_API_URL);
  return DEFAULT_API_URL;
}

/** WCAG_API_KEY, else ADMIN_API_KEY from the environment, else ADMIN_API_KEY from the .env contents given. */
export function resolveApiKey(env: NodeJS.ProcessEnv, dotenv: Record<string, string> | undefined): string | undefined {
  return env.WCAG_API_KEY || env.ADMIN_API_KEY || dotenv?.ADMIN_API_KEY || undefined;
}
