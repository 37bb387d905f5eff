import { loadEnv } from '../../lib/env';
import { urlPolicyFrom } from '../../targets/url-policy';
import { HttpError } from '../http-errors';
import { AuditOptionsBody } from '../schemas/audits.schema';
import { resolveAuditRequest, type AuditRequestDeps } from './audit-request';
import type { Principal } from './api-key.service';

const env = loadEnv({ AUDIT_MAX_PAGES: '500', AUDIT_DEFAULT_MAX_PAGES: '100', AUDIT_MAX_CONCURRENCY: '4' });
const admin: Principal = { kind: 'admin' };
const client: Principal = { kind: 'client', clientId: 'acme', keyId: 'k1' };

function deps(limit = 40): AuditRequestDeps {
  return {
    env,
    urlPolicy: urlPolicyFrom(env),
    // No DNS in unit tests: the target rules are scan.service's, tested with it.
    scans: { assertSubmittable: async (url: string) => new URL(url) },
    rateLimits: {
      status: async (clientId: string) => ({
        clientId,
        scansThisHour: 0,
        limit,
        remaining: limit,
        resetTime: new Date(Date.now() + 3_600_000).toISOString(),
        source: 'default' as const,
      }),
    },
  };
}

const request = (options: object) => ({ ...AuditOptionsBody.parse(options), url: 'https://example.com/' });

async function problemsOf(promise: Promise<unknown>): Promise<unknown> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return (err as HttpError).details;
}

describe('resolveAuditRequest', () => {
  it('applies every default once (what a schedule stores for all its firings)', async () => {
    const { target, options, quota } = await resolveAuditRequest(deps(), request({}), admin, 'acme');
    expect(target.href).toBe('https://example.com/');
    expect(quota).toBeUndefined();
    expect(options).toEqual({
      maxPages: 100,
      maxDepth: 5,
      include: [],
      exclude: [],
      sitemap: 'auto',
      respectRobots: true,
      politeness: { concurrency: 2, delayMs: 0 },
      maxPerPattern: 50,
      timeoutMs: env.SCAN_DEFAULT_TIMEOUT,
      maxRetries: env.SCAN_MAX_RETRIES,
      wcagTags: expect.arrayContaining(['wcag2aa']),
    });
  });

  it("caps a client key's maxPages at its hourly quota, the admin's at AUDIT_MAX_PAGES", async () => {
    const { options, quota } = await resolveAuditRequest(deps(40), request({}), client, 'acme');
    expect(options.maxPages).toBe(40);
    expect(quota?.limit).toBe(40);
    await expect(resolveAuditRequest(deps(40), request({ maxPages: 300 }), admin, 'acme')).resolves.toMatchObject({
      options: { maxPages: 300 },
    });
    expect(JSON.stringify(await problemsOf(resolveAuditRequest(deps(40), request({ maxPages: 41 }), client, 'acme')))).toMatch(
      /maxPages.*at most 40/,
    );
  });

  it('names every bad option at once, under the given prefix', async () => {
    const details = await problemsOf(
      resolveAuditRequest(
        deps(),
        request({ maxPages: 501, politeness: { concurrency: 9 }, include: ['/ok/*', 're:(('], sitemap: 'http://169.254.169.254/s.xml' }),
        admin,
        'acme',
        'audit.',
      ),
    );
    const fields = JSON.stringify(details);
    for (const f of ['audit.maxPages', 'audit.politeness.concurrency', 'audit.include[1]', 'audit.sitemap'])
      expect(fields).toContain(`"${f}"`);
  });
});
