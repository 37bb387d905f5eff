// Command line of `npm run bench`: which parts, full or quick sizes, overrides.
import { CORPUS_MODES, PARTS, type BenchOptions, type CorpusMode, type Part } from './context';

export const USAGE = `usage: npm run bench -- [--quick] [--only ${PARTS.join('|')}[,…]] [--pages N] [--throughput-pages N]
       [--corpus ${CORPUS_MODES.join('|')}[,…]] [--concurrency 1,3] [--history-sample N] [--soak N] [--transient N]
       [--backlog-window N] [--backlog-sub-windows N] [--history N] [--seed N] [--out DIR] [--log-level LEVEL]
  --corpus             corpora for the throughput part (default all): realistic (small-business pages, 20-150 KB),
                       light (documentation pages, 20-100 KB), multi-site (the realistic pages from 20 loopback sites)
  --history-sample     platform scans per configuration whose workflow histories give the Temporal/DB breakdown
  --backlog-window     scans timed at each backlog depth (the backlog is topped up so it stays at its depth)
  --backlog-sub-windows  sub-windows the timed scans are split into, for the rate's spread`;

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

function positive(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive whole number, got ${v ?? 'nothing'}`);
  return n;
}

/** Parses argv (without node and the script); throws with a message on a bad flag. */
export function parseArgs(argv: readonly string[]): BenchOptions & { logLevel: string } {
  const quick = argv.includes('--quick');
  const o = { ...defaults(quick), logLevel: 'error' };
  const only = new Set<Part>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => argv[++i];
    switch (flag) {
      case '--quick':
        break;
      case '--only':
        for (const p of (next() ?? '').split(',').filter(Boolean)) {
          if (!(PARTS as readonly string[]).includes(p)) throw new Error(`unknown part "${p}" (parts: ${PARTS.join(', ')})`);
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
        for (const c of (next() ?? '').split(',').filter(Boolean)) {
          if (!(CORPUS_MODES as readonly string[]).includes(c))
            throw new Error(`unknown corpus "${c}" (corpora: ${CORPUS_MODES.join(', ')})`);
          if (!o.corpora.includes(c as CorpusMode)) o.corpora.push(c as CorpusMode);
        }
        if (!o.corpora.length) throw new Error('--corpus needs at least one corpus');
        break;
      case '--history-sample':
        o.historySample = positive(flag, next());
        break;
      case '--backlog-sub-windows':
        o.backlogSubWindows = positive(flag, next());
        break;
      case '--concurrency':
        o.concurrency = (next() ?? '').split(',').map((c) => positive(flag, c));
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
        o.outDir = next() ?? o.outDir;
        break;
      case '--log-level':
        o.logLevel = next() ?? o.logLevel;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (only.size) o.only = PARTS.filter((p) => only.has(p));
  o.throughputPages = Math.min(o.throughputPages, o.pages);
  if (o.backlogSubWindows > o.backlogWindow)
    throw new Error(`--backlog-sub-windows (${o.backlogSubWindows}) exceeds --backlog-window (${o.backlogWindow})`);
  return o;
}
