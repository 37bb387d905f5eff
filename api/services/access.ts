// The one place that decides who may touch what. A client key acts for its own client only; the admin key (the
// operator) for every client. Another client's resource is reported as absent (404), never as forbidden: its
// existence is not ours to reveal. Naming another client explicitly in a request is a 403 (the caller knows it asked).
import { forbidden, notFound } from '../http-errors';
import { OPERATOR_IDENTITY } from '../schemas/scans.schema';
import type { Principal } from './api-key.service';

/** Admins see every client; a client key sees only its own. */
export function canAccessClient(principal: Principal, clientId: string): boolean {
  return principal.kind === 'admin' || principal.clientId === clientId;
}

/** `resource` if this principal may see it, else a 404 naming `what` (also when it does not exist). */
export function assertVisible<T extends { clientId: string }>(principal: Principal, resource: T | null | undefined, what: string): T {
  if (!resource || !canAccessClient(principal, resource.clientId)) throw notFound(what);
  return resource;
}

/** The client a query is restricted to: undefined for the admin (every client), the key's own client otherwise. */
export function scopeOf(principal: Principal): string | undefined {
  return principal.kind === 'admin' ? undefined : principal.clientId;
}

/** Whether `clientId` lies inside `scope` (undefined: every client). */
export const inScope = (scope: string | undefined, clientId: string): boolean => scope === undefined || scope === clientId;

/**
 * The client a request acts for: a client key's own (naming another is a 403 with `refusal`), or the admin's
 * explicit choice (possibly none).
 */
export function actingClient(principal: Principal, given: string | undefined, refusal: string): string | undefined {
  if (principal.kind === 'admin') return given;
  if (given !== undefined && given !== principal.clientId) throw forbidden(refusal);
  return principal.clientId;
}

/** Who a submission (a bulk) is recorded as made by: the client, or OPERATOR_IDENTITY for the admin key. */
export const submitterOf = (principal: Principal): string => (principal.kind === 'admin' ? OPERATOR_IDENTITY : principal.clientId);

/**
 * A client key sees only what it submitted itself, and never the operator's (recorded as OPERATOR_IDENTITY, which no
 * valid client id equals; checked anyway, should a key row ever hold it). The admin sees every submission.
 */
export function canAccessSubmission(principal: Principal, submittedBy: string): boolean {
  return principal.kind === 'admin' || (submittedBy !== OPERATOR_IDENTITY && submittedBy === submitterOf(principal));
}
