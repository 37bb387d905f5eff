import pino from 'pino';
import { BrowserPool } from '../../activities/browser/browser-pool';

/** One page at a time on real Chromium, with timeouts loose enough for a busy 2-core machine and no recycling mid-suite. */
export function testBrowserPool(): BrowserPool {
  return new BrowserPool(
    {
      chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
      launchTimeoutMs: 60_000,
      viewport: { width: 1280, height: 800 },
      protocolTimeoutMs: 60_000,
      maxPages: 1,
      maxMemoryMb: 4_000,
      healthCheckIntervalMs: 60_000,
      idleTimeoutMs: 600_000,
    },
    pino({ level: 'silent' }),
  );
}
