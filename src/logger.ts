/**
 * Structured JSON logs (pino). Every line of a mission carries `mission_id` through a child logger.
 * Secrets never reach logs: known secret fields are redacted by path, and URLs are logged redacted.
 */
import { pino, type Logger } from './vendor/pino.js';

export type { Logger };

/** `destination` 2 sends the lines to stderr (`driftline run` keeps stdout for its summary). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'driftline', destination: 1 | 2 = 1): Logger {
  const options = {
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['S3_SECRET_KEY', 'S3_ACCESS_KEY', 'config.S3_SECRET_KEY', 'config.S3_ACCESS_KEY', 'password', '*.password'],
      censor: '***',
    },
  };
  return destination === 1 ? pino(options) : pino(options, pino.destination({ dest: destination, sync: true }));
}

/** A logger that writes nothing (tests, library use). */
export const silentLogger: Logger = pino({ level: 'silent' });
