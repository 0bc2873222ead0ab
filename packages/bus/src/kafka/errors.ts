import type { OnlinetimeError } from '@onlinetime/errors';
import { isOnlinetimeError } from '@onlinetime/errors';

import { busError, type BusErrorCode } from '../errors.js';

interface KafkaJSLikeError extends Error {
  readonly retriable?: unknown;
  readonly type?: unknown;
  readonly cause?: unknown;
}

function isKafkaJSError(err: unknown): err is KafkaJSLikeError {
  return err instanceof Error && err.name.startsWith('KafkaJS');
}

/** KafkaJS marks transient failures `retriable`; giving up after retries is transient too. */
export function isRetriableKafkaError(err: unknown): boolean {
  if (!isKafkaJSError(err)) return false;
  if (err.retriable === true) return true;
  if (err.name === 'KafkaJSNumberOfRetriesExceeded' || err.name === 'KafkaJSConnectionError') return true;
  if (err.name === 'KafkaJSRequestTimeoutError' || err.name === 'KafkaJSConnectionClosedError') return true;
  return err.cause !== undefined && isRetriableKafkaError(err.cause);
}

/** Wraps any failure of a Kafka call once, at this adapter's boundary, keeping the cause. */
export function toBusError(
  code: BusErrorCode,
  what: string,
  err: unknown,
  context: Record<string, unknown> = {},
): OnlinetimeError {
  if (isOnlinetimeError(err)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  const kafkaType = isKafkaJSError(err) && typeof err.type === 'string' ? err.type : undefined;
  return busError(code, `${what}: ${reason}`, {
    retriable: isRetriableKafkaError(err),
    cause: err,
    context: kafkaType === undefined ? context : { ...context, kafkaType },
  });
}
