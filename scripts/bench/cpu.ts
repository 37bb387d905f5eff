// CPU time consumed by a process tree (Chromium, the Temporal dev server) and by this process, between two
// readings, from /proc/<pid>/stat.
import { readFileSync } from 'node:fs';
import { processTree } from '../../activities/browser/process-tree';

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux build this runs on. */
const TICKS_PER_S = 100;

/**
 * utime + stime + cutime + cstime of one /proc/<pid>/stat line, in ticks. A reaped child's time moves into its
 * parent's cutime/cstime as the child leaves the tree, so summing all four over the live tree counts every tick
 * once, renderers that exited between two readings included.
 */
export function statCpuTicks(stat: string): number {
  // The command name may contain spaces and parentheses: fields start after the last ')' with field 3 (state).
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14-17 of proc(5) are utime, stime, cutime, cstime: indexes 11-14 here.
  return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
}

/** CPU seconds of the tree under `rootPid` so far (live processes plus the children they reaped). */
export function treeCpuSeconds(rootPid: number): number {
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    try {
      ticks += statCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      // exited between listing and reading: its time is in its parent's cutime by the next reading
    }
  }
  return ticks / TICKS_PER_S;
}

export interface CpuSeconds {
  /** Chromium's tree; null when the browser was replaced during the interval (the old tree's time is lost). */
  chromium: number | null;
  /** This Node process: the benchmark, and the in-process API and workers when the platform runs. */
  node: number;
  /** The Temporal dev server's tree, when its pid is known. */
  temporal: number | null;
}

export interface CpuMeter {
  stop(): CpuSeconds;
}

/** Starts counting; `chromiumPid` is asked at start and at stop (a relaunched browser invalidates its figure). */
export function startCpuMeter(chromiumPid: () => number | null | undefined, temporalPid?: number | null): CpuMeter {
  const pid0 = chromiumPid() ?? null;
  const chromium0 = pid0 ? treeCpuSeconds(pid0) : 0;
  const temporal0 = temporalPid ? treeCpuSeconds(temporalPid) : 0;
  const node0 = process.cpuUsage();
  return {
    stop() {
      const node = process.cpuUsage(node0);
      const pid1 = chromiumPid() ?? null;
      return {
        chromium: pid0 && pid0 === pid1 ? treeCpuSeconds(pid1) - chromium0 : null,
        node: (node.user + node.system) / 1e6,
        temporal: temporalPid ? treeCpuSeconds(temporalPid) - temporal0 : null,
      };
    },
  };
}
