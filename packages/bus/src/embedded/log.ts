import { topicMissingError } from '../errors.js';
import type { BusMessage, OutgoingRecord, TopicDescription, TopicSpec } from '../types.js';

export interface EmbeddedTopic {
  readonly name: string;
  readonly retentionMs: number;
  /** Per partition, every message ever appended; message i has offset i. */
  readonly partitions: BusMessage[][];
}

/** The in-process log: topics of partitions of messages. Nothing expires (dev mode, tests). */
export interface EmbeddedLog {
  ensure(spec: TopicSpec): void;
  /** The topic, created on first use when `autoCreatePartitions` is set, else BUS_TOPIC_MISSING. */
  topic(name: string): EmbeddedTopic;
  has(name: string): boolean;
  append(topic: string, records: readonly OutgoingRecord[]): void;
  describe(name: string): TopicDescription;
}

/** FNV-1a over the key's UTF-8 bytes: stable, so one key always lands on one partition. */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

export function createEmbeddedLog(autoCreatePartitions: number | undefined): EmbeddedLog {
  const topics = new Map<string, EmbeddedTopic>();

  const ensure = (spec: TopicSpec): void => {
    if (topics.has(spec.topic)) return;
    const partitions = Array.from({ length: spec.partitions }, (): BusMessage[] => []);
    topics.set(spec.topic, { name: spec.topic, retentionMs: spec.retentionMs, partitions });
  };

  const topic = (name: string): EmbeddedTopic => {
    let found = topics.get(name);
    if (found === undefined && autoCreatePartitions !== undefined) {
      ensure({ topic: name, partitions: autoCreatePartitions, retentionMs: -1 });
      found = topics.get(name);
    }
    if (found === undefined) throw topicMissingError([name]);
    return found;
  };

  return {
    ensure,
    topic,
    has: (name) => topics.has(name),
    append(name, records) {
      const t = topic(name);
      const timestamp = Date.now();
      for (const record of records) {
        const partition = partitionForKey(record.key, t.partitions.length);
        const messages = t.partitions[partition]!;
        messages.push({
          topic: name,
          partition,
          offset: String(messages.length),
          key: record.key,
          value: Buffer.from(record.value),
          timestamp,
        });
      }
    },
    describe(name) {
      const t = topic(name);
      return {
        topic: name,
        partitions: t.partitions.map((messages, partition) => ({
          partition,
          low: '0',
          high: String(messages.length),
        })),
        retentionMs: t.retentionMs,
      };
    },
  };
}
