import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

const LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** Temporal calls (message, meta); pino wants (meta, message). */
export function temporalLoggerFrom(pino: Logger): TemporalLogger {
  const at =
    (level: LogLevel) =>
    (message: string, meta: LogMetadata = {}) =>
      pino[LEVEL[level]](meta, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}
