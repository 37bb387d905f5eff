// Pure: the conformance command's exit status (shared statuses: scripts/exit-status.ts) and its one-line errors.
import { ExitStatus, usageErrorLine } from '../exit-status';
import { HELP_COMMAND } from './args';
import { ApiError, InfrastructureError, UsageError } from './errors';
import type { Summary } from './report';

/** 1 when a scan errored (the figures are incomplete), or with `failOnDisagreement` when a case disagreed. */
export function runExitStatus(totals: Summary['totals'], failOnDisagreement: boolean): { status: number; reason?: string } {
  if (totals.errors > 0) return { status: ExitStatus.Failure, reason: `${totals.errors} case(s) ended in error` };
  const disagreed = totals.publishedCases - totals.agreePublished;
  if (failOnDisagreement && disagreed > 0)
    return { status: ExitStatus.Failure, reason: `${disagreed} case(s) disagree with axe-core's published outcome` };
  return { status: ExitStatus.Ok };
}

/** What an error that stopped the run prints, and the status it exits with. */
export function errorExit(err: unknown): { status: number; line: string } {
  if (err instanceof UsageError) return { status: ExitStatus.Usage, line: usageErrorLine('conformance', err.message, HELP_COMMAND) };
  if (err instanceof InfrastructureError) return { status: ExitStatus.Failure, line: `conformance: ${err.message}\n` };
  const detail = err instanceof ApiError ? ` (HTTP ${err.status})` : '';
  return { status: ExitStatus.Failure, line: `conformance failed: ${err instanceof Error ? err.message : String(err)}${detail}\n` };
}
