import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../exit-status';
import { defaults, parseArgs, parseCommandLine, usage } from './args';

describe('bench command line', () => {
  it('answers --help and --version before parsing anything else', () => {
    expect(parseCommandLine(['--bogus', '--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['--quick'])).toMatchObject({ kind: 'run', options: { quick: true } });
  });

  it('lists every flag the parser knows in --help, with its defaults', () => {
    const source = readFileSync(join(__dirname, 'args.ts'), 'utf8');
    const flags = [...source.matchAll(/case '(--[a-z-]+)':/g)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThan(10);
    const text = usage();
    for (const flag of [...flags, '--help', '--version']) expect(text).toContain(flag);
    expect(text).toContain(`--pages N                  corpus size (default ${defaults(false).pages}, --quick ${defaults(true).pages})`);
    expect(text).toContain('(default 1,3)');
  });

  it.each<[string[], RegExp]>([
    [['--fast'], /^unknown option --fast$/],
    [['throughput'], /unexpected argument "throughput"/],
    [['--pages'], /^--pages needs a value$/],
    [['--pages', '--quick'], /^--pages needs a value$/],
    [['--pages', 'ten'], /--pages needs a positive whole number, got "ten"/],
    [['--only', 'everything'], /unknown part "everything"/],
    [['--only', ','], /--only needs at least one part/],
    [['--log-level', 'loud'], /--log-level must be one of/],
  ])('refuses %j with a UsageError', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
