/**
 * An error whose status, code and message are safe to show to the caller; the error handler answers it as RFC 9457
 * problem details (api/problem-details.ts). `extensions` are extra top-level members of that body (RFC 9457 §3.2),
 * kept only where clients read them before the body had one shape.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, 'bad_request', message, details);

/** One problem with one input field; `extra` facts about it (e.g. a URL's refusal category) sit beside the message. */
export type FieldProblem = { field: string; message: string } & Record<string, unknown>;

/**
 * The 400 for input that names its fields: details `{ fields: [{ field, message, … }] }` (README "API"), message
 * "field: problem; …" unless given. `flat` also copies a single field's problem to the top of details, as the URL,
 * schedule-interval and Idempotency-Key refusals gave it before `fields` existed (clients read `details.category`):
 * a deprecated alias, documented as such, kept for one release.
 */
export function invalidFields(fields: FieldProblem[], opts: { message?: string; flat?: boolean } = {}): HttpError {
  const message = opts.message ?? fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  const flat = opts.flat && fields.length === 1 ? (({ message: _m, ...rest }) => rest)(fields[0]) : {};
  return badRequest(message, { ...flat, fields });
}

/** invalidFields for a single field. */
export const invalidField = (
  field: string,
  message: string,
  extra: Record<string, unknown> = {},
  opts: { message?: string; flat?: boolean } = {},
) => invalidFields([{ field, message, ...extra }], opts);

export const unauthorized = (message = 'missing or invalid API key') =>
  new HttpError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (what = 'resource') => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'conflict', message);
/** 409 limit_reached: the client already stores the most `what` the setting allows (tenant ceilings). */
export const limitReached = (
  what: string,
  clientId: string,
  current: number,
  limit: number,
  setting: string,
  remedy = 'delete some first',
) =>
  new HttpError(
    409,
    'limit_reached',
    `client ${clientId} already has ${current} ${what}, the most allowed (${setting}=${limit}); ${remedy}`,
    { reason: 'limit_reached', clientId, current, limit, setting },
  );
export const serviceUnavailable = (message: string, retryAfterSeconds = 10) =>
  new HttpError(503, 'unavailable', message, undefined, { 'Retry-After': String(retryAfterSeconds) });
