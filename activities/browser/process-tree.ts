// Chromium is a tree of processes (browser, renderers, GPU, utility): memory and kills must cover all of it.
import { readdirSync, readFileSync } from 'node:fs';
import type { TreeMemory } from '../../core/browser-stats';

export type { TreeMemory };

function childrenOf(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may contain spaces and parentheses: fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process exited while we were reading
    }
  }
  return children;
}

/** The pid and all its descendants. */
export function processTree(rootPid: number): number[] {
  const children = childrenOf();
  const out: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function pssBytes(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Memory of the whole tree. Limits use PSS; RSS is reported because it is what `ps` and `top` show. */
export function treeMemory(rootPid: number): TreeMemory {
  let pss = 0;
  let rss = 0;
  for (const pid of processTree(rootPid)) {
    const r = rssBytes(pid);
    rss += r;
    // Without smaps_rollup (kernels before 4.14) fall back to RSS: it over-counts, which errs on the safe side.
    pss += pssBytes(pid) ?? r;
  }
  return { pssMb: Math.round(pss / 1048576), rssMb: Math.round(rss / 1048576) };
}

/** SIGKILLs every process of the tree, leaves first, and reports how many were signalled. */
export function killTree(rootPid: number): number {
  const pids = processTree(rootPid).reverse();
  let killed = 0;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
