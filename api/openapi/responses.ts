import { z } from 'zod';
import type { ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { PROBLEM_CONTENT_TYPE, ProblemDetails } from '../problem-details';

// Response objects the operations (api/openapi/paths/*.paths.ts) are built from: one spelling of each status.

const STATUS_TEXT: Record<number, string> = {
  400: 'The input is invalid (`details.fields` names each bad field), or the body is not JSON.',
  401: 'No valid API key (`WWW-Authenticate: Bearer`).',
  403: 'The key may not do this (an admin-only endpoint, or another client named).',
  404: "Not found, or not this key's to see.",
  409: 'Conflicts with the current state (already ended, a duplicate, a limit reached, an idempotent request in progress).',
  413: 'The body (or the produced file) is too large.',
  415: "The body's media type or encoding is not accepted.",
  422: 'Understood but refused (every bulk item invalid; an Idempotency-Key reused for another request).',
  429: "Too many requests (`Retry-After`): a per-IP/per-key limit or the client's hourly scan quota.",
  500: 'Internal error; quote `requestId` when reporting it.',
  502: 'A worker-side command or run failed.',
  503: 'A dependency (Temporal, a worker) is unavailable (`Retry-After`).',
};

/** Problem details (RFC 9457) for `status`. */
export const problem = (status: number): ZodOpenApiResponseObject => ({
  description: STATUS_TEXT[status] ?? 'Error',
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetails } },
});

/** The errors of every route behind the API's Bearer authentication and rate limits. */
const AUTHENTICATED = [401, 429, 500];

/** The responses of an /api operation: `ok` plus problems for `errors` and those every authenticated route may answer. */
export function apiResponses(ok: ZodOpenApiResponsesObject, errors: number[] = []): ZodOpenApiResponsesObject {
  const out: Record<string, ZodOpenApiResponseObject> = { ...(ok as Record<string, ZodOpenApiResponseObject>) };
  for (const status of [...new Set([...errors, ...AUTHENTICATED])].sort()) out[String(status)] = problem(status);
  return out as ZodOpenApiResponsesObject;
}

/** A JSON success response. */
export const json = (description: string, schema: z.ZodType, headers?: ZodOpenApiResponseObject['headers']): ZodOpenApiResponseObject => ({
  description,
  content: { 'application/json': { schema } },
  ...(headers && { headers }),
});

/** A file download (CSV, JSON, JSON-LD, PDF) with `Content-Disposition: attachment`. */
export const download = (description: string, mediaType: string, schema: z.ZodType = z.string()): ZodOpenApiResponseObject => ({
  description,
  content: { [mediaType]: { schema } },
  headers: z.object({ 'Content-Disposition': z.string().meta({ description: 'attachment; filename="…"' }) }),
});

export const noContent: ZodOpenApiResponseObject = { description: 'Done; no body.' };

/** `Location` of the created or accepted resource. */
export const location = z.object({ Location: z.string().meta({ description: 'The path of the resource.' }) });

/** The body of a POST/PUT/PATCH. */
export const jsonBody = (schema: z.ZodType) => ({ content: { 'application/json': { schema } }, required: true });

/** Errors of operations with a JSON body beyond their own: a body too large or in an encoding not accepted. */
export const BODY_ERRORS = [400, 413, 415];

/** The Idempotency-Key request header (README "API"). */
export const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'A retry with the same key and request gets the first 2xx answer again (`Idempotent-Replayed: true`).' }),
});
/** The extra errors of an operation that honours Idempotency-Key. */
export const IDEMPOTENCY_ERRORS = [400, 409, 422];
