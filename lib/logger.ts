import pino, { type Logger } from 'pino';
import type { Env } from './env';

export type { Logger };

/** The one root logger of a process; components take `logger.child({ component })`. */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'>, name: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level: env.LOG_LEVEL,
    // Keys, session tokens and connection strings must never reach the log even when a whole object is logged
    // (the request logger writes no headers at all; this is the second lock).
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
        'headers["set-cookie"]',
        '*.password',
        '*.apiKey',
        'key',
      ],
      censor: '[redacted]',
    },
  };
  // `destination`: tests capture the output; processes write to stdout.
  return destination ? pino(options, destination) : pino(options);
}

/** Startup warnings loadEnv collected (deprecated variables), logged once the process has its logger. */
export function logConfigWarnings(logger: Logger, env: Pick<Env, 'configWarnings'>): void {
  for (const warning of env.configWarnings) logger.warn({ deprecated: true }, warning);
}
