import { commandName, parseCli, resolveApiKey, resolveApiUrl, UsageError } from './args';

describe('parseCli', () => {
  it('parses scan with its options and defaults the queue to low', () => {
    expect(parseCli(['scan', 'https://example.com/', '--wait', '--client', 'acme', '--priority', '8'])).toEqual({
      apiUrl: undefined,
      json: false,
      command: { kind: 'scan', url: 'https://example.com/', wait: true, clientId: 'acme', queue: 'low', priority: 8 },
    });
  });

  it('parses bulk with --urls, a queue, an interval and a normalised --api', () => {
    expect(parseCli(['bulk', 'ids.txt', '--urls', '--queue', 'high', '--interval', '0.5', '--api', 'http://h:3001/'])).toEqual({
      apiUrl: 'http://h:3001',
      json: false,
      command: { kind: 'bulk', file: 'ids.txt', urls: true, queue: 'high', clientId: undefined, intervalMs: 500 },
    });
  });

  it('parses stats, monitor, health and keys create', () => {
    expect(parseCli(['stats']).command).toEqual({ kind: 'stats' });
    expect(parseCli(['monitor']).command).toEqual({ kind: 'monitor', intervalMs: 5000 });
    expect(parseCli(['monitor', '--interval', '10']).command).toEqual({ kind: 'monitor', intervalMs: 10_000 });
    expect(parseCli(['health']).command).toEqual({ kind: 'health' });
    expect(parseCli(['keys', 'create', '--client', 'acme', '--name', 'ci']).command).toEqual({
      kind: 'keys-create',
      clientId: 'acme',
      name: 'ci',
    });
  });

  it('parses audit with repeated patterns, limits, --wait, --json and --fail-on', () => {
    expect(
      parseCli([
        'audit',
        'https://example.com/',
        '--client',
        'acme',
        '--max-pages',
        '50',
        '--max-depth',
        '0',
        '--max-per-pattern',
        '500',
        '--include',
        '/blog/*',
        '--include',
        're:^/docs/',
        '--exclude',
        '/tag/*',
        '--wait',
        '--json',
        '--fail-on',
        'serious',
      ]).command,
    ).toEqual({
      kind: 'audit',
      url: 'https://example.com/',
      clientId: 'acme',
      maxPages: 50,
      maxDepth: 0,
      maxPerPattern: 500,
      include: ['/blog/*', 're:^/docs/'],
      exclude: ['/tag/*'],
      wait: true,
      failOn: 'serious',
    });
    expect(parseCli(['audit', 'https://example.com/']).command).toEqual({
      kind: 'audit',
      url: 'https://example.com/',
      clientId: undefined,
      maxPages: undefined,
      maxDepth: undefined,
      maxPerPattern: undefined,
      include: [],
      exclude: [],
      wait: false,
      failOn: undefined,
    });
  });

  it('takes --json on every command', () => {
    for (const argv of [
      ['scan', 'u'],
      ['bulk', 'f'],
      ['audit', 'u'],
      ['stats'],
      ['monitor'],
      ['health'],
      ['keys', 'create', '--client', 'c'],
    ])
      expect(parseCli([...argv, '--json']).json).toBe(true);
    expect(parseCli(['stats']).json).toBe(false);
  });

  it('answers --version, -V and version', () => {
    expect(parseCli(['--version']).command).toEqual({ kind: 'version' });
    expect(parseCli(['-V', '--json'])).toMatchObject({ command: { kind: 'version' }, json: true });
    expect(parseCli(['version']).command).toEqual({ kind: 'version' });
  });

  it('finds the command name even when the rest does not parse', () => {
    expect(commandName(['health', '--bogus'])).toBe('health');
    expect(commandName(['--api', 'http://x', 'health'])).toBe('health');
    expect(commandName([])).toBeUndefined();
  });

  it('answers help for --help, and a usage error for no command', () => {
    expect(() => parseCli([])).toThrow(new UsageError('missing command'));
    expect(parseCli(['bulk', '--help']).command).toEqual({ kind: 'help' });
  });

  it.each([
    [['bogus'], /unknown command "bogus"/],
    [['scan'], /scan: expected one URL, got nothing/],
    [['bulk', 'a', 'b'], /bulk: expected one file, got "a" "b"/],
    [['scan', 'u', '--queue', 'medium'], /--queue: must be high or low/],
    [['scan', 'u', '--priority', '11'], /--priority: must be an integer 1-10/],
    [['monitor', '--interval', 'soon'], /--interval: must be a number of seconds/],
    [['keys', 'create'], /--client <id> is required/],
    [['audit'], /audit: expected one URL, got nothing/],
    [['audit', 'u', '--max-pages', '0'], /--max-pages: must be an integer of at least 1/],
    [['audit', 'u', '--max-depth', '1.5'], /--max-depth: must be an integer of at least 0/],
    [['audit', 'u', '--max-per-pattern', '0'], /--max-per-pattern: must be an integer of at least 1/],
    [['audit', 'u', '--wait', '--fail-on', 'major'], /--fail-on: must be one of critical, serious, moderate, minor/],
    [['audit', 'u', '--fail-on', 'serious'], /--fail-on needs --wait/],
    [['keys', 'list'], /the only subcommand is/],
    [['stats', '--api', 'ftp://x'], /--api: must be an http\(s\) URL/],
    [['stats', '--api', 'not a url'], /--api: not a URL/],
    [['stats', '--nope'], /^unknown option --nope$/],
  ])('rejects %j with one line', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });
});

describe('resolveApiUrl and resolveApiKey', () => {
  it('prefers --api, then WCAG_API_URL, then the local default', () => {
    expect(resolveApiUrl('http://a:1', { WCAG_API_URL: 'http://b:2' })).toBe('http://a:1');
    expect(resolveApiUrl(undefined, { WCAG_API_URL: 'http://b:2/' })).toBe('http://b:2');
    expect(resolveApiUrl(undefined, {})).toBe('http://127.0.0.1:3001');
  });

  it('prefers WCAG_API_KEY, then ADMIN_API_KEY, then .env', () => {
    expect(resolveApiKey({ WCAG_API_KEY: 'w', ADMIN_API_KEY: 'a' }, { ADMIN_API_KEY: 'd' })).toBe('w');
    expect(resolveApiKey({ ADMIN_API_KEY: 'a' }, { ADMIN_API_KEY: 'd' })).toBe('a');
    expect(resolveApiKey({}, { ADMIN_API_KEY: 'd' })).toBe('d');
    expect(resolveApiKey({}, { ADMIN_API_KEY: '' })).toBeUndefined();
    expect(resolveApiKey({}, undefined)).toBeUndefined();
  });
});
