import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr (stdout stays free for CLI output). */
export function createLogger(level: string, name = 'vegvision'): Logger {
  return pino({ name, level, base: { service: name } }, pino.destination(2));
}
