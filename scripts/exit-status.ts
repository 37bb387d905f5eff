// The exit statuses every operator command shares (`wcag`, `npm run conformance`, `npm run bench`, the health
// checks), and the one error type that means "the command line cannot be acted on". README "Operator scripts and
// the `wcag` CLI" has the table; a script that needs another status adds it here, not a literal of its own.

/** `wcag`, conformance and bench. */
export const ExitStatus = {
  /** The thing asked was done (and, for gates, passed). */
  Ok: 0,
  /** The thing asked failed: a scan failed, a gate tripped, the API refused or could not be reached. */
  Failure: 1,
  /** The command line (or the input file it names) cannot be acted on; nothing was sent. */
  Usage: 2,
} as const;

/**
 * `wcag health` and scripts/health-check.sh: the monitoring-plugin (Nagios) convention, so Nagios, Icinga, Sensu and
 * cron wrappers read the answer as they read every other check. 2 means CRITICAL here, so a usage error is UNKNOWN.
 */
export const HealthExitStatus = {
  Ok: 0,
  Warning: 1,
  Critical: 2,
  /** No verdict: the API is unreachable, refused the key, answered something unparseable, or the command line was bad. */
  Unknown: 3,
} as const;

/**
 * scripts/healthcheck.ts is Docker's HEALTHCHECK command, whose contract is 0 healthy / 1 unhealthy; Docker reserves
 * 2 and has no "unknown", so a container probe never uses the plugin statuses above.
 */
export const DockerHealthExitStatus = {
  Healthy: 0,
  Unhealthy: 1,
} as const;

export type HealthVerdict = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** The API's health status (`healthy`/`warning`/`critical`) as a plugin verdict; anything else is UNKNOWN. */
export function healthVerdict(status: unknown): { verdict: HealthVerdict; exitStatus: number } {
  if (status === 'healthy') return { verdict: 'OK', exitStatus: HealthExitStatus.Ok };
  if (status === 'warning') return { verdict: 'WARNING', exitStatus: HealthExitStatus.Warning };
  if (status === 'critical') return { verdict: 'CRITICAL', exitStatus: HealthExitStatus.Critical };
  return { verdict: 'UNKNOWN', exitStatus: HealthExitStatus.Unknown };
}

/** A command line the command cannot act on; the message says what was wrong (exit ExitStatus.Usage). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * node:util parseArgs's error as a UsageError: its first line, and for an unknown option just that (its advice on
 * positionals that start with '-' never applies to these commands).
 */
export function usageErrorFromParseArgs(err: unknown): UsageError {
  const e = err as { code?: string; message?: string };
  const unknown = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /^Unknown option '([^']+)'/.exec(e.message ?? '') : null;
  if (unknown) return new UsageError(`unknown option ${unknown[1]}`);
  return new UsageError((e.message ?? String(err)).split('\n')[0]);
}

/** The one line a usage error prints: what was wrong, and where the full usage is. */
export function usageErrorLine(program: string, message: string, helpCommand: string): string {
  return `${program}: ${message} (see ${helpCommand})\n`;
}
