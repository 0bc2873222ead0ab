import { randomUUID } from 'node:crypto';

import type { Logger } from '@onlinetime/logging';
import kafkajs, { type EachBatchPayload, type KafkaMessage, type PartitionAssigner } from 'kafkajs';

import { createDeferred } from '../deferred.js';
import { busError } from '../errors.js';
import type { Batch, ReadLogOptions } from '../types.js';
import type { TopicAdmin } from './admin.js';
import type { KafkaClient } from './client.js';
import { toBusError } from './errors.js';
import { toBusMessage } from './messages.js';
import type { ResolvedKafkaBusOptions } from './options.js';

const { AssignerProtocol } = kafkajs;

export interface LogReader {
  read(options: ReadLogOptions): Promise<{ messages: number }>;
  /** Aborts every read in progress (they reject with BUS_STOPPED). */
  abortAll(): Promise<void>;
}

const ASSIGNER = 'OnlinetimeReadLogAssigner';

/**
 * Gives the group's member exactly `partitions` of `topic` (the group is the reader's own, with one
 * member), so a reader of some partitions never fetches the others.
 */
function fixedAssigner(topic: string, partitions: readonly number[]): PartitionAssigner {
  return () => ({
    name: ASSIGNER,
    version: 0,
    assign: ({ members }) =>
      Promise.resolve(
        members.map(({ memberId }, i) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment: i === 0 ? { [topic]: [...partitions] } : {},
            userData: Buffer.alloc(0),
          }),
        })),
      ),
    protocol: ({ topics }) => ({
      name: ASSIGNER,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    }),
  });
}

/**
 * The messages of a fetched batch in [from, target). Offsets only grow within a batch, so its first
 * and last decide; only a batch straddling a bound is filtered (no BigInt per message).
 */
function inRange(messages: KafkaMessage[], from: bigint, target: bigint): KafkaMessage[] {
  const first = messages[0];
  const last = messages[messages.length - 1];
  if (first === undefined || last === undefined) return messages;
  if (BigInt(first.offset) >= from && BigInt(last.offset) < target) return messages;
  return messages.filter((m) => {
    const offset = BigInt(m.offset);
    return offset < target && offset >= from;
  });
}

/**
 * Reads a topic from its beginning up to the high watermarks it had when read() was called, with a
 * throwaway consumer group of its own (unique id, nothing committed, deleted afterwards), so no live
 * group is disturbed. Fetches are large (readLog.maxBytes / maxBytesPerPartition) and streamed to
 * handleBatch one partition batch at a time: memory stays bounded by one fetch response. With
 * `partitions`, only those are read.
 */
export function createLogReader(deps: {
  readonly kafka: KafkaClient;
  readonly admin: TopicAdmin;
  readonly options: ResolvedKafkaBusOptions;
  readonly logger: Logger;
}): LogReader {
  const active = new Set<{ abort(err: unknown): void; finished: Promise<void> }>();
  const { options } = deps;

  async function read({ topic, partitions, handleBatch }: ReadLogOptions): Promise<{ messages: number }> {
    const wanted = partitions === undefined ? null : new Set(partitions);
    const targets = new Map<number, bigint>();
    for (const { partition, low, high } of await deps.admin.watermarks(topic)) {
      if (wanted !== null && !wanted.has(partition)) continue;
      if (BigInt(high) > BigInt(low)) targets.set(partition, BigInt(high));
    }
    if (targets.size === 0) return { messages: 0 };

    const groupId = `${options.clientId}.read-log.${randomUUID()}`;
    const consumer = deps.kafka.consumer({
      groupId,
      sessionTimeout: options.consumer.sessionTimeoutMs,
      heartbeatInterval: options.consumer.heartbeatIntervalMs,
      maxWaitTimeInMs: options.readLog.maxWaitTimeInMs,
      minBytes: options.readLog.minBytes,
      maxBytes: options.readLog.maxBytes,
      maxBytesPerPartition: options.readLog.maxBytesPerPartition,
      allowAutoTopicCreation: false,
      ...(wanted === null ? {} : { partitionAssigners: [fixedAssigner(topic, [...targets.keys()])] }),
      // A restarted consumer would start over from the beginning: fail the read instead.
      retry: { ...options.retry, restartOnFailure: () => Promise.resolve(false) },
    });
    const done = createDeferred<void>();
    const finished = createDeferred<void>();
    const entry = { abort: done.reject, finished: finished.promise };
    active.add(entry);
    // Next offset to deliver per partition: a rejoin after a rebalance refetches from the start
    // (nothing is committed), and those messages are not handed over twice.
    const next = new Map<number, bigint>();
    let count = 0;
    let failed = false;

    consumer.on(consumer.events.CRASH, ({ payload }) => {
      done.reject(toBusError('BUS_READ_LOG_FAILED', `reading ${topic} failed`, payload.error, { topic }));
    });

    const eachBatch = async ({ batch, resolveOffset, pause }: EachBatchPayload): Promise<void> => {
      const target = targets.get(batch.partition);
      if (failed || target === undefined) {
        pause();
        return;
      }
      const from = next.get(batch.partition) ?? -1n;
      const messages = inRange(batch.messages, from, target);
      if (messages.length > 0) {
        const busBatch: Batch = {
          topic,
          partition: batch.partition,
          messages: messages.map((m) => toBusMessage(topic, batch.partition, m)),
        };
        try {
          await handleBatch(busBatch);
        } catch (err) {
          failed = true;
          done.reject(err);
          return;
        }
        count += messages.length;
        next.set(batch.partition, BigInt(messages[messages.length - 1]!.offset) + 1n);
      }
      const last = batch.lastOffset();
      resolveOffset(last);
      if (BigInt(last) + 1n >= target) {
        targets.delete(batch.partition);
        pause();
        if (targets.size === 0) done.resolve();
      }
    };

    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
      await done.promise;
    } catch (err) {
      if (failed) throw err;
      throw toBusError('BUS_READ_LOG_FAILED', `reading ${topic} failed`, err, { topic });
    } finally {
      active.delete(entry);
      await consumer
        .disconnect()
        .catch((err: unknown) => deps.logger.warn({ err, groupId }, 'read-log disconnect failed'));
      await deps.admin
        .deleteGroup(groupId)
        .catch((err: unknown) => deps.logger.debug({ err, groupId }, 'read-log group not deleted'));
      finished.resolve();
    }
    return { messages: count };
  }

  return {
    read,
    async abortAll() {
      const entries = [...active];
      for (const { abort } of entries) abort(busError('BUS_STOPPED', 'bus stopped while reading the log'));
      await Promise.all(entries.map(({ finished }) => finished));
    },
  };
}
