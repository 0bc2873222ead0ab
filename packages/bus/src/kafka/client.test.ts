import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { createLogger } from '@onlinetime/logging';

import { kafkaLogCreator } from './client.js';
import { isRetriableKafkaError, toBusError } from './errors.js';

const { logLevel } = kafkajs;

function sink(): { lines: Array<Record<string, unknown>>; logger: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({
    name: 'test',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { lines, logger };
}

describe('kafkaLogCreator', () => {
  it('when KafkaJS logs, then the line goes to pino with its namespace and extra fields', () => {
    const { lines, logger } = sink();
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    log({
      namespace: 'Consumer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 'now', message: 'Crash: boom', groupId: 'g' },
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'Crash: boom',
        namespace: 'Consumer',
        kafka: { groupId: 'g' },
      }),
    ]);
  });

  it('when KafkaJS reports a routine error response or rejoin, then it is demoted to debug', () => {
    const { lines, logger } = sink();
    const log = kafkaLogCreator(logger)(logLevel.WARN);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 'now', message: 'Response Heartbeat(key: 12, version: 3)' },
    });
    log({
      namespace: 'Runner',
      level: logLevel.WARN,
      label: 'WARN',
      log: { timestamp: 'now', message: 'The group is rebalancing, re-joining' },
    });
    expect(lines.map((l) => l['level'])).toEqual([20, 20]);
  });
});

describe('toBusError', () => {
  it('when KafkaJS gave up after retries, then the error is retriable and keeps its cause', () => {
    const cause = Object.assign(new Error('timeout'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
    });
    const err = toBusError('BUS_PUBLISH_FAILED', 'publish failed', cause, { topic: 't' });
    expect(err).toMatchObject({ code: 'BUS_PUBLISH_FAILED', retriable: true, context: { topic: 't' } });
    expect(err.cause).toBe(cause);
  });

  it('when the error is not from KafkaJS, then it is not retriable', () => {
    expect(isRetriableKafkaError(new TypeError('bug'))).toBe(false);
    const err = toBusError(
      'BUS_ADMIN_FAILED',
      'x',
      Object.assign(new Error('bad'), { name: 'KafkaJSNonRetriableError', retriable: false }),
    );
    expect(err.retriable).toBe(false);
  });
});
