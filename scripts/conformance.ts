// `npm run conformance -- <dir>`: an ACT Rules corpus through the real pipeline (HTTP API → Temporal → worker →
// Chromium → Postgres → HTTP API), scored per ACT rule against the expected outcomes and axe-core's own report.
// Pieces live in scripts/conformance/ (exit statuses in conformance/exit.ts); this file wires them.
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import axePackage from 'axe-core/package.json';
import { config as loadDotenv } from 'dotenv';
import { createApiClient } from './conformance/api-client';
import { parseCliArgs, USAGE } from './conformance/args';
import { mapBounded } from './conformance/bounded';
import { UsageError } from './conformance/errors';
import { errorExit, runExitStatus } from './conformance/exit';
import { startInProcessPipeline, type InProcessPipeline, type LogLevel } from './conformance/in-process';
import { parseManifest, selectCases } from './conformance/manifest';
import { judgeCase, type CaseResult } from './conformance/outcome';
import { formatDifferences, formatSummary, summarise, type Summary } from './conformance/report';
import { scanCase } from './conformance/scan-case';
import { startStaticServer } from './conformance/static-server';
import { chooseTags, type TagChoice } from './conformance/tags';
import { ExitStatus } from './exit-status';
import { versionInfo, versionLine } from './version';

export interface ConformanceOptions {
  /** The corpus folder: holds manifest.json and is the static server's root. */
  dir: string;
  /** A running API to use instead of an in-process one. */
  api?: { baseUrl: string; key: string };
  /** Configuration for the in-process pipeline (default process.env). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  concurrency?: number;
  rules?: string[];
  limit?: number;
  /** The in-process pipeline's log level (stderr); default error: the report says what failed. */
  logLevel?: LogLevel;
  /** Called with the run's setup lines and then once per finished case. */
  progress?: (line: string) => void;
}

export interface ConformanceRun {
  corpus: string;
  mode: 'in-process' | 'api';
  apiBaseUrl: string;
  taskQueuePrefix?: string;
  /** axe-core versions the stored results report (the workers'), and the one the tag choice was made with. */
  axeVersions: string[];
  localAxeVersion: string;
  tags: TagChoice;
  timeoutMs: number;
  concurrency: number;
  startedAt: string;
  finishedAt: string;
  results: CaseResult[];
  summary: Summary;
}

type AxeWithAudit = typeof axe & { _audit?: { tagExclude?: string[] } };

/** The tags that make every axe rule the selected cases map actually run, chosen from this axe-core's rules. */
function tagsFor(axeRuleIds: Iterable<string>): TagChoice {
  const tagExclude = (axe as AxeWithAudit)._audit?.tagExclude ?? ['experimental', 'deprecated'];
  return chooseTags(axeRuleIds, axe.getRules(), tagExclude);
}

