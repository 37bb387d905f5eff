// `npm run bench`: throughput against the machine's limit, enqueue and monitoring latency, and a soak, each on
// an embedded stack of its own (Temporal dev server, fresh Postgres database, in-process API and workers) over
// generated corpora served from 127.0.0.1 (and 127.0.0.2-21 for the multi-site corpus). Prints a Markdown table and writes one JSON file to bench-results/.
// Parts live in scripts/bench/; this file wires them. Exit 0 when every part ran (figures are never asserted),
// 1 when a part could not run, 2 on a bad command line (scripts/exit-status.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEnv } from '../lib/env';
import { HELP_COMMAND, parseCommandLine, usage, type BenchCommandLine } from './bench/args';
import { runBareLoop } from './bench/bare-loop';
import { MULTI_SITE_COUNT, type BenchContext, type BenchCorpus, type BenchOptions, type CorpusMode, type Part } from './bench/context';
import { checkCorrectness, describeCorpus, generateCorpus, generateLightCorpus, type CorpusPage } from './bench/corpus';
import { startCorpusServer, type CorpusServer } from './bench/corpus-server';
import { runEnqueue } from './bench/enqueue';
import { startBenchInfra, type BenchInfra } from './bench/infra';
import { runMonitoring } from './bench/monitoring';
import { formatReport, type BenchResult, type Machine } from './bench/report';
import { leftovers, runSoak } from './bench/soak';
import { runThroughput } from './bench/throughput';
import type { LogLevel } from './conformance/in-process';
import { ExitStatus, UsageError, usageErrorLine } from './exit-status';
import { versionInfo, versionLine } from './version';

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

