import { parseCliArgs, USAGE } from './args';
import { UsageError } from './errors';

describe('parseCliArgs', () => {
  it('defaults to 30 s, 3 in flight, every rule, no limit', () => {
    expect(parseCliArgs(['corpus'])).toEqual({
      dir: 'corpus',
      api: undefined,
      key: undefined,
      timeoutMs: 30_000,
      concurrency: 3,
      rules: [],
      limit: undefined,
      json: undefined,
      failOnDisagreement: false,
      help: false,
      version: false,
    });
  });

  it('reads every option; --rule repeats', () => {
    const o = parseCliArgs([
      'corpus',
      '--timeout',
      '45',
      '--concurrency',
      '2',
      '--rule',
      '23a2a8',
      '--rule',
      'c487ae',
      '--rule',
      '23a2a8',
      '--limit',
      '40',
      '--json',
      'out.json',
      '--fail-on-disagreement',
    ]);
    expect(o).toMatchObject({
      timeoutMs: 45_000,
      concurrency: 2,
      rules: ['23a2a8', 'c487ae'],
      limit: 40,
      json: 'out.json',
      failOnDisagreement: true,
    });
  });

  it('takes --api with --key, or with ADMIN_API_KEY from the environment', () => {
    expect(parseCliArgs(['c', '--api', 'http://127.0.0.1:3001/', '--key', 'k'])).toMatchObject({ api: 'http://127.0.0.1:3001', key: 'k' });
    expect(parseCliArgs(['c', '--api', 'http://127.0.0.1:3001'], { ADMIN_API_KEY: 'from-env' })).toMatchObject({ key: 'from-env' });
  });

  it('returns help and version without needing <dir>', () => {
    expect(parseCliArgs(['--help']).help).toBe(true);
    expect(parseCliArgs(['-h']).help).toBe(true);
    expect(parseCliArgs(['--version']).version).toBe(true);
    expect(parseCliArgs(['-V']).version).toBe(true);
  });

  it('lists every option in the usage text', () => {
    for (const flag of [
      '--timeout',
      '--concurrency',
      '--rule',
      '--limit',
      '--json',
      '--fail-on-disagreement',
      '--api',
      '--key',
      '--version',
      '--help',
    ])
      expect(USAGE).toContain(flag);
  });

  it.each<[string[], RegExp]>([
    [[], /missing <dir>/],
    [['a', 'b'], /one <dir> expected/],
    [['c', '--bogus'], /bogus/],
    [['c', '--timeout', '0'], /--timeout must be a whole number from 1 to 120/],
    [['c', '--timeout', '2.5'], /--timeout/],
    [['c', '--concurrency', '17'], /--concurrency must be a whole number from 1 to 16/],
    [['c', '--limit', '-1'], /limit/],
    [['c', '--limit', 'ten'], /--limit must be a positive whole number, got "ten"/],
    [['c', '--api', 'not a url', '--key', 'k'], /--api must be a URL/],
    [['c', '--api', 'ftp://x', '--key', 'k'], /http\(s\)/],
    [['c', '--api', 'http://x'], /--api needs --key/],
    [['c', '--key', 'k'], /--key is only used with --api/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
