// Chromium's sandbox, launched for real: as root (this machine, CI) the pool must fall back to --no-sandbox and
// still work; as an unprivileged user (the production image) it must run sandboxed, its renderers in their own user
// namespace. The unprivileged case needs root to switch users (runuser) and is skipped elsewhere.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PROBE = join(ROOT, 'test', 'support', 'sandbox-probe.ts');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

interface Probe {
  uid: number;
  decision: { enabled: boolean; reason: string };
  noSandboxFlag: boolean;
  title: string;
  browserUserNs: string | null;
  rendererUserNs: Array<string | null>;
}

/**
 * Lets other users traverse the folders above the checkout for the duration of `fn`: a clone in a private folder
 * (`mktemp -d` is 0700) would otherwise keep the unprivileged user from reaching tsx and the probe.
 */
function withCheckoutReachable<T>(fn: () => T): T {
  const changed: Array<[string, number]> = [];
  for (let dir = ROOT; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      changed.push([dir, mode]);
    }
    if (dirname(dir) === dir) break;
  }
  try {
    return fn();
  } finally {
    for (const [dir, mode] of changed) chmodSync(dir, mode);
  }
}

function probe(asUser?: string): Probe {
  const home = mkdtempSync(join(tmpdir(), 'sandbox-probe-'));
  chmodSync(home, 0o777);
  try {
    const env = [
      'env',
      `HOME=${home}`,
      `TMPDIR=${home}`,
      `PATH=${process.env.PATH}`,
      `CHROME_PATH=${process.env.CHROME_PATH ?? '/usr/bin/chromium'}`,
    ];
    const [cmd, args] = asUser ? ['runuser', ['-u', asUser, '--', ...env, TSX, PROBE]] : [TSX, [PROBE]];
    const run = () => execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 90_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = asUser ? withCheckoutReachable(run) : run();
    return JSON.parse(out.trim().split('\n').pop()!) as Probe;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const isRoot = process.getuid?.() === 0;
const canSwitchUser = isRoot && existsSync('/usr/sbin/runuser');

describe('Chromium sandbox', () => {
  (isRoot ? it : it.skip)('as root (auto): runs with --no-sandbox and works', () => {
    const p = probe();
    expect(p).toMatchObject({ uid: 0, decision: { enabled: false }, noSandboxFlag: true, title: 'sandboxed' });
  });

  (canSwitchUser ? it : it.skip)('as an unprivileged user (auto): runs sandboxed, renderers in their own user namespace', () => {
    const p = probe('nobody');
    expect(p).toMatchObject({ decision: { enabled: true }, noSandboxFlag: false, title: 'sandboxed' });
    expect(p.uid).not.toBe(0);
    expect(p.rendererUserNs.length).toBeGreaterThan(0);
    for (const ns of p.rendererUserNs) {
      expect(ns).toMatch(/^user:/);
      expect(ns).not.toBe(p.browserUserNs);
    }
  });
});
