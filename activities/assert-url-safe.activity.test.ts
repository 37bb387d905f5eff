import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { FailureCategory } from '../core/contracts';
import { createAssertUrlSafeActivity } from './assert-url-safe.activity';

const strict = { allowPrivateTargets: false, allowedHosts: [], maxUrlLength: 2048 };
const IP_LITERAL = /\b\d{1,3}(\.\d{1,3}){3}\b|[0-9a-f]{0,4}::?[0-9a-f]{1,4}(:[0-9a-f]{0,4})*/i;

describe('assertUrlSafe (the workflow re-check before the page opens)', () => {
  it.each([
    ['postgres', ['172.18.0.3'], '172.18.0.3', 'a private range'],
    ['metadata.internal', ['169.254.169.254'], '169.254.169.254', 'a link-local range'],
    ['cache', ['fd00::12'], 'fd00::12', 'a unique-local range'],
  ])('refuses %s without telling the client the address it resolved to (logs have it)', async (host, addresses, address, range) => {
    const logged: Array<{ message: string; meta?: Record<string, unknown> }> = [];
    const logger = {
      log: (_level: string, message: string, meta?: Record<string, unknown>) => logged.push({ message, meta }),
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (message: string, meta?: Record<string, unknown>) => logged.push({ message, meta }),
    };
    const env = new MockActivityEnvironment({}, { logger });
    const { assertUrlSafe } = createAssertUrlSafeActivity(strict, async (h) => (h === host ? addresses : []));
    const failure = await env.run(assertUrlSafe, { url: `http://${host}:5432/` }).then(
      () => {
        throw new Error('allowed');
      },
      (err: unknown) => err as ApplicationFailure,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(FailureCategory.BlockedTarget);
    expect(failure.nonRetryable).toBe(true);
    // This message becomes the scan's failureMessage (GET /api/scans/:id, the Web UI): no address in it.
    expect(failure.message).toBe(`target host ${host} resolves to an address that is not public (in ${range})`);
    expect(failure.message).not.toMatch(IP_LITERAL);
    expect(JSON.stringify(logged)).toContain(address);
  });
});