function machine(chromePath: string): Machine {
  let chromium = 'Chromium (version unknown)';
  try {
    chromium = execFileSync(chromePath, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // reported as unknown
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    loadStart: loadavg(),
    loadEnd: [],
    node: process.version,
    chromium,
  };
}

/** The corpus part alone: write the pages out and check every expected violation with the reused-page loop. */
async function corpusPart(o: BenchOptions, corpus: CorpusPage[], server: CorpusServer, verify: boolean) {
  const dir = join(o.outDir, 'corpus');
  mkdirSync(dir, { recursive: true });
  for (const p of corpus) writeFileSync(join(dir, p.path.split('/').pop()!), p.html);
  writeFileSync(
    join(dir, 'expected.json'),
    JSON.stringify(
      corpus.map((p) => ({ path: p.path, bytes: p.bytes, elements: p.elements, expected: p.expected })),
      null,
      1,
    ),
  );
  const facts: Record<string, unknown> = { ...describeCorpus(corpus), writtenTo: dir };
  if (verify) {
    log(`corpus: checking ${corpus.length} pages against their expected violations`);
    const env = loadEnv({ ...process.env, LOG_LEVEL: 'silent', MAX_CONCURRENT_PAGES: '3' });
    const run = await runBareLoop(
      env,
      corpus.map((p) => server.url(p.path)),
      'reuse',
    );
    const found = new Map(run.timings.filter((t) => !t.error).map((t) => [new URL(t.url).pathname, t.violations]));
    facts.correctness = checkCorrectness(corpus, found);
  }
  return facts;
}

/** The throughput part's corpora: a prefix of each, the multi-site one round-robin over the extra sites. */
function benchCorpora(o: BenchOptions, realistic: CorpusPage[], light: CorpusPage[], server: CorpusServer): BenchCorpus[] {
  const n = o.throughputPages;
  const make: Record<CorpusMode, () => BenchCorpus> = {
    realistic: () => ({ mode: 'realistic', pages: realistic.slice(0, n), urls: realistic.slice(0, n).map((p) => server.url(p.path)) }),
    light: () => ({ mode: 'light', pages: light.slice(0, n), urls: light.slice(0, n).map((p) => server.url(p.path)) }),
    // 127.0.0.2 … 127.0.0.21 in turn: consecutive navigations are always cross-site.
    'multi-site': () => ({
      mode: 'multi-site',
      pages: realistic.slice(0, n),
      urls: realistic.slice(0, n).map((p, i) => server.siteUrl(1 + (i % MULTI_SITE_COUNT), p.path)),
    }),
  };
  return o.corpora.map((m) => make[m]());
}

async function main(): Promise<number> {
  let line: BenchCommandLine;
  try {
    line = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(usageErrorLine('bench', err.message, HELP_COMMAND));
    return ExitStatus.Usage;
  }
  if (line.kind === 'help') {
    process.stdout.write(`${usage()}\n`);
    return ExitStatus.Ok;
  }
  if (line.kind === 'version') {
    process.stdout.write(`${versionLine(versionInfo('bench'))}\n`);
    return ExitStatus.Ok;
  }
  const o = line.options;
  const started = new Date();
  const env0 = loadEnv({ ...process.env, LOG_LEVEL: 'silent' });
  const result: BenchResult = {
    startedAt: started.toISOString(),
    finishedAt: '',
    durationS: 0,
    options: { ...o },
    machine: machine(env0.CHROME_PATH),
    errors: [],
  };
  const corpus = generateCorpus({ pages: o.pages, seed: o.seed });
  const light = generateLightCorpus({ pages: o.pages, seed: o.seed });
  const multiSite = o.only.includes('throughput') && o.corpora.includes('multi-site');
  const server = await startCorpusServer([...corpus, ...light], { extraSites: multiSite ? MULTI_SITE_COUNT : 0 });
  let infra: BenchInfra | null = null;
  const needsStack = o.only.some((p) => p !== 'corpus');
  // Everything bounds itself; this is the backstop for a wedged dependency.
  const watchdog = setTimeout(
    () => {
      log('bench: run exceeded its time limit, stopping');
      void (infra?.stop() ?? Promise.resolve()).finally(() => process.exit(ExitStatus.Failure));
    },
    (o.quick ? 15 : 150) * 60_000,
  );
  watchdog.unref();
  // Ctrl-C or a CI timeout: take the dev server, the database and the browsers down with us.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`bench: ${sig}, stopping`);
      void (infra?.stop() ?? Promise.resolve()).finally(() => process.exit(ExitStatus.Failure));
    });
  }
  try {
    if (needsStack) infra = await startBenchInfra({ logLevel: o.logLevel as LogLevel, log, corpusHosts: server.hosts });
    const corpora = benchCorpora(o, corpus, light, server);
    const ctx: BenchContext | null = infra ? { opts: o, infra, corpus, corpora, server, log } : null;
    const parts: Record<Part, () => Promise<void>> = {
      corpus: async () => {
        result.corpus = await corpusPart(o, corpus, server, !o.only.includes('throughput'));
        result.corpus.light = describeCorpus(light);
      },
      throughput: async () => {
        result.throughput = await runThroughput(ctx!);
      },
      enqueue: async () => {
        result.enqueue = await runEnqueue(ctx!);
      },
      monitoring: async () => {
        result.monitoring = await runMonitoring(ctx!);
      },
      soak: async () => {
        const soak = await runSoak(ctx!);
        result.soak = { ...soak, orphans: [], zombies: [] };
      },
    };
    for (const part of o.only) {
      const t = Date.now();
      try {
        await parts[part]();
        log(`${part}: done in ${Math.round((Date.now() - t) / 1000)} s`);
      } catch (err) {
        log(`${part}: failed: ${(err as Error).stack ?? String(err)}`);
        result.errors.push({ part, message: (err as Error).message });
      }
    }
  } catch (err) {
    result.errors.push({ part: 'stack', message: (err as Error).message });
    log(`bench: could not start: ${(err as Error).stack ?? String(err)}`);
  } finally {
    await infra?.stop().catch((err: Error) => log(`bench: stopping the stack: ${err.message}`));
    await server.close();
    clearTimeout(watchdog);
  }
  if (result.soak) {
    // Only now is every browser closed: whatever Chromium the run started and is still here leaked.
    await new Promise((r) => setTimeout(r, 1_000));
    Object.assign(result.soak, leftovers(result.soak.chromiumPidsSeen));
  }
  result.machine.loadEnd = loadavg();
  result.finishedAt = new Date().toISOString();
  result.durationS = Math.round((Date.now() - started.getTime()) / 1000);
  mkdirSync(o.outDir, { recursive: true });
  const file = resolve(o.outDir, `bench-${result.startedAt.replace(/[:.]/g, '-')}${o.quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  process.stdout.write(`${formatReport(result)}\nfull results: ${file}\n`);
  return result.errors.length ? ExitStatus.Failure : ExitStatus.Ok;
}

// Exit once stdout has drained: a pipe may be written asynchronously and exit() would cut the report.
const exit = (code: number) => process.stdout.write('', () => process.exit(code));
main().then(exit, (err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  exit(ExitStatus.Failure);
});
