import { DEFAULT_WCAG_TAGS, loadEnv, parseList, parseViewport, requireAdminKey, taskQueuePrefixOf, temporalUiUrl } from './env';

const ADMIN_KEY = 'k'.repeat(32);

/** loadEnv's error message, or a marker when it did not throw. */
const errorOf = (source: NodeJS.ProcessEnv): string => {
  try {
    loadEnv(source);
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return (err as Error).message;
  }
  return '(loadEnv did not throw)';
};

describe('loadEnv', () => {
  it('reads nothing from process.env when given an explicit source', () => {
    const saved = process.env.PORT;
    process.env.PORT = '4444';
    try {
      expect(loadEnv({}).PORT).toBe(3001);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it.each<[string, unknown]>([
    ['PORT', 3001],
    ['MAX_CONCURRENT_PAGES', 3],
    ['MAX_SCAN_TIME', 120_000],
    ['MAX_MEMORY_MB', 800],
    ['SCAN_ALLOW_PRIVATE_TARGETS', false],
    ['NODE_ENV', 'development'],
    ['LOG_LEVEL', 'info'],
    ['SCAN_MAX_RETRIES', 2],
    ['SCAN_RETRY_INITIAL_INTERVAL', 2_000],
    ['SCAN_VIEWPORT', '1280x800'],
    ['SCAN_ALLOWED_HOSTS', ''],
    ['TEMPORAL_TASK_QUEUE_PREFIX', 'wcag'],
    ['SCAN_WCAG_TAGS', DEFAULT_WCAG_TAGS.join(',')],
    ['ADMIN_API_KEY', undefined],
    ['WORKER_TELEMETRY_INTERVAL', 5_000],
    ['HEALTH_CHECK_INTERVAL', 60_000],
    ['ALERT_WEBHOOK_URL', undefined],
    ['ALERT_DEDUPE_WINDOW', 900_000],
    ['ALERT_SUCCESS_RATE_THRESHOLD', 0.9],
    ['ALERT_MIN_VOLUME', 10],
    ['MAX_SCANS_PER_HOUR', 10],
    ['BREAKER_FAILURE_THRESHOLD', 5],
    ['BREAKER_SUCCESS_THRESHOLD', 2],
    ['BREAKER_TIMEOUT', 30_000],
    ['BREAKER_MIN_CLIENTS', 2],
    ['WORKER_METRICS_PORT', 9464],
    ['WORKER_SDK_METRICS_PORT', 9465],
    ['METRICS_TOKEN', undefined],
  ])('defaults %s to %p', (name, expected) => {
    expect(loadEnv({})[name as keyof ReturnType<typeof loadEnv>]).toEqual(expected);
  });

  it.each<[string, boolean]>([
    ['false', false],
    ['true', true],
  ])('parses SCAN_ALLOW_PRIVATE_TARGETS="%s" as %s', (value, expected) => {
    expect(loadEnv({ SCAN_ALLOW_PRIVATE_TARGETS: value }).SCAN_ALLOW_PRIVATE_TARGETS).toBe(expected);
  });

  it.each(['1', 'yes', 'TRUE', 'False'])('rejects SCAN_ALLOW_PRIVATE_TARGETS="%s"', (value) => {
    expect(errorOf({ SCAN_ALLOW_PRIVATE_TARGETS: value })).toContain('SCAN_ALLOW_PRIVATE_TARGETS');
  });

  it('coerces numeric strings to numbers', () => {
    const env = loadEnv({ PORT: '8080', MAX_CONCURRENT_PAGES: '6', MAX_SCAN_TIME: '60000', MAX_MEMORY_MB: '2048' });
    expect(env).toMatchObject({ PORT: 8080, MAX_CONCURRENT_PAGES: 6, MAX_SCAN_TIME: 60_000, MAX_MEMORY_MB: 2048 });
  });

  it('treats empty strings as unset, falling back to defaults', () => {
    const env = loadEnv({ PORT: '', MAX_CONCURRENT_PAGES: '', SCAN_ALLOW_PRIVATE_TARGETS: '', ADMIN_API_KEY: '', SCAN_VIEWPORT: '' });
    expect(env).toMatchObject({ PORT: 3001, MAX_CONCURRENT_PAGES: 3, SCAN_ALLOW_PRIVATE_TARGETS: false, SCAN_VIEWPORT: '1280x800' });
    expect(env.ADMIN_API_KEY).toBeUndefined();
  });

  it('ignores variables it does not know', () => {
    expect(loadEnv({ HOME: '/root', PATH: '/usr/bin' })).not.toHaveProperty('HOME');
  });

  it.each<[string, string]>([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['MAX_CONCURRENT_PAGES', '0'],
    ['MAX_CONCURRENT_PAGES', '17'],
    ['MAX_SCAN_TIME', '4999'],
    ['MAX_MEMORY_MB', '99'],
    ['SCAN_VIEWPORT', 'big'],
    ['SCAN_VIEWPORT', '1280*800'],
    ['SCAN_MAX_RETRIES', '6'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'verbose'],
    ['DATABASE_URL', 'not a url'],
    ['TEMPORAL_TASK_QUEUE_PREFIX', 'has spaces'],
    ['ADMIN_API_KEY', 'too-short'],
    ['HEALTH_CHECK_INTERVAL', '5000'],
    ['ALERT_WEBHOOK_URL', 'hooks.slack.com/x'],
    ['ALERT_SUCCESS_RATE_THRESHOLD', '90'],
    ['MAX_SCANS_PER_HOUR', '-1'],
    ['BREAKER_FAILURE_THRESHOLD', '0'],
    ['METRICS_TOKEN', 'short'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    const message = errorOf({ [name]: value });
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain(`${name}:`);
  });

  it('names every bad variable in one error, one per line', () => {
    const message = errorOf({ PORT: 'abc', MAX_CONCURRENT_PAGES: '0', SCAN_VIEWPORT: 'big', MAX_MEMORY_MB: '900' });
    const lines = message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(
      lines
        .slice(1)
        .map((l) => l.trim().split(':')[0])
        .sort(),
    ).toEqual(['MAX_CONCURRENT_PAGES', 'PORT', 'SCAN_VIEWPORT']);
    expect(message).toContain('SCAN_VIEWPORT: must look like 1280x800');
  });

  it('returns a frozen object', () => {
    const env = loadEnv({});
    expect(Object.isFrozen(env)).toBe(true);
    expect(() => {
      (env as { PORT: number }).PORT = 1;
    }).toThrow(TypeError);
  });
});

describe('requireAdminKey', () => {
  it('returns the key when it is configured', () => {
    expect(requireAdminKey(loadEnv({ ADMIN_API_KEY: ADMIN_KEY }))).toBe(ADMIN_KEY);
  });

  it.each([
    ['unset', {}],
    ['empty', { ADMIN_API_KEY: '' }],
  ])('throws a message naming ADMIN_API_KEY and how to create it when the key is %s', (_label, source) => {
    const env = loadEnv(source);
    expect(() => requireAdminKey(env)).toThrow(/ADMIN_API_KEY: required by the API/);
    expect(() => requireAdminKey(env)).toThrow(/npm run setup/);
  });
});

describe('parseList', () => {
  it.each<[string, string[]]>([
    ['', []],
    ['a', ['a']],
    ['a,b,c', ['a', 'b', 'c']],
    [' a , b ,c ', ['a', 'b', 'c']],
    ['a b\tc\nd', ['a', 'b', 'c', 'd']],
    ['a,,b,', ['a', 'b']],
    [',  ,', []],
    ['wcag2a,wcag2aa wcag21aa', ['wcag2a', 'wcag2aa', 'wcag21aa']],
  ])('splits %p into %p', (csv, expected) => {
    expect(parseList(csv)).toEqual(expected);
  });
});

describe('parseViewport', () => {
  it.each<[string, { width: number; height: number }]>([
    ['1280x800', { width: 1280, height: 800 }],
    ['375x667', { width: 375, height: 667 }],
    ['10000x10000', { width: 10_000, height: 10_000 }],
  ])('parses %s', (v, expected) => {
    expect(parseViewport(v)).toEqual(expected);
  });

  it('parses the default SCAN_VIEWPORT', () => {
    expect(parseViewport(loadEnv({}).SCAN_VIEWPORT)).toEqual({ width: 1280, height: 800 });
  });
});

describe('taskQueuePrefixOf and temporalUiUrl', () => {
  const env = { TEMPORAL_TASK_QUEUE_PREFIX: 'wcag', TEMPORAL_UI_URL: 'http://localhost:8233', TEMPORAL_NAMESPACE: 'my ns' };

  it('prefers the injected prefix over the environment', () => {
    expect(taskQueuePrefixOf({ env })).toBe('wcag');
    expect(taskQueuePrefixOf({ env, taskQueuePrefix: 'test-1' })).toBe('test-1');
  });

  it('links to the workflow in the Temporal UI, names encoded', () => {
    expect(temporalUiUrl(env, 'scan-a/b')).toBe('http://localhost:8233/namespaces/my%20ns/workflows/scan-a%2Fb');
  });
});
