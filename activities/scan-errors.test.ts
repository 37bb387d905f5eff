import { FailureCategory } from '../core/contracts';
import { classifyScanError, httpStatusFailure, ScanFailure } from './scan-errors';

const URL = 'https://example.com/page';
const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const withCode = (code: string, message = `getaddrinfo ${code} example.com`) => Object.assign(new Error(message), { code });

describe('classifyScanError', () => {
  it.each([
    'net::ERR_NAME_NOT_RESOLVED',
    'net::ERR_NAME_RESOLUTION_FAILED',
    'net::ERR_CONNECTION_REFUSED',
    'net::ERR_CONNECTION_RESET',
    'net::ERR_CONNECTION_CLOSED',
    'net::ERR_CONNECTION_TIMED_OUT',
    'net::ERR_CONNECTION_FAILED',
    'net::ERR_CONNECTION_ABORTED',
    'net::ERR_TIMED_OUT',
    'net::ERR_NETWORK_CHANGED',
    'net::ERR_ADDRESS_INVALID',
    'net::ERR_ADDRESS_UNREACHABLE',
    'net::ERR_INTERNET_DISCONNECTED',
    'net::ERR_EMPTY_RESPONSE',
    'net::ERR_TOO_MANY_REDIRECTS',
    'net::ERR_SSL_PROTOCOL_ERROR',
    'net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH',
    'net::ERR_CERT_AUTHORITY_INVALID',
    'net::ERR_CERT_DATE_INVALID',
    'net::ERR_CERT_COMMON_NAME_INVALID',
    'net::ERR_BAD_SSL_CLIENT_AUTH_CERT',
    'net::ERR_INVALID_RESPONSE',
    'net::ERR_INVALID_REDIRECT',
    'net::ERR_UNSAFE_REDIRECT',
    'net::ERR_UNSAFE_PORT',
    'net::ERR_ABORTED',
    'net::ERR_HTTP2_PROTOCOL_ERROR',
    'net::ERR_TUNNEL_CONNECTION_FAILED',
    'net::ERR_PROXY_CONNECTION_FAILED',
    'net::ERR_INVALID_HTTP_RESPONSE',
    'net::ERR_CONTENT_LENGTH_MISMATCH',
    'net::ERR_INCOMPLETE_CHUNKED_ENCODING',
    'net::ERR_RESPONSE_HEADERS_TOO_BIG',
  ])('classifies %s as a retryable navigation failure and keeps the message', (code) => {
    const failure = classifyScanError(new Error(`${code} at ${URL}`));
    expect(failure).toBeInstanceOf(ScanFailure);
    expect(failure).toMatchObject({ category: FailureCategory.Navigation, retryable: true, message: `${code} at ${URL}` });
  });

  it('classifies a navigation error whose URL contains "timeout" as navigation, not timeout', () => {
    const failure = classifyScanError(new Error('net::ERR_NAME_NOT_RESOLVED at https://timeout.example.com/session-timeout'));
    expect(failure.category).toBe(FailureCategory.Navigation);
  });

  it('classifies net::ERR_BLOCKED_BY_CLIENT (our request interception) as a non-retryable blocked_target', () => {
    const failure = classifyScanError(new Error(`net::ERR_BLOCKED_BY_CLIENT at ${URL}`));
    expect(failure).toMatchObject({
      category: FailureCategory.BlockedTarget,
      retryable: false,
      message: 'navigation to a blocked address was refused',
    });
  });

  it.each([
    ['a TimeoutError by name', named('TimeoutError', 'Navigation timeout of 30000 ms exceeded')],
    ['a TimeoutError with an unrelated message', named('TimeoutError', 'Waiting failed')],
    ['a message mentioning a timeout', new Error('Runtime.evaluate timeout')],
    ['a message saying "timed out"', new Error('axe.run timed out after 20000ms')],
  ])('classifies %s as a retryable timeout', (_label, err) => {
    expect(classifyScanError(err)).toMatchObject({ category: FailureCategory.Timeout, retryable: true, message: err.message });
  });

  it.each([
    'Protocol error (Runtime.callFunctionOn): Target closed',
    'Target closed',
    'Page crashed!',
    'Protocol error (Page.navigate): Session closed. Most likely the page has been closed.',
    'Protocol error: Connection closed.',
    'Navigating frame was detached',
    'Attempted to use detached Frame 1F2E3D.',
    'browser has disconnected!',
    'No target with given id found',
  ])('classifies "%s" as a retryable crash', (message) => {
    expect(classifyScanError(new Error(message))).toMatchObject({ category: FailureCategory.Crash, retryable: true, message });
  });

  it.each([
    'Execution context was destroyed, most likely because of a navigation.',
    'Protocol error (Runtime.callFunctionOn): Cannot find context with specified id',
  ])('classifies "%s" (the page replaced its own document) as a retryable navigation failure', (message) => {
    expect(classifyScanError(new Error(message))).toMatchObject({ category: FailureCategory.Navigation, retryable: true });
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN', 'ESERVFAIL', 'ETIMEOUT', 'ECONNREFUSED', 'ENODATA'])(
    'classifies DNS error code %s as a retryable navigation failure naming the code',
    (code) => {
      expect(classifyScanError(withCode(code))).toMatchObject({
        category: FailureCategory.Navigation,
        retryable: true,
        message: `DNS lookup failed (${code})`,
      });
    },
  );

  it('does not treat an unrelated error code as a DNS failure', () => {
    expect(classifyScanError(withCode('EACCES', 'permission denied')).category).toBe(FailureCategory.Internal);
  });

  it.each<[string, unknown, string]>([
    ['an unknown Error', new Error('something odd happened'), 'something odd happened'],
    ['a thrown string', 'kaput', 'kaput'],
    ['a thrown number', 42, '42'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an object without message', { foo: 1 }, '[object Object]'],
  ])('classifies %s as a retryable internal failure', (_label, err, message) => {
    expect(classifyScanError(err)).toMatchObject({ category: FailureCategory.Internal, retryable: true, message });
  });

  it('passes a ScanFailure through unchanged', () => {
    const original = new ScanFailure(FailureCategory.Memory, 'page heap exceeded 512 MB', false);
    expect(classifyScanError(original)).toBe(original);
  });

  it('keeps only the first line of a multi-line message', () => {
    const failure = classifyScanError(new Error('Target closed\n    at CDPSession.send (cdp.js:1:1)\n    at secret'));
    expect(failure.message).toBe('Target closed');
  });

  it.each([
    [499, 499],
    [500, 500],
    [501, 500],
    [5000, 500],
  ])('truncates a %i-character message to %i characters', (length, expected) => {
    const failure = classifyScanError(new Error('q'.repeat(length)));
    expect(failure.message).toHaveLength(expected);
  });

  it('truncates after taking the first line', () => {
    const failure = classifyScanError(new Error(`${'a'.repeat(600)}\nsecond line`));
    expect(failure.message).toBe('a'.repeat(500));
  });
});

describe('httpStatusFailure', () => {
  it.each([200, 204, 301, 302, 304, 399])('treats HTTP %i as success (null)', (status) => {
    expect(httpStatusFailure(status)).toBeNull();
  });

  it.each<[number, FailureCategory, boolean]>([
    [403, FailureCategory.Blocked, true],
    [429, FailureCategory.Blocked, true],
    [400, FailureCategory.HttpError, false],
    [401, FailureCategory.HttpError, false],
    [404, FailureCategory.HttpError, false],
    [410, FailureCategory.HttpError, false],
    [451, FailureCategory.HttpError, false],
    [408, FailureCategory.HttpError, true],
    [500, FailureCategory.HttpError, true],
    [502, FailureCategory.HttpError, true],
    [503, FailureCategory.HttpError, true],
    [504, FailureCategory.HttpError, true],
  ])('maps HTTP %i to %s (retryable: %s)', (status, category, retryable) => {
    const failure = httpStatusFailure(status);
    expect(failure).toBeInstanceOf(ScanFailure);
    expect(failure).toMatchObject({ category, retryable });
    expect(failure!.message).toContain(`HTTP ${status}`);
  });
});

describe('ScanFailure', () => {
  it('is an Error named ScanFailure carrying category and retryability', () => {
    const failure = new ScanFailure(FailureCategory.Crash, 'boom', true);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).toMatchObject({ name: 'ScanFailure', category: 'crash', message: 'boom', retryable: true });
  });
});
