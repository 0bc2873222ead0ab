import type { Logger } from '@onlinetime/logging';
import kafkajs, { type Admin } from 'kafkajs';

import { topicMissingError } from '../errors.js';
import type { TopicDescription, TopicSpec } from '../types.js';
import { isRetriableKafkaError, toBusError } from './errors.js';

const { ConfigResourceTypes } = kafkajs;

export interface TopicAdmin {
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  describeTopics(topics: readonly string[]): Promise<TopicDescription[]>;
  countMessages(topic: string): Promise<number>;
  /** Low and high watermark of every partition, in partition order. */
  watermarks(topic: string): Promise<Array<{ partition: number; low: string; high: string }>>;
  committedOffsets(
    groupId: string,
    topic: string,
  ): Promise<Array<{ partition: number; offset: string | null }>>;
  deleteGroup(groupId: string): Promise<void>;
}

/**
 * KafkaJS's fetchTopicOffsets gives up at once on NOT_LEADER / LEADER_NOT_AVAILABLE, which a new
 * topic answers for a moment and a cluster does during leader elections: retry those briefly.
 */
async function whileLeadersMove<T>(fn: () => Promise<T>, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriableKafkaError(err) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** attempt)));
    }
  }
}

/** Topic and group administration over one lazily connected KafkaJS admin client. */
export function createTopicAdmin(deps: {
  readonly admin: () => Promise<Admin>;
  readonly replicationFactor: number;
  readonly logger: Logger;
}): TopicAdmin {
  const call = async <T>(
    what: string,
    context: Record<string, unknown>,
    fn: (a: Admin) => Promise<T>,
  ): Promise<T> => {
    try {
      return await fn(await deps.admin());
    } catch (err) {
      throw toBusError('BUS_ADMIN_FAILED', what, err, context);
    }
  };

  const requireTopics = async (topics: readonly string[]): Promise<void> => {
    const existing = new Set(await call('listing topics failed', {}, (a) => a.listTopics()));
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) throw topicMissingError(missing);
  };

  const fetchWatermarks: TopicAdmin['watermarks'] = async (topic) => {
    const offsets = await call(`reading offsets of ${topic} failed`, { topic }, (a) =>
      whileLeadersMove(() => a.fetchTopicOffsets(topic)),
    );
    return offsets
      .map(({ partition, low, high }) => ({ partition, low, high }))
      .sort((x, y) => x.partition - y.partition);
  };

  const watermarks: TopicAdmin['watermarks'] = async (topic) => {
    await requireTopics([topic]);
    return fetchWatermarks(topic);
  };

  return {
    watermarks,

    async ensureTopics(specs) {
      const existing = new Set(await call('listing topics failed', {}, (a) => a.listTopics()));
      const missing = specs.filter((s) => !existing.has(s.topic));
      if (missing.length === 0) return;
      const topics = missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions,
        replicationFactor: deps.replicationFactor,
        configEntries: [{ name: 'retention.ms', value: String(s.retentionMs) }],
      }));
      try {
        await call('creating topics failed', { topics: missing.map((s) => s.topic) }, (a) =>
          a.createTopics({ topics, waitForLeaders: true }),
        );
      } catch (err) {
        // Another process may have created some of them meanwhile: fine if all exist now.
        const now = new Set(await call('listing topics failed', {}, (a) => a.listTopics()));
        if (!missing.every((s) => now.has(s.topic))) throw err;
      }
      // Leaders known to the controller are not always serving yet (and a concurrent creator's
      // topics were not waited for at all): wait until every new partition answers.
      await Promise.all(missing.map((s) => fetchWatermarks(s.topic)));
      deps.logger.info({ topics: missing.map((s) => s.topic) }, 'created topics');
    },

    async describeTopics(topics) {
      if (topics.length === 0) return [];
      await requireTopics(topics);
      const configs = await call('describing topic configs failed', { topics }, (a) =>
        a.describeConfigs({
          resources: topics.map((name) => ({
            type: ConfigResourceTypes.TOPIC,
            name,
            configNames: ['retention.ms'],
          })),
          includeSynonyms: false,
        }),
      );
      const retention = new Map<string, number | null>();
      for (const resource of configs.resources) {
        const entry = resource.configEntries.find((e) => e.configName === 'retention.ms');
        retention.set(resource.resourceName, entry === undefined ? null : Number(entry.configValue));
      }
      return Promise.all(
        topics.map(async (topic) => ({
          topic,
          partitions: await fetchWatermarks(topic),
          retentionMs: retention.get(topic) ?? null,
        })),
      );
    },

    async countMessages(topic) {
      const marks = await watermarks(topic);
      return marks.reduce((sum, { low, high }) => sum + Number(BigInt(high) - BigInt(low)), 0);
    },

    async committedOffsets(groupId, topic) {
      const result = await call(`reading offsets of group ${groupId} failed`, { groupId, topic }, (a) =>
        a.fetchOffsets({ groupId, topics: [topic] }),
      );
      const partitions = result.find((t) => t.topic === topic)?.partitions ?? [];
      return partitions
        .map(({ partition, offset }) => ({ partition, offset: BigInt(offset) < 0n ? null : offset }))
        .sort((x, y) => x.partition - y.partition);
    },

    async deleteGroup(groupId) {
      await call(`deleting group ${groupId} failed`, { groupId }, (a) => a.deleteGroups([groupId]));
    },
  };
}
