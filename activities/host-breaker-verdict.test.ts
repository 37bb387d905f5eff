import { FailureCategory } from '../core/contracts';
import { hostBreakerVerdict, navigationBudgetMs, type AttemptEnd } from './host-breaker-verdict';
import { httpStatusFailure } from './scan-errors';

const NORMAL = 30_000; // SCAN_DEFAULT_TIMEOUT
const end = (over: Partial<AttemptEnd>): AttemptEnd => ({
  category: FailureCategory.Timeout,
  stage: 'navigate',
  budgetMs: NORMAL,
  hostMs: 18_000,
  ...over,
});

describe('hostBreakerVerdict: what counts against a host shared by every client', () => {
  it('counts a completed attempt as a success', () => {
    expect(hostBreakerVerdict(end({ category: 'completed', stage: 'store' }), NORMAL)).toBe('success');
  });

  it('counts a navigation timeout only when the host had the normal navigation budget', () => {
    expect(navigationBudgetMs(NORMAL)).toBe(18_000);
    expect(hostBreakerVerdict(end({}), NORMAL)).toBe('failure');
    expect(hostBreakerVerdict(end({ budgetMs: 60_000, hostMs: 36_000 }), NORMAL)).toBe('failure');
    // A client's own 1 s (or 10 s) timeout: the host never had a normal chance.
    expect(hostBreakerVerdict(end({ budgetMs: 1_000, hostMs: 900 }), NORMAL)).toBe('neutral');
    expect(hostBreakerVerdict(end({ budgetMs: 10_000, hostMs: 6_000 }), NORMAL)).toBe('neutral');
    // A normal budget mostly spent waiting for a browser page: the host had 5 s of it.
    expect(hostBreakerVerdict(end({ hostMs: 5_000 }), NORMAL)).toBe('neutral');
    // The budget ran out while still waiting for a page: the host was never contacted.
    expect(hostBreakerVerdict(end({ stage: 'lease', hostMs: 0 }), NORMAL)).toBe('neutral');
    // The page loaded; axe was slow on our side.
    expect(hostBreakerVerdict(end({ stage: 'axe', hostMs: 29_000 }), NORMAL)).toBe('neutral');
  });

  it.each([
    'net::ERR_CONNECTION_REFUSED at http://shop.example/',
    'net::ERR_CONNECTION_RESET at http://shop.example/',
    'net::ERR_EMPTY_RESPONSE at http://shop.example/',
    'net::ERR_CONNECTION_TIMED_OUT at http://shop.example/',
    'net::ERR_ADDRESS_UNREACHABLE at http://shop.example/',
    'could not reach the site (connect ECONNREFUSED)',
    'could not reach shop.example (connect ETIMEDOUT: connect timed out)',
  ])('counts "%s" (nothing answers on the host) as a failure', (message) => {
    expect(hostBreakerVerdict(end({ category: FailureCategory.Navigation, message, hostMs: 5 }), NORMAL)).toBe('failure');
  });

  it.each([
    'net::ERR_NAME_NOT_RESOLVED at http://shop.example/',
    'could not reach the site (dns ENOTFOUND)',
    'DNS lookup failed (ENOTFOUND)',
    'net::ERR_CERT_DATE_INVALID at https://shop.example/',
    'net::ERR_TOO_MANY_REDIRECTS at http://shop.example/',
    'browser showed an error page',
    'the page kept navigating away while it was being scanned',
  ])('does not count "%s" (DNS, TLS, redirects, the page itself)', (message) => {
    expect(hostBreakerVerdict(end({ category: FailureCategory.Navigation, message }), NORMAL)).toBe('neutral');
  });

  it('does not count a connection failure after the page loaded (a client-side redirect elsewhere)', () => {
    expect(
      hostBreakerVerdict(
        end({ category: FailureCategory.Navigation, stage: 'axe', message: 'net::ERR_CONNECTION_REFUSED at http://x/' }),
        NORMAL,
      ),
    ).toBe('neutral');
  });

  it('counts 502/503/504 but not 403, 429, 404 or 500', () => {
    const verdict = (status: number) => {
      const f = httpStatusFailure(status)!;
      return hostBreakerVerdict(end({ category: f.category, message: f.message, httpStatus: f.httpStatus, hostMs: 50 }), NORMAL);
    };
    expect([502, 503, 504].map(verdict)).toEqual(['failure', 'failure', 'failure']);
    expect([403, 429, 404, 500, 408].map(verdict)).toEqual(['neutral', 'neutral', 'neutral', 'neutral', 'neutral']);
  });

  it.each([
    FailureCategory.Blocked,
    FailureCategory.BlockedTarget,
    FailureCategory.Memory,
    FailureCategory.Crash,
    FailureCategory.Killed,
    FailureCategory.Inconclusive,
    FailureCategory.InvalidUrl,
    FailureCategory.Internal,
    'cancelled',
  ])('does not count %s', (category) => {
    expect(hostBreakerVerdict(end({ category, message: 'net::ERR_CONNECTION_REFUSED', httpStatus: 503 }), NORMAL)).toBe('neutral');
  });
});
