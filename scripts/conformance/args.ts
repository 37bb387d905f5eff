// Pure: the command line of `npm run conformance -- <dir> [options]`.
import { parseArgs } from 'node:util';
import { normaliseApiUrl } from '../api-http';
import { UsageError } from './errors';

export interface CliOptions {
  dir: string;
  /** Use this running API instead of an in-process one. */
  api?: string;
  key?: string;
  timeoutMs: number;
  concurrency: number;
  rules: string[];
  limit?: number;
  json?: string;
  help: boolean;
}

export const USAGE = `usage: npm run conformance -- <dir> [options]

Runs every test case of an ACT Rules corpus (<dir>/manifest.json) through the real pipeline
(POST /api/scans -> Temporal -> worker -> Chromium -> Postgres -> GET /api/scans/:id) and prints,
per ACT rule, how many cases agree with the expected outcome and with axe-core's published one.

options:
  --timeout <s>        per-scan budget in seconds (default 30)
  --concurrency <n>    scans in flight at once, 1-16 (default 3)
  --rule <actRuleId>   only this ACT rule (repeatable)
  --limit <n>          only the first n selected cases, in manifest order
  --json <file>        write every case's result to this file
  --api <baseUrl>      use this running API instead of starting one in-process; its workers
                       must be allowed to reach 127.0.0.1 (SCAN_ALLOWED_HOSTS=127.0.0.1)
  --key <key>          API key for --api (default: ADMIN_API_KEY from the environment or .env)
  -h, --help           this text

exit status: 0 when every scan ran (agreement is reported, not enforced), 1 on a usage error or
when any scan ended in error, 2 when Temporal, Postgres or the API is not reachable.`;

const MAX_CONCURRENCY = 16;

function positiveInt(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? 'a positive whole number' : `a whole number from 1 to ${max}`;
    throw new UsageError(`--${name} must be ${range}, got "${raw}"`);
  }
  return n;
}

/** Parses argv (without node and the script); throws UsageError with the problem. */
export function parseCliArgs(argv: readonly string[], env: { ADMIN_API_KEY?: string } = {}): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        timeout: { type: 'string' },
        concurrency: { type: 'string' },
        rule: { type: 'string', multiple: true },
        limit: { type: 'string' },
        json: { type: 'string' },
        api: { type: 'string' },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (help) return { dir: '', timeoutMs: 30_000, concurrency: 3, rules: [], help };
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'missing <dir>' : `one <dir> expected, got ${positionals.join(' ')}`);

  let api: string | undefined;
  if (values.api !== undefined) {
    const url = normaliseApiUrl(values.api);
    if (!url.ok && url.reason === 'not a URL')
      throw new UsageError(`--api must be a URL such as http://127.0.0.1:3001, got "${values.api}"`);
    if (!url.ok) throw new UsageError('--api must be an http(s) URL');
    api = url.url;
  }
  const key = values.key ?? (api ? env.ADMIN_API_KEY : undefined);
  if (values.key !== undefined && !api) throw new UsageError('--key is only used with --api');
  if (api && !key) throw new UsageError('--api needs --key <key> (or ADMIN_API_KEY in the environment or .env)');

  return {
    dir: positionals[0],
    api,
    key,
    timeoutMs: values.timeout === undefined ? 30_000 : positiveInt('timeout', values.timeout, 120) * 1_000,
    concurrency: values.concurrency === undefined ? 3 : positiveInt('concurrency', values.concurrency, MAX_CONCURRENCY),
    rules: [...new Set(values.rule ?? [])],
    limit: values.limit === undefined ? undefined : positiveInt('limit', values.limit),
    json: values.json,
    help,
  };
}
