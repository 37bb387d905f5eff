// The command's two ways to stop early (exit statuses: scripts/exit-status.ts, mapped in scripts/conformance.ts).
import { UsageError } from '../exit-status';

/** A bad command line or corpus: the message says what to fix (exit 2, the shared usage status). */
export { UsageError };

/** Temporal, Postgres or the API cannot be reached or is not ready: the message says what to start (exit 1). */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';
}

/** The API answered with an error status; `message` is its own `message` field when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}
