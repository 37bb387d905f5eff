import pino, { type Logger } from 'pino';
import type { Env } from './env';

export type { Logger };

/** The one root logger of a process; components take `logger.child({ component })`. */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'>, name: string): Logger {
  return pino({
    name,
    level: env.LOG_LEVEL,
    // Keys and connection strings must never reach the log even when a whole object is logged.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.apiKey', 'key'], censor: '[redacted]' },
  });
}
