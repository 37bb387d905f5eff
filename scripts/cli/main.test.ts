import { exitFor } from './main';
import { UsageError } from './args';
import { CliError } from './http';

describe('exitFor', () => {
  it('answers a usage error with 2 and a pointer to --help', () => {
    expect(exitFor(new UsageError('unknown command "bogus"'), ['bogus'])).toEqual({
      status: 2,
      line: 'wcag: unknown command "bogus" (see wcag --help)\n',
    });
  });

  it('answers a failure to get the job done with 1, in one line', () => {
    expect(exitFor(new CliError('cannot reach the API at http://x'), ['stats'])).toEqual({
      status: 1,
      line: 'wcag: cannot reach the API at http://x\n',
    });
    expect(exitFor(new Error('boom'), ['stats'])).toEqual({ status: 1, line: 'wcag: unexpected error: boom\n' });
  });

  it('answers anything that keeps `wcag health` from a verdict with UNKNOWN (3)', () => {
    expect(exitFor(new UsageError('Unknown option'), ['health', '--bogus']).status).toBe(3);
    expect(exitFor(new CliError('refused'), ['health']).status).toBe(3);
  });
});
