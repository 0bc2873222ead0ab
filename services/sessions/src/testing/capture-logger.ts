import { Writable } from 'node:stream';

import { createLogger, type Logger } from '@onlinetime/logging';

export interface CapturedLogger {
  readonly logger: Logger;
  /** Parsed JSON lines written so far. */
  readonly lines: Array<Record<string, unknown>>;
}

export function captureLogger(level: 'debug' | 'info' | 'warn' = 'debug'): CapturedLogger {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  // pino writes synchronously to a plain Writable's write(): lines are there when the call returns.
  return { logger: createLogger({ name: 'test', level, destination }), lines };
}
