import { errorExit, runExitStatus } from './exit';
import { ApiError, InfrastructureError, UsageError } from './errors';

const totals = { rules: 2, cases: 10, agreeExpected: 9, agreePublished: 8, publishedCases: 9, cantTell: 0, errors: 0 };

describe('conformance exit status', () => {
  it('reports agreement without enforcing it, unless asked to', () => {
    expect(runExitStatus(totals, false)).toEqual({ status: 0 });
    expect(runExitStatus(totals, true)).toEqual({ status: 1, reason: "1 case(s) disagree with axe-core's published outcome" });
    expect(runExitStatus({ ...totals, agreePublished: 9 }, true)).toEqual({ status: 0 });
  });

  it('fails when a scan ended in error', () => {
    expect(runExitStatus({ ...totals, errors: 2 }, false)).toEqual({ status: 1, reason: '2 case(s) ended in error' });
  });

  it('maps usage errors to 2 with a pointer to --help, everything else to 1', () => {
    expect(errorExit(new UsageError('missing <dir>'))).toEqual({
      status: 2,
      line: 'conformance: missing <dir> (see npm run conformance -- --help)\n',
    });
    expect(errorExit(new InfrastructureError('Temporal is not reachable'))).toEqual({
      status: 1,
      line: 'conformance: Temporal is not reachable\n',
    });
    expect(errorExit(new ApiError('nope', 500))).toEqual({ status: 1, line: 'conformance failed: nope (HTTP 500)\n' });
  });
});
