// Pure: the command line of `npm run conformance -- <dir> [options]`.
import { parseArgs } from 'node:util';
import { normaliseApiUrl } from '../api-http';
import { usageErrorFromParseArgs } from '../exit-status';
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
  /** A file for every case's result; `-` means stdout (the printed report then goes to stderr). */
  json?: string;
  /** Exit 1 when any case disagrees with axe-core's published outcome (agreement as a gate, not only a figure). */
  failOnDisagreement: boolean;
  help: boolean;
  version: boolean;
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
  --json <file>        write every case's result (the run as JSON) to this file; "-" writes it
                       to stdout and the report to stderr (default: no JSON)
  --fail-on-disagreement
                       exit 1 when any case disagrees with axe-core's published outcome
                       (default: agreement is reported, not enforced)
  --api <baseUrl>      use this running API instead of starting one in-process; its workers
                       must be allowed to reach 127.0.0.1 (SCAN_ALLOWED_HOSTS=127.0.0.1)
  --key <key>          API key for --api (default: ADMIN_API_KEY from the environment or .env)
  -V, --version        the version
  -h, --help           this text

Progress goes to stderr. Exit status (the same as wcag's and bench's): 0 when every scan ran (and,
with --fail-on-disagreement, agreed); 1 when a scan ended in error, a case disagreed under
--fail-on-disagreement, or Temporal, Postgres or the API could not be reached; 2 on a usage error.`;

/** Where a usage error points to. */
export const HELP_COMMAND = 'npm run conformance -- --help';

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
        'fail-on-disagreement': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
    });
  } catch (err) {
    throw usageErrorFromParseArgs(err);
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  const version = values.version === true;
  if (help || version) return { dir: '', timeoutMs: 30_000, concurrency: 3, rules: [], failOnDisagreement: false, help, version };
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
    failOnDisagreement: values['fail-on-disagreement'] === true,
    help,
    version,
  };
}
