import { parseArgs } from 'node:util';
import {
  DockerHealthExitStatus,
  ExitStatus,
  HealthExitStatus,
  healthVerdict,
  UsageError,
  usageErrorFromParseArgs,
  usageErrorLine,
} from './exit-status';

describe('exit statuses', () => {
  it('are 0 ok, 1 failure, 2 usage for the commands', () => {
    expect(ExitStatus).toEqual({ Ok: 0, Failure: 1, Usage: 2 });
  });

  it('follow the monitoring-plugin convention for health checks, and Docker 0/1 for the container probe', () => {
    expect(HealthExitStatus).toEqual({ Ok: 0, Warning: 1, Critical: 2, Unknown: 3 });
    expect(DockerHealthExitStatus).toEqual({ Healthy: 0, Unhealthy: 1 });
  });

  it.each([
    ['healthy', 'OK', 0],
    ['warning', 'WARNING', 1],
    ['critical', 'CRITICAL', 2],
    ['degraded', 'UNKNOWN', 3],
    [undefined, 'UNKNOWN', 3],
    [42, 'UNKNOWN', 3],
  ])('maps the API status %p to %s (%d)', (status, verdict, exitStatus) => {
    expect(healthVerdict(status)).toEqual({ verdict, exitStatus });
  });

  it('prints a usage error as one line pointing to --help', () => {
    expect(usageErrorLine('bench', 'unknown option --fast', 'npm run bench -- --help')).toBe(
      'bench: unknown option --fast (see npm run bench -- --help)\n',
    );
  });

  it("shortens node's parseArgs errors to one line", () => {
    const fail = (args: string[]) => {
      try {
        parseArgs({ args, options: { api: { type: 'string' } }, strict: true });
      } catch (err) {
        return usageErrorFromParseArgs(err);
      }
      throw new Error('parsed');
    };
    expect(fail(['--bogus'])).toEqual(new UsageError('unknown option --bogus'));
    expect(fail(['--api']).message).toMatch(/^Option '--api <value>' argument missing$/);
  });
});
