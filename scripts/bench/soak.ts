// Soak: many scans through one worker's pool, memory sampled as it goes, and a transient-failure variant.
import { readFileSync } from 'node:fs';
import { processTree, treeMemory } from '../../activities/browser/process-tree';
import type { RestartCause } from '../../activities/browser/browser-pool';
import type { BenchContext } from './context';
import { checkCorrectness, type CorrectnessReport } from './corpus';
import { markFailOnce } from './corpus-server';
import { apiOf, bulkScans, submitBulk, waitForBulk } from './platform';
import { round, slopePer100Scans } from './stats';

export interface SoakSample {
  atS: number;
  scans: number;
  rssMb: number;
  heapMb: number;
  chromiumPssMb: number;
  chromiumRssMb: number;
}

export interface SoakRun {
  scans: number;
  minutes: number;
  completed: number;
  failed: number;
  successRate: number;
  attemptsSpent: number;
  correctness: CorrectnessReport;
  restarts: Record<RestartCause, number>;
  launches: number;
}

export interface SoakResult {
  main: SoakRun & {
    samples: SoakSample[];
    warmupScans: number;
    slopeMbPer100: { workerRss: number; heap: number; chromiumPss: number };
  };
  transient: SoakRun & { injectedFailures: number; share: number };
  /** Chromium processes this run started, as seen while sampling (checked after everything stopped). */
  chromiumPidsSeen: number[];
}

/** Whether a pid looks like a Chromium process (its command line names it). */
export function isChromium(pid: number): boolean {
  try {
    return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/** Of the given pids: Chromium still running (orphans) and exited but not reaped (zombies). */
export function leftovers(pids: readonly number[]): { orphans: number[]; zombies: number[] } {
  const orphans: number[] = [];
  const zombies: number[] = [];
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone, as it should be
    }
    // "pid (comm) S ...": a zombie keeps its comm but has no command line any more.
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) {
      if (/chrom/i.test(comm)) zombies.push(pid);
    } else if (isChromium(pid)) orphans.push(pid);
  }
  return { orphans, zombies };
}

/** Chromium processes among our descendants right now. */
export function ourChromiumPids(): number[] {
  return processTree(process.pid).filter((pid) => pid !== process.pid && isChromium(pid));
}

async function soakRun(
  ctx: BenchContext,
  scans: number,
  tag: string,
  failShare: number,
  seen: Set<number>,
  samples: SoakSample[] | null,
): Promise<SoakRun> {
  const pl = await ctx.infra.platform(3);
  const api = apiOf(pl);
  const before = pl.pool.stats();
  const urls = markFailOnce(
    Array.from({ length: scans }, (_, i) => ctx.server.url(ctx.corpus[i % ctx.corpus.length].path, `${tag}=${i}`)),
    failShare,
  );
  const t0 = Date.now();
  let done = 0;
  const sample = () => {
    const pid = pl.pool.stats().pid;
    const chromium = pid ? treeMemory(pid) : { pssMb: 0, rssMb: 0 };
    for (const p of ourChromiumPids()) seen.add(p);
    const m = process.memoryUsage();
    samples?.push({
      atS: Math.round((Date.now() - t0) / 1000),
      scans: done,
      rssMb: Math.round(m.rss / 1048576),
      heapMb: Math.round(m.heapUsed / 1048576),
      chromiumPssMb: chromium.pssMb,
      chromiumRssMb: chromium.rssMb,
    });
  };
  sample();
  const timer = setInterval(sample, ctx.opts.sampleEveryMs);
  let lastLog = 0;
  try {
    const bulkId = await submitBulk(api, urls, { clientId: `bench-${tag}` });
    await waitForBulk(
      api,
      bulkId,
      120_000 + scans * 30_000,
      (p) => {
        done = p.completed + p.failed + p.cancelled;
        if (Date.now() - lastLog > 30_000) {
          lastLog = Date.now();
          const s = samples?.[samples.length - 1];
          ctx.log(
            `  ${tag}: ${done}/${scans}${s ? ` (worker RSS ${s.rssMb} MB, heap ${s.heapMb} MB, Chromium PSS ${s.chromiumPssMb} MB)` : ''}`,
          );
        }
      },
      1_000,
    );
    sample();
    const rows = await bulkScans(ctx.infra.prisma, bulkId);
    const after = pl.pool.stats();
    const found = new Map<string, string[]>();
    // Pages repeat in a soak: each path is checked once, with its first completed scan; any other differing is
    // counted through the per-scan comparison below.
    let wrong = 0;
    for (const s of rows) {
      if (s.status !== 'completed') continue;
      const path = new URL(s.url).pathname;
      if (!found.has(path)) found.set(path, s.violations);
      else if ([...found.get(path)!].sort().join() !== [...s.violations].sort().join()) wrong++;
    }
    const correctness = checkCorrectness(ctx.corpus, found);
    const completed = rows.filter((s) => s.status === 'completed').length;
    const restarts = Object.fromEntries(
      Object.entries(after.restarts).map(([k, v]) => [k, v - before.restarts[k as RestartCause]]),
    ) as Record<RestartCause, number>;
    if (wrong)
      correctness.mismatches.push({
        path: '(repeat scans)',
        missing: [],
        unexpected: [`${wrong} repeat scans differ from the first scan of their page`],
      });
    return {
      scans,
      minutes: round((Date.now() - t0) / 60_000),
      completed,
      failed: rows.filter((s) => s.status === 'failed').length,
      successRate: round(completed / scans),
      attemptsSpent: rows.reduce((n, s) => n + s.attempts, 0),
      correctness,
      restarts,
      launches: after.launches - before.launches,
    };
  } finally {
    clearInterval(timer);
  }
}

export async function runSoak(ctx: BenchContext): Promise<SoakResult> {
  const seen = new Set<number>();
  const samples: SoakSample[] = [];
  ctx.log(`soak: ${ctx.opts.soakScans} scans, sampling every ${ctx.opts.sampleEveryMs / 1000} s`);
  const main = await soakRun(ctx, ctx.opts.soakScans, 'soak', 0, seen, samples);
  const warmupScans = Math.max(10, Math.round(ctx.opts.soakScans * 0.2));
  const slopeOf = (k: 'rssMb' | 'heapMb' | 'chromiumPssMb') =>
    round(
      slopePer100Scans(
        samples.map((s) => ({ scans: s.scans, mb: s[k] })),
        warmupScans,
      ),
    );

  ctx.log(`soak: ${ctx.opts.transientScans} scans, ${Math.round(ctx.opts.transientShare * 100)} % of pages answer 503 once`);
  ctx.server.reset();
  ctx.server.setTransientFailures(true);
  let transient: SoakRun;
  try {
    transient = await soakRun(ctx, ctx.opts.transientScans, 'transient', ctx.opts.transientShare, seen, null);
  } finally {
    ctx.server.setTransientFailures(false);
  }
  return {
    main: {
      ...main,
      samples,
      warmupScans,
      slopeMbPer100: { workerRss: slopeOf('rssMb'), heap: slopeOf('heapMb'), chromiumPss: slopeOf('chromiumPssMb') },
    },
    transient: { ...transient, injectedFailures: ctx.server.injectedFailures, share: ctx.opts.transientShare },
    chromiumPidsSeen: [...seen],
  };
}
