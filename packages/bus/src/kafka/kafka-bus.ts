import kafkajs, { type Admin } from 'kafkajs';

import { stoppedError } from '../errors.js';
import type { Bus, Subscription } from '../types.js';
import {
  validateReadLogOptions,
  validateRecords,
  validateSubscribeOptions,
  validateTopicName,
  validateTopicSpecs,
} from '../validate.js';
import { createTopicAdmin } from './admin.js';
import { createKafkaClient } from './client.js';
import { toBusError } from './errors.js';
import { resolveKafkaBusOptions, type KafkaBusOptions } from './options.js';
import { createPublisher } from './publisher.js';
import { createLogReader } from './read-log.js';
import { startSubscription } from './subscriber.js';

const { Partitioners } = kafkajs;

/** The Kafka bus also answers what ops tooling asks of a real broker. */
export interface KafkaBus extends Bus {
  /** Offsets a consumer group committed on a topic (null: nothing committed for that partition). */
  committedOffsets(
    groupId: string,
    topic: string,
  ): Promise<Array<{ partition: number; offset: string | null }>>;
}

/** Connects lazily, once; a failed attempt is forgotten so the next call tries again. */
function lazy(connect: () => Promise<void>): () => Promise<void> {
  let pending: Promise<void> | null = null;
  return () => {
    pending ??= connect().catch((err: unknown) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}

/**
 * The Bus port on Kafka through KafkaJS (the only place that imports it). Nothing connects until
 * first used: the producer on first publish, the admin client on first topic call.
 */
export function createKafkaBus(options: KafkaBusOptions): KafkaBus {
  const settings = resolveKafkaBusOptions(options);
  const logger = settings.logger.child({ component: 'bus', clientId: settings.clientId });
  const kafka = createKafkaClient(settings);
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    idempotent: false,
    maxInFlightRequests: 1,
    retry: settings.retry,
  });
  const admin: Admin = kafka.admin({ retry: settings.retry });
  let producerUsed = false;
  let adminUsed = false;
  const connectProducer = lazy(async () => {
    producerUsed = true;
    await producer.connect();
  });
  const connectAdmin = lazy(async () => {
    adminUsed = true;
    await admin.connect();
  });
  const topics = createTopicAdmin({
    admin: async () => (await connectAdmin(), admin),
    replicationFactor: settings.replicationFactor,
    logger,
  });
  const publisher = createPublisher({ producer, connect: connectProducer, options: settings, logger });
  const reader = createLogReader({ kafka, admin: topics, options: settings, logger });
  const subscriptions = new Set<Subscription>();
  let stopping: Promise<void> | null = null;

  const guard = (operation: string): void => {
    if (stopping !== null) throw stoppedError(operation);
  };

  return {
    async publish(topic, records) {
      validateRecords(topic, records);
      return publisher.publish(topic, records);
    },

    async subscribe(subscribeOptions) {
      guard('subscribe');
      validateSubscribeOptions(subscribeOptions);
      const subscription = await startSubscription({
        kafka,
        options: settings,
        logger,
        subscribe: subscribeOptions,
      });
      const tracked: Subscription = {
        ready: subscription.ready,
        stop: async () => {
          await subscription.stop();
          subscriptions.delete(tracked);
        },
      };
      subscriptions.add(tracked);
      return tracked;
    },

    async ensureTopics(specs) {
      guard('ensure topics');
      await topics.ensureTopics(validateTopicSpecs(specs));
    },

    async describeTopics(names) {
      guard('describe topics');
      names.forEach(validateTopicName);
      return topics.describeTopics(names);
    },

    async readLog(readOptions) {
      guard('read the log');
      validateReadLogOptions(readOptions);
      return reader.read(readOptions);
    },

    async countMessages(topic) {
      guard('count messages');
      return topics.countMessages(validateTopicName(topic));
    },

    async committedOffsets(groupId, topic) {
      guard('read committed offsets');
      return topics.committedOffsets(groupId, validateTopicName(topic));
    },

    stop() {
      stopping ??= (async () => {
        // Members finish their batches first (handlers may still publish), then everything queued
        // is flushed.
        await Promise.all([...subscriptions].map((s) => s.stop()));
        await reader.abortAll();
        await publisher.close();
        const disconnects: Array<Promise<void>> = [];
        if (producerUsed) disconnects.push(producer.disconnect());
        if (adminUsed) disconnects.push(admin.disconnect());
        try {
          await Promise.all(disconnects);
        } catch (err) {
          throw toBusError('BUS_ADMIN_FAILED', 'disconnecting from Kafka failed', err);
        }
        logger.info('bus stopped');
      })();
      return stopping;
    },
  };
}
