import type { Logger } from '@onlinetime/logging';

/**
 * Logs a dependency outage once when it begins and once when it ends, however many retries lie
 * between (each retry is logged at debug only).
 */
export interface OutageLog {
  failed(err: unknown, context: Record<string, unknown>): void;
  succeeded(): void;
  readonly down: boolean;
}

export function createOutageLog(logger: Logger, what: string): OutageLog {
  let since: number | null = null;
  let failures = 0;
  return {
    get down() {
      return since !== null;
    },
    failed(err, context) {
      failures += 1;
      if (since === null) {
        since = Date.now();
        logger.error({ err, ...context }, `${what} failed; retrying until it recovers`);
      } else {
        logger.debug({ err, failures, ...context }, `${what} still failing`);
      }
    },
    succeeded() {
      if (since === null) return;
      logger.info({ downMs: Date.now() - since, failures }, `${what} recovered`);
      since = null;
      failures = 0;
    },
  };
}
