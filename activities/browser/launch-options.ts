import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LaunchOptions } from 'puppeteer-core';

export interface LaunchConfig {
  chromePath: string;
  launchTimeoutMs: number;
  viewport: { width: number; height: number };
  protocolTimeoutMs: number;
  /** Run Chromium with its sandbox. Absent: decided from the process's user (see decideSandbox, mode auto). */
  sandbox?: boolean;
}

export type SandboxMode = 'auto' | 'on' | 'off';

export interface SandboxDecision {
  enabled: boolean;
  reason: string;
}

/**
 * CHROME_SANDBOX: `auto` (default) sandboxes unless the worker runs as root, where Chromium refuses to start
 * sandboxed; `on` insists (and refuses to start as root rather than silently dropping it); `off` is an explicit
 * opt-out for hosts that cannot give Chromium user namespaces (README "Browser pool and kill switches").
 */
export function decideSandbox(mode: SandboxMode, uid: number | null): SandboxDecision {
  const root = uid === 0;
  if (mode === 'off') return { enabled: false, reason: 'CHROME_SANDBOX=off' };
  if (mode === 'on') {
    if (root)
      throw new Error(
        'CHROME_SANDBOX=on, but the worker runs as root and Chromium cannot be sandboxed as root: run as an unprivileged user',
      );
    return { enabled: true, reason: 'CHROME_SANDBOX=on' };
  }
  return root
    ? { enabled: false, reason: 'the worker runs as root (CHROME_SANDBOX=auto)' }
    : { enabled: true, reason: 'the worker runs unprivileged (CHROME_SANDBOX=auto)' };
}

/** The current process's uid; null where there is none (Windows). */
export function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

/**
 * Flags verified on our machines: without the background-networking ones Chromium floods a closed network with
 * update and metrics requests. `--no-sandbox` is added only when decideSandbox says so (root, or an opt-out).
 */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-dev-shm-usage',
  '--mute-audio',
  '--hide-scrollbars',
  '--no-default-browser-check',
  '--password-store=basic',
  '--use-mock-keychain',
  // WebRTC's UDP would slip past the egress proxy that enforces the target address rules: with this policy WebRTC
  // opens no UDP socket at all and may use TCP only through the (per-context) proxy. The switch Chromium reads is
  // --webrtc-ip-handling-policy; `--force-webrtc-ip-handling-policy`, used here before, is not a Chromium switch and
  // left STUN, TURN and ICE checks going straight out over UDP (browser-side-channels.int.test.ts proves both).
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
];

/** A fresh profile directory per launch: nothing survives a browser restart. */
export function buildLaunchOptions(cfg: LaunchConfig): LaunchOptions & { userDataDir: string } {
  const userDataDir = mkdtempSync(join(tmpdir(), 'wcag-chromium-'));
  return {
    executablePath: cfg.chromePath,
    headless: true,
    args: [
      ...CHROMIUM_FLAGS,
      ...((cfg.sandbox ?? decideSandbox('auto', currentUid()).enabled) ? [] : ['--no-sandbox']),
      `--user-data-dir=${userDataDir}`,
    ],
    userDataDir,
    timeout: cfg.launchTimeoutMs,
    defaultViewport: cfg.viewport,
    // The pool decides when the browser dies; puppeteer's own signal handlers would race our shutdown order.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // Each scan enforces its own budget and closes the page; a CDP call must not give up before that (axe on a
    // 20,000-element DOM is one long call).
    protocolTimeout: cfg.protocolTimeoutMs,
    // CDP over a pipe, not a websocket: when the worker dies (even SIGKILLed) Chromium sees the pipe close and
    // exits, instead of living on as an orphan.
    pipe: true,
  };
}
