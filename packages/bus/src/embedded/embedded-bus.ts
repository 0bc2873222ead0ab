import { randomUUID } from 'node:crypto';

import type { Logger } from '@onlinetime/logging';

import type { BackoffSettings } from '../backoff.js';
import { stoppedError } from '../errors.js';
import type { Bus, Subscription } from '../types.js';
import {
  validateReadLogOptions,
  validateRecords,
  validateSubscribeOptions,
  validateTopicName,
  validateTopicSpecs,
} from '../validate.js';
import { createEmbeddedGroup, type EmbeddedGroup } from './group.js';
import { createEmbeddedLog } from './log.js';
import { createEmbeddedMember, type EmbeddedMember } from './member.js';

export interface EmbeddedBusOptions {
  /**
   * When set, a topic used before ensureTopics is created with this many partitions (like a broker
   * with auto.create.topics.enable). Unset (default), using a missing topic fails as on our Kafka.
   */
  readonly partitions?: number;
  /** Most messages handed to one handleBatch call. Default 500. */
  readonly maxBatchMessages?: number;
  /** Wait before a failed batch is delivered again. Default 20 ms doubling to 1 s. */
  readonly redeliveryBackoff?: BackoffSettings;
  /** Handler failures are logged here (warn) when given. */
  readonly logger?: Logger;
}

export interface EmbeddedBus extends Bus {
  /** Offsets a consumer group committed on a topic (null: nothing committed for that partition). */
  committedOffsets(
    groupId: string,
    topic: string,
  ): Promise<Array<{ partition: number; offset: string | null }>>;
}

/** The Bus port in process: partitions, offsets, consumer groups and redelivery, nothing persisted. */
export function createEmbeddedBus(options: EmbeddedBusOptions = {}): EmbeddedBus {
  const log = createEmbeddedLog(options.partitions);
  const groups = new Map<string, EmbeddedGroup>();
  const members = new Set<EmbeddedMember>();
  const maxBatchMessages = options.maxBatchMessages ?? 500;
  const backoff = options.redeliveryBackoff ?? { initialMs: 20, maxMs: 1_000 };
  let stopping: Promise<void> | null = null;
  let closed = false;

  const guard = (operation: string): void => {
    if (stopping !== null) throw stoppedError(operation);
  };
  const groupOf = (groupId: string): EmbeddedGroup => {
    let group = groups.get(groupId);
    if (group === undefined) {
      group = createEmbeddedGroup((topic) => log.topic(topic).partitions.length);
      groups.set(groupId, group);
    }
    return group;
  };

  return {
    async publish(topic, records) {
      // Accepted while members finish their last batches (handlers may publish), refused after.
      if (closed) throw stoppedError('publish');
      validateRecords(topic, records);
      log.append(topic, records);
      for (const member of members) if (member.topics.includes(topic)) member.wake();
    },

    async subscribe(subscribe): Promise<Subscription> {
      guard('subscribe');
      validateSubscribeOptions(subscribe);
      subscribe.topics.forEach((topic) => log.topic(topic));
      const member = createEmbeddedMember({
        id: randomUUID(),
        log,
        group: groupOf(subscribe.groupId),
        subscribe: { ...subscribe, topics: [...subscribe.topics] },
        maxBatchMessages,
        backoff,
        logger: options.logger,
      });
      members.add(member);
      groupOf(subscribe.groupId).join(member);
      member.start();
      return {
        ready: member.ready,
        stop: async () => {
          await member.stop();
          members.delete(member);
        },
      };
    },

    async ensureTopics(specs) {
      guard('ensure topics');
      validateTopicSpecs(specs).forEach((spec) => log.ensure(spec));
    },

    async describeTopics(topics) {
      guard('describe topics');
      return topics.map((topic) => log.describe(validateTopicName(topic)));
    },

    async readLog({ topic, handleBatch }) {
      guard('read the log');
      validateReadLogOptions({ topic, handleBatch });
      const { partitions } = log.topic(topic);
      const ends = partitions.map((messages) => messages.length);
      let count = 0;
      for (const [partition, messages] of partitions.entries()) {
        const end = ends[partition]!;
        for (let from = 0; from < end; from += maxBatchMessages) {
          if (stopping !== null) throw stoppedError('read the log');
          const batch = messages.slice(from, Math.min(end, from + maxBatchMessages));
          await handleBatch({ topic, partition, messages: batch });
          count += batch.length;
        }
      }
      return { messages: count };
    },

    async countMessages(topic) {
      guard('count messages');
      return log.topic(validateTopicName(topic)).partitions.reduce((sum, p) => sum + p.length, 0);
    },

    async committedOffsets(groupId, topic) {
      const group = groups.get(groupId);
      return log.topic(validateTopicName(topic)).partitions.map((_, partition) => {
        const offset = group?.committed(topic, partition);
        return { partition, offset: offset === undefined ? null : String(offset) };
      });
    },

    stop() {
      stopping ??= Promise.all([...members].map((m) => m.stop())).then(() => {
        members.clear();
        closed = true;
      });
      return stopping;
    },
  };
}
