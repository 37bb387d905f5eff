// Run as a child process (chromium-sandbox.int.test.ts runs it as an unprivileged user): launches Chromium exactly
// as the pool does with CHROME_SANDBOX=auto, loads a page, and prints one JSON line about the sandbox.
import { execFileSync } from 'node:child_process';
import { readlinkSync, rmSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { buildLaunchOptions, currentUid, decideSandbox } from '../../activities/browser/launch-options';

function namespace(pid: number, kind: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const decision = decideSandbox('auto', currentUid());
  const opts = buildLaunchOptions({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    launchTimeoutMs: 30_000,
    viewport: { width: 800, height: 600 },
    protocolTimeoutMs: 30_000,
    sandbox: decision.enabled,
  });
  const browser = await puppeteer.launch(opts);
  try {
    const page = await browser.newPage();
    await page.goto('data:text/html,<title>sandboxed</title>');
    const pid = browser.process()!.pid!;
    const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
    const renderers = ps
      .split('\n')
      .filter((l) => l.includes('--type=renderer') && l.includes(opts.userDataDir))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    console.log(
      JSON.stringify({
        uid: currentUid(),
        decision,
        noSandboxFlag: (opts.args ?? []).includes('--no-sandbox'),
        title: await page.title(),
        browserUserNs: namespace(pid, 'user'),
        rendererUserNs: renderers.map((r) => namespace(r, 'user')),
      }),
    );
  } finally {
    await browser.close();
    rmSync(opts.userDataDir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
