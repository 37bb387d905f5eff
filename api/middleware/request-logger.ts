import { randomUUID } from 'node:crypto';
import pinoHttp from 'pino-http';
import type { Logger } from '../../lib/logger';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** pino-http with a request id (a caller's sane X-Request-Id is kept) echoed in the response. */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // Health probes every few seconds would drown everything else.
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    // No headers either way: requests carry the session cookie and API keys, responses Set-Cookie (the session
    // token of every sign-in). pino-http's default `res` serializer would log them all at info.
    serializers: {
      req: (req) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res) => ({ statusCode: res.statusCode }),
    },
  });
}
