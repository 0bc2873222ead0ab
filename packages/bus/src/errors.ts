import { OnlinetimeError } from '@onlinetime/errors';

/** Codes of the errors the bus throws on purpose; the cause (a KafkaJS error, say) is kept. */
export type BusErrorCode =
  | 'BUS_INVALID_ARGUMENT'
  | 'BUS_STOPPED'
  | 'BUS_TOPIC_MISSING'
  | 'BUS_PUBLISH_FAILED'
  | 'BUS_SUBSCRIBE_FAILED'
  | 'BUS_ADMIN_FAILED'
  | 'BUS_READ_LOG_FAILED'
  | 'BUS_CONSUMER_CRASHED';

export function busError(
  code: BusErrorCode,
  message: string,
  options: { retriable?: boolean; context?: Record<string, unknown>; cause?: unknown } = {},
): OnlinetimeError {
  return new OnlinetimeError(code, message, options);
}

export function invalidArgument(message: string, context: Record<string, unknown> = {}): OnlinetimeError {
  return busError('BUS_INVALID_ARGUMENT', message, { context });
}

export function stoppedError(operation: string): OnlinetimeError {
  return busError('BUS_STOPPED', `bus is stopped: cannot ${operation}`, { context: { operation } });
}

export function topicMissingError(topics: readonly string[]): OnlinetimeError {
  return busError(
    'BUS_TOPIC_MISSING',
    `topic(s) do not exist: ${topics.join(', ')}; create them with ensureTopics`,
    {
      context: { topics },
    },
  );
}
