import type { Logger } from '@onlinetime/logging';

import type { BackoffSettings } from '../backoff.js';
import { invalidArgument } from '../errors.js';

/** What one flush of the publisher sent: lets metrics and tests see the coalescing. */
export interface PublishBatchStats {
  /** publish() calls (or parts of calls) served by this produce request. */
  readonly calls: number;
  readonly records: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly ok: boolean;
}

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Level at which KafkaJS's own log lines are passed to `logger`. Default 'warn'. */
  readonly kafkaLogLevel?: 'error' | 'warn' | 'info' | 'debug';
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** KafkaJS retry of requests (producer, admin, consumers). */
  readonly retry?: {
    readonly retries?: number;
    readonly initialRetryTime?: number;
    readonly maxRetryTime?: number;
  };
  /** Replication factor of topics made by ensureTopics; -1 = the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  readonly producer?: {
    /** Upper bound of records in one produce request. Default 10000. */
    readonly maxBatchRecords?: number;
    /** Upper bound of key+value bytes in one produce request (keep under message.max.bytes). Default 900000. */
    readonly maxBatchBytes?: number;
    /** Extra wait before a flush to gather more records; 0 = next tick. Default 0. */
    readonly lingerMs?: number;
    /** Broker-side acknowledgement timeout. Default 30000. */
    readonly ackTimeoutMs?: number;
  };
  readonly consumer?: {
    readonly sessionTimeoutMs?: number;
    readonly heartbeatIntervalMs?: number;
    readonly rebalanceTimeoutMs?: number;
    readonly maxWaitTimeInMs?: number;
    readonly maxBytesPerPartition?: number;
    readonly maxBytes?: number;
    /** Batches of different partitions handled at once by one member. Default 1. */
    readonly partitionsConsumedConcurrently?: number;
    /** Wait before a failed batch is delivered again. Default 200 ms doubling to 10 s. */
    readonly redeliveryBackoff?: BackoffSettings;
  };
  readonly readLog?: {
    readonly maxBytesPerPartition?: number;
    readonly maxBytes?: number;
    readonly minBytes?: number;
    readonly maxWaitTimeInMs?: number;
  };
  /** Called after every produce request of the publisher. */
  readonly onPublishBatch?: (stats: PublishBatchStats) => void;
}

export interface ResolvedKafkaBusOptions {
  readonly brokers: string[];
  readonly clientId: string;
  readonly logger: Logger;
  readonly kafkaLogLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly retry: { retries: number; initialRetryTime: number; maxRetryTime: number };
  readonly replicationFactor: number;
  readonly producer: {
    maxBatchRecords: number;
    maxBatchBytes: number;
    lingerMs: number;
    ackTimeoutMs: number;
  };
  readonly consumer: {
    sessionTimeoutMs: number;
    heartbeatIntervalMs: number;
    rebalanceTimeoutMs: number;
    maxWaitTimeInMs: number;
    maxBytesPerPartition: number;
    maxBytes: number;
    partitionsConsumedConcurrently: number;
    redeliveryBackoff: BackoffSettings;
  };
  readonly readLog: {
    maxBytesPerPartition: number;
    maxBytes: number;
    minBytes: number;
    maxWaitTimeInMs: number;
  };
  readonly onPublishBatch: ((stats: PublishBatchStats) => void) | undefined;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw invalidArgument(`${name} must be a positive number`, { [name]: value });
  return value;
}

/** Defaults suit both tests and production; see README.md "Settings". */
export function resolveKafkaBusOptions(options: KafkaBusOptions): ResolvedKafkaBusOptions {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw invalidArgument('brokers must list at least one host:port');
  }
  for (const broker of options.brokers) {
    if (typeof broker !== 'string' || !/^[^\s:]+:\d+$/.test(broker)) {
      throw invalidArgument(`broker ${JSON.stringify(broker)} is not host:port`);
    }
  }
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) {
    throw invalidArgument('clientId must be a non-empty string');
  }
  const p = options.producer ?? {};
  const c = options.consumer ?? {};
  const r = options.readLog ?? {};
  const consumer = {
    sessionTimeoutMs: positive('sessionTimeoutMs', c.sessionTimeoutMs ?? 10_000),
    heartbeatIntervalMs: positive('heartbeatIntervalMs', c.heartbeatIntervalMs ?? 1_000),
    rebalanceTimeoutMs: positive('rebalanceTimeoutMs', c.rebalanceTimeoutMs ?? 30_000),
    // How long the broker holds a fetch that finds nothing. Data ends the wait at once, so this costs
    // no latency; it bounds idle polling (100 ms: about twice the broker CPU of an idle stack) and
    // how long a member takes to notice a stop or a rebalance.
    maxWaitTimeInMs: positive('maxWaitTimeInMs', c.maxWaitTimeInMs ?? 500),
    // Up to 8 MiB of one partition per fetch (10 MiB in all): a worker catching up on a backlog
    // applies it in batches of ~16,000 events, where 1 MiB batches doubled its MySQL work per event.
    maxBytesPerPartition: positive('maxBytesPerPartition', c.maxBytesPerPartition ?? 8_388_608),
    maxBytes: positive('maxBytes', c.maxBytes ?? 10_485_760),
    partitionsConsumedConcurrently: positive(
      'partitionsConsumedConcurrently',
      c.partitionsConsumedConcurrently ?? 1,
    ),
    redeliveryBackoff: c.redeliveryBackoff ?? { initialMs: 200, maxMs: 10_000 },
  };
  if (consumer.heartbeatIntervalMs >= consumer.sessionTimeoutMs) {
    throw invalidArgument('heartbeatIntervalMs must be lower than sessionTimeoutMs (about a third of it)');
  }
  return {
    brokers: [...options.brokers],
    clientId: options.clientId,
    logger: options.logger,
    kafkaLogLevel: options.kafkaLogLevel ?? 'warn',
    connectionTimeoutMs: positive('connectionTimeoutMs', options.connectionTimeoutMs ?? 3_000),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? 30_000),
    retry: {
      retries: options.retry?.retries ?? 5,
      initialRetryTime: options.retry?.initialRetryTime ?? 300,
      maxRetryTime: options.retry?.maxRetryTime ?? 30_000,
    },
    replicationFactor: options.replicationFactor ?? -1,
    producer: {
      maxBatchRecords: positive('maxBatchRecords', p.maxBatchRecords ?? 10_000),
      maxBatchBytes: positive('maxBatchBytes', p.maxBatchBytes ?? 900_000),
      lingerMs: p.lingerMs ?? 0,
      ackTimeoutMs: positive('ackTimeoutMs', p.ackTimeoutMs ?? 30_000),
    },
    consumer,
    readLog: {
      maxBytesPerPartition: positive('readLog.maxBytesPerPartition', r.maxBytesPerPartition ?? 10_485_760),
      maxBytes: positive('readLog.maxBytes', r.maxBytes ?? 52_428_800),
      minBytes: positive('readLog.minBytes', r.minBytes ?? 1_048_576),
      maxWaitTimeInMs: positive('readLog.maxWaitTimeInMs', r.maxWaitTimeInMs ?? 100),
    },
    onPublishBatch: options.onPublishBatch,
  };
}
