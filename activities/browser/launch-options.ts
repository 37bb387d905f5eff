import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LaunchOptions } from 'puppeteer-core';

export interface LaunchConfig {
  chromePath: string;
  launchTimeoutMs: number;
  viewport: { width: number; height: number };
  protocolTimeoutMs: number;
}

/**
 * Flags verified on our machines: without the background-networking ones Chromium floods a closed network with
 * update and metrics requests; --no-sandbox because workers run as root in CI (the Docker image runs unprivileged).
 */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
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
  // WebRTC's UDP would slip past the egress proxy that enforces the target address rules.
  '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
];

/** A fresh profile directory per launch: nothing survives a browser restart. */
export function buildLaunchOptions(cfg: LaunchConfig): LaunchOptions & { userDataDir: string } {
  const userDataDir = mkdtempSync(join(tmpdir(), 'wcag-chromium-'));
  return {
    executablePath: cfg.chromePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, `--user-data-dir=${userDataDir}`],
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
