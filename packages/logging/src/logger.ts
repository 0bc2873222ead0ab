import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Service name, bound on every line. */
  readonly name: string;
  /** Defaults to stdout; tests pass a sink. */
  readonly destination?: DestinationStream;
}

/** JSON lines to stdout; secrets in SASL payloads and passwords are never logged. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: ['password', '*.password', 'sasl', '*.sasl'], censor: '[redacted]' },
    },
    options.destination,
  );
}
