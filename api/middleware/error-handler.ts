import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../lib/logger';
import { HttpError, notFound } from '../http-errors';
import { sendProblem } from '../problem-details';

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound('route'));

/** One mapping from any error to problem details (api/problem-details.ts): never a stack, query or connection string. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const requestId = String((req as { id?: unknown }).id ?? '');
    let http: HttpError;
    if (err instanceof HttpError) http = err;
    else if (err?.type === 'entity.parse.failed') http = new HttpError(400, 'bad_request', 'request body is not valid JSON');
    else if (err?.type === 'entity.too.large') http = new HttpError(413, 'payload_too_large', 'request body is too large');
    else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') {
      http = new HttpError(415, 'unsupported_media_type', 'unsupported request encoding');
    } else http = new HttpError(500, 'internal', 'internal error; quote the request id when reporting it');
    if (http.status >= 500) logger.error({ err, requestId, path: req.path }, 'request failed');
    if (res.headersSent) return;
    sendProblem(req, res, http);
  };
}
