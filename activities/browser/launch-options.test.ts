import { rmSync } from 'node:fs';
import { buildLaunchOptions, CHROMIUM_FLAGS, decideSandbox, type LaunchConfig } from './launch-options';

const base: LaunchConfig = {
  chromePath: '/usr/bin/chromium',
  launchTimeoutMs: 1_000,
  viewport: { width: 800, height: 600 },
  protocolTimeoutMs: 1_000,
};

function argsOf(cfg: LaunchConfig): string[] {
  const opts = buildLaunchOptions(cfg);
  rmSync(opts.userDataDir, { recursive: true, force: true });
  return opts.args ?? [];
}

describe('decideSandbox', () => {
  it('auto: sandboxed for an unprivileged user, not for root', () => {
    expect(decideSandbox('auto', 10001)).toEqual({ enabled: true, reason: expect.stringMatching(/unprivileged/) });
    expect(decideSandbox('auto', 0)).toEqual({ enabled: false, reason: expect.stringMatching(/root/) });
  });

  it('auto without a uid (not POSIX) keeps the sandbox', () => {
    expect(decideSandbox('auto', null).enabled).toBe(true);
  });

  it('off always disables it, even for an unprivileged user', () => {
    expect(decideSandbox('off', 10001)).toEqual({ enabled: false, reason: 'CHROME_SANDBOX=off' });
    expect(decideSandbox('off', 0).enabled).toBe(false);
  });

  it('on requires it, and refuses to run as root instead of silently dropping it', () => {
    expect(decideSandbox('on', 10001).enabled).toBe(true);
    expect(() => decideSandbox('on', 0)).toThrow(/root/);
  });
});

describe('buildLaunchOptions', () => {
  it('adds --no-sandbox only when the sandbox is off', () => {
    expect(argsOf({ ...base, sandbox: true })).not.toContain('--no-sandbox');
    expect(argsOf({ ...base, sandbox: false })).toContain('--no-sandbox');
  });

  it('without an explicit choice decides from the current user', () => {
    const root = process.getuid?.() === 0;
    expect(argsOf(base).includes('--no-sandbox')).toBe(root);
  });

  it('keeps the background-networking and side-channel flags', () => {
    for (const flag of [
      '--disable-background-networking',
      '--disable-component-update',
      '--webrtc-ip-handling-policy=disable_non_proxied_udp',
    ]) {
      expect(CHROMIUM_FLAGS).toContain(flag);
    }
    expect(CHROMIUM_FLAGS).not.toContain('--no-sandbox');
  });
});
