// Command line of `npm run bench`: which parts, full or quick sizes, overrides.
import { UsageError } from '../exit-status';
import { CORPUS_MODES, PARTS, type BenchOptions, type CorpusMode, type Part } from './context';

/** Where a usage error points to. */
export const HELP_COMMAND = 'npm run bench -- --help';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function defaults(quick: boolean): BenchOptions {
  return {
    only: [...PARTS],
    quick,
    pages: quick ? 30 : 100,
    seed: 42,
    throughputPages: quick ? 5 : 100,
    corpora: [...CORPUS_MODES],
    historySample: quick ? 2 : 10,
    concurrency: [1, 3],
    enqueueBulk: 500,
    enqueueRequests: quick ? 100 : 400,
    enqueueClients: 20,
    backlogs: [50, 500],
    backlogWindow: quick ? 6 : 60,
    backlogSubWindows: quick ? 2 : 6,
    historyScans: 10_000,
    monitoringSeconds: quick ? 2 : 10,
    monitoringConnections: 5,
    soakScans: quick ? 12 : 1000,
    transientScans: quick ? 10 : 200,
    transientShare: 0.1,
    sampleEveryMs: 10_000,
    outDir: 'bench-results',
  };
}

/** Every flag with its default at full and at --quick sizes: the text of `npm run bench -- --help`. */
export function usage(): string {
  const full = defaults(false);
  const quick = defaults(true);
  const d = (k: keyof BenchOptions) => {
    const f = String(full[k]);
    const q = String(quick[k]);
    return f === q ? `default ${f}` : `default ${f}, --quick ${q}`;
  };
  return `usage: npm run bench -- [options]

Throughput against the machine's limit, enqueue and monitoring latency, and a soak, each on an embedded stack of its
own. Prints a Markdown table on stdout (progress on stderr) and writes one JSON file to the --out directory.

options:
  --quick                    smaller sizes for every part (minutes instead of about 1.5 h)
  --only PART[,PART…]        parts to run: ${PARTS.join(', ')} (default all)
  --pages N                  corpus size (${d('pages')})
  --throughput-pages N       pages per throughput configuration, at most --pages (${d('throughputPages')})
  --corpus MODE[,MODE…]      corpora for the throughput part (default ${CORPUS_MODES.join(',')}):
                             realistic (small-business pages, 20-150 KB), light (documentation pages, 20-100 KB),
                             multi-site (the realistic pages from 20 loopback sites)
  --concurrency N[,N…]       pages in flight per configuration (${d('concurrency')})
  --history-sample N         platform scans per configuration whose workflow histories give the Temporal/DB
                             breakdown (${d('historySample')})
  --backlog-window N         scans timed at each backlog depth; the backlog is topped up so it stays at its depth
                             (${d('backlogWindow')})
  --backlog-sub-windows N    sub-windows the timed scans are split into, for the rate's spread; at most
                             --backlog-window (${d('backlogSubWindows')})
  --history N                scans of history seeded before the monitoring part measures (${d('historyScans')})
  --soak N                   scans in the soak (${d('soakScans')})
  --transient N              scans in the soak's transient-failure run, 10 % of pages answering 503 once
                             (${d('transientScans')})
  --seed N                   corpus generator seed (${d('seed')})
  --out DIR                  where the JSON results and the corpus go (${d('outDir')})
  --log-level LEVEL          the embedded stack's log level on stderr (default error):
                             ${LOG_LEVELS.join(', ')}
  -V, --version              the version
  -h, --help                 this text

Exit status (the same as wcag's and conformance's): 0 when every part ran (figures are never asserted), 1 when a part
could not run, 2 on a usage error.`;
}

function positive(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || v === '' || !Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} needs a positive whole number, got ${v === undefined ? 'nothing' : `"${v}"`}`);
  return n;
}

export type BenchCommandLine = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: ReturnType<typeof parseArgs> };

/** --help and --version win over everything else on the line (as they do for wcag and conformance). */
export function parseCommandLine(argv: readonly string[]): BenchCommandLine {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
  if (argv.includes('--version') || argv.includes('-V')) return { kind: 'version' };
  return { kind: 'run', options: parseArgs(argv) };
}

/** Parses argv (without node and the script); throws UsageError with a message on a bad flag. */
export function parseArgs(argv: readonly string[]): BenchOptions & { logLevel: string } {
  const quick = argv.includes('--quick');
  const o = { ...defaults(quick), logLevel: 'error' };
  const only = new Set<Part>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    // A flag's value is the next word, unless that is another flag (a forgotten value).
    const next = () => {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i += 1;
      return v;
    };
    switch (flag) {
      case '--quick':
        break;
      case '--only':
        for (const p of next().split(',').filter(Boolean)) {
          if (!(PARTS as readonly string[]).includes(p)) throw new UsageError(`unknown part "${p}" (parts: ${PARTS.join(', ')})`);
          only.add(p as Part);
        }
        break;
      case '--pages':
        o.pages = positive(flag, next());
        break;
      case '--throughput-pages':
        o.throughputPages = positive(flag, next());
        break;
      case '--corpus':
        o.corpora = [];
        for (const c of next().split(',').filter(Boolean)) {
          if (!(CORPUS_MODES as readonly string[]).includes(c))
            throw new UsageError(`unknown corpus "${c}" (corpora: ${CORPUS_MODES.join(', ')})`);
          if (!o.corpora.includes(c as CorpusMode)) o.corpora.push(c as CorpusMode);
        }
        if (!o.corpora.length) throw new UsageError('--corpus needs at least one corpus');
        break;
      case '--history-sample':
        o.historySample = positive(flag, next());
        break;
      case '--backlog-sub-windows':
        o.backlogSubWindows = positive(flag, next());
        break;
      case '--concurrency':
        o.concurrency = next()
          .split(',')
          .map((c) => positive(flag, c));
        break;
      case '--soak':
        o.soakScans = positive(flag, next());
        break;
      case '--transient':
        o.transientScans = positive(flag, next());
        break;
      case '--backlog-window':
        o.backlogWindow = positive(flag, next());
        break;
      case '--history':
        o.historyScans = positive(flag, next());
        break;
      case '--seed':
        o.seed = positive(flag, next());
        break;
      case '--out':
        o.outDir = next();
        break;
      case '--log-level':
        o.logLevel = next();
        if (!LOG_LEVELS.includes(o.logLevel))
          throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${o.logLevel}"`);
        break;
      default:
        throw new UsageError(flag.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${flag}" (bench takes options only)`);
    }
  }
  if (only.size) o.only = PARTS.filter((p) => only.has(p));
  else if (argv.includes('--only')) throw new UsageError('--only needs at least one part');
  o.throughputPages = Math.min(o.throughputPages, o.pages);
  if (o.backlogSubWindows > o.backlogWindow)
    throw new UsageError(`--backlog-sub-windows (${o.backlogSubWindows}) exceeds --backlog-window (${o.backlogWindow})`);
  return o;
}
