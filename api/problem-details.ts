import type { Request, Response } from 'express';
import { z } from 'zod';
import type { HttpError } from './http-errors';

/**
 * Every error body of the API (README "API", Errors): RFC 9457 problem details, served as
 * `application/problem+json`, plus the members clients read before (`error`, `message`, `requestId`, `details`).
 * The error handler builds bodies with `problemBody` and the OpenAPI document describes them with `ProblemDetails`:
 * one schema for both, so the contract cannot drift from what is sent.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * A problem type is a URN per error code, not an http(s) URL: the API answers under whatever host and path prefix a
 * deployment gives it, so a relative reference would resolve differently per deployment (RFC 9457 §3.1.1 warns about
 * that), and there is no public site to point at. The URN is stable, and the codes are listed in the API reference.
 */
export const PROBLEM_TYPE_PREFIX = 'urn:wcag-scanner:problem:';
export const problemTypeOf = (code: string) => `${PROBLEM_TYPE_PREFIX}${code}`;

/** One problem with one input field, as in `details.fields`; facts about it (a URL's `category`) sit beside `message`. */
export const FieldProblemSchema = z
  .looseObject({
    field: z.string().meta({ description: 'Dotted path of the input (`url`, `wcagTags.0`), `(body)` for the body as a whole.' }),
    message: z.string(),
  })
  .meta({ id: 'FieldProblem' });

export const ProblemDetails = z
  .looseObject({
    type: z
      .string()
      // A pattern, not startsWith: zod would publish the latter as `format: "starts_with"`, which no JSON Schema tool knows.
      .regex(/^urn:wcag-scanner:problem:[a-z0-9_]+$/)
      .meta({ description: `\`${PROBLEM_TYPE_PREFIX}<error>\`: one stable URN per error code.`, example: problemTypeOf('not_found') }),
    title: z.string().meta({ description: 'Short summary of the problem type (the HTTP reason phrase of its status).' }),
    status: z.number().int().min(400).max(599),
    detail: z.string().meta({ description: 'What went wrong with this request; the same text as `message`.' }),
    instance: z.string().optional().meta({ description: 'The request path (without its query) this problem occurred on.' }),
    error: z.string().meta({
      description:
        'The error code (bad_request, unauthorized, forbidden, not_found, conflict, limit_reached, idempotency_in_progress, ' +
        'idempotency_key_reused, no_valid_items, payload_too_large, too_large, unsupported_media_type, rate_limited, ' +
        'too_many_requests, internal, command_failed, recovery_failed, unavailable).',
    }),
    message: z.string().meta({ description: 'Kept from before RFC 9457: the same as `detail`.' }),
    requestId: z.string().meta({ description: 'Matches the X-Request-Id response header and the API log.' }),
    details: z
      .looseObject({
        fields: z
          .array(FieldProblemSchema)
          .optional()
          .meta({ description: 'A 400 about particular input: one entry per bad field, always in this member.' }),
      })
      .optional()
      .meta({
        description:
          'Facts about the problem. A 400 about input has `fields`; the refusals of a URL, a schedule interval and an ' +
          "Idempotency-Key also copy their one field's facts to the top of `details` (`details.category`): a deprecated " +
          'alias kept for one release, read `details.fields[0]` instead.',
      }),
  })
  .meta({
    id: 'ProblemDetails',
    description: 'RFC 9457 problem details (application/problem+json) with the members the API answered before kept beside them.',
  });
export type ProblemDetails = z.infer<typeof ProblemDetails>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The problem body for `http` answered to `req` (its path is the `instance`). */
export function problemBody(http: HttpError, req: Pick<Request, 'originalUrl'> & { id?: unknown }): ProblemDetails {
  return {
    // Extension members first: the standard ones below always win over a clashing name.
    ...http.extensions,
    type: problemTypeOf(http.code),
    title: TITLES[http.status] ?? (http.status >= 500 ? 'Server Error' : 'Client Error'),
    status: http.status,
    detail: http.message,
    instance: req.originalUrl.split('?')[0],
    error: http.code,
    message: http.message,
    requestId: String(req.id ?? ''),
    ...(http.details !== undefined && { details: http.details as ProblemDetails['details'] }),
  };
}

/**
 * Answers `http` as problem details: its headers, its status, the problem+json body. Through res.json (which keeps a
 * Content-Type already set), so middleware that settles on res.json (idempotency frees its key) runs before the
 * answer leaves, as for any other JSON answer.
 */
export function sendProblem(req: Request, res: Response, http: HttpError): void {
  res
    .set(http.headers)
    .status(http.status)
    .type(PROBLEM_CONTENT_TYPE)
    .json(problemBody(http, req as Request & { id?: unknown }));
}