/** Runs the selected cases of the corpus at `o.dir` and returns every case's result with the summary. */
export async function runConformance(o: ConformanceOptions): Promise<ConformanceRun> {
  const say = o.progress ?? (() => undefined);
  const timeoutMs = o.timeoutMs ?? 30_000;
  const concurrency = o.concurrency ?? 3;
  const dir = resolve(o.dir);
  const manifestText = await readFile(join(dir, 'manifest.json'), 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(
      `${join(dir, 'manifest.json')}: ${err.code === 'ENOENT' ? 'not found (<dir> must contain manifest.json)' : err.message}`,
    );
  });
  const cases = selectCases(parseManifest(manifestText), { rules: o.rules, limit: o.limit });
  if (cases.length === 0) throw new UsageError('no test cases selected');

  const tags = tagsFor(cases.flatMap((c) => c.axeRuleIds));
  say(`axe tags: ${tags.tags.join(', ')}`);
  for (const a of tags.added) say(`  ${a.tag} added for ${a.rules.join(', ')} (no ACT tag)`);
  for (const id of [...tags.unknownRules, ...tags.unrunnableRules])
    say(`  warning: axe rule ${id} cannot run with axe-core ${axePackage.version}; its cases read as passed`);

  const site = await startStaticServer(dir);
  let pipeline: InProcessPipeline | undefined;
  try {
    let api;
    if (o.api) {
      api = createApiClient(o.api.baseUrl, o.api.key);
    } else {
      say('starting the in-process API and workers…');
      pipeline = await startInProcessPipeline({ source: o.env ?? process.env, pages: concurrency, logLevel: o.logLevel ?? 'error' });
      api = createApiClient(pipeline.baseUrl, pipeline.apiKey);
    }
    await api.assertReady();
    say(
      `${cases.length} case(s) from ${dir} served at ${site.origin}, API ${api.baseUrl}${pipeline ? ` (task queues ${pipeline.taskQueuePrefix}-*)` : ''}`,
    );

    const startedAt = new Date().toISOString();
    const axeVersions = new Set<string>();
    let done = 0;
    const results = await mapBounded(cases, concurrency, async (c) => {
      const url = site.url(c.path);
      const scan = await scanCase(api, { url, timeoutMs, wcagTags: tags.tags });
      if (!('clientFailure' in scan) && scan.result?.axeVersion) axeVersions.add(scan.result.axeVersion);
      const r = judgeCase(c, url, scan);
      const mark = r.outcome === 'error' ? `error (${r.failureReason})` : r.outcome;
      say(`[${++done}/${cases.length}] ${c.actRuleId} ${c.testcaseTitle}: ${mark}; expected ${c.expected}, published ${c.axeOutcome}`);
      return r;
    });
    return {
      corpus: dir,
      mode: o.api ? 'api' : 'in-process',
      apiBaseUrl: api.baseUrl,
      taskQueuePrefix: pipeline?.taskQueuePrefix,
      axeVersions: [...axeVersions].sort(),
      localAxeVersion: axePackage.version,
      tags,
      timeoutMs,
      concurrency,
      startedAt,
      finishedAt: new Date().toISOString(),
      results,
      summary: summarise(results),
    };
  } finally {
    await pipeline?.stop();
    await site.close();
  }
}

/** The printed report: the per-rule table and totals, then every difference from axe-core's published outcome. */
export function formatRun(run: ConformanceRun): string {
  const versions = run.axeVersions.length ? run.axeVersions.join(', ') : 'unknown';
  return [
    `ACT conformance of the scan pipeline (${run.mode}, axe-core ${versions}; published outcomes are from axe-core's ACT report)`,
    `axe tags: ${run.tags.tags.join(', ')}`,
    '',
    formatSummary(run.summary),
    '',
    formatDifferences(run.results),
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  // Here rather than at import time: tests import runConformance and pass their own environment.
  loadDotenv({ quiet: true });
  const opts = parseCliArgs(argv, process.env);
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return ExitStatus.Ok;
  }
  if (opts.version) {
    process.stdout.write(`${versionLine(versionInfo('conformance'))}\n`);
    return ExitStatus.Ok;
  }
  const run = await runConformance({
    dir: opts.dir,
    api: opts.api && opts.key ? { baseUrl: opts.api, key: opts.key } : undefined,
    timeoutMs: opts.timeoutMs,
    concurrency: opts.concurrency,
    rules: opts.rules,
    limit: opts.limit,
    progress: (line) => process.stderr.write(`[conformance] ${line}\n`),
  });
  // `--json -`: stdout is the one JSON document, the report is for people and goes to stderr.
  const jsonToStdout = opts.json === '-';
  (jsonToStdout ? process.stderr : process.stdout).write(formatRun(run));
  if (jsonToStdout) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  else if (opts.json) {
    await writeFile(opts.json, `${JSON.stringify(run, null, 2)}\n`);
    process.stderr.write(`[conformance] per-case results written to ${opts.json}\n`);
  }
  const verdict = runExitStatus(run.summary.totals, opts.failOnDisagreement);
  if (verdict.reason) process.stderr.write(`conformance: ${verdict.reason}\n`);
  return verdict.status;
}

/** Exits once stdout has drained: on some platforms a pipe is written asynchronously and exit() would cut it. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

if (require.main === module) {
  main(process.argv.slice(2)).then(exitAfterFlush, (err: unknown) => {
    const { status, line } = errorExit(err);
    process.stderr.write(line);
    exitAfterFlush(status);
  });
}
