import { invalidArgument } from './errors.js';
import type { OutgoingRecord, ReadLogOptions, SubscribeOptions, TopicSpec } from './types.js';

// Runtime checks at the port boundary: callers are typed, but plain JS and decoded input are not.

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function validateTopicName(topic: unknown): string {
  if (typeof topic !== 'string' || !TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw invalidArgument(`invalid topic name ${JSON.stringify(topic)}`, { topic });
  }
  return topic;
}

export function validateRecords(topic: string, records: unknown): readonly OutgoingRecord[] {
  validateTopicName(topic);
  if (!Array.isArray(records)) throw invalidArgument('records must be an array', { topic });
  records.forEach((record: unknown, index) => {
    const r = record as Partial<Record<keyof OutgoingRecord, unknown>> | null;
    if (r === null || typeof r !== 'object' || typeof r.key !== 'string' || !Buffer.isBuffer(r.value)) {
      throw invalidArgument(`record ${index} must be { key: string, value: Buffer }`, { topic, index });
    }
  });
  return records as readonly OutgoingRecord[];
}

export function validateTopicSpecs(specs: readonly TopicSpec[]): readonly TopicSpec[] {
  if (!Array.isArray(specs)) throw invalidArgument('topic specs must be an array');
  const seen = new Map<string, TopicSpec>();
  for (const spec of specs) {
    validateTopicName(spec.topic);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      throw invalidArgument(`topic ${spec.topic}: partitions must be a positive integer`, { spec });
    }
    if (!Number.isInteger(spec.retentionMs) || (spec.retentionMs < 1 && spec.retentionMs !== -1)) {
      throw invalidArgument(`topic ${spec.topic}: retentionMs must be a positive integer or -1`, { spec });
    }
    const previous = seen.get(spec.topic);
    if (previous && (previous.partitions !== spec.partitions || previous.retentionMs !== spec.retentionMs)) {
      throw invalidArgument(`topic ${spec.topic} is specified twice, differently`, { spec });
    }
    seen.set(spec.topic, spec);
  }
  return [...seen.values()];
}

/** 256 MiB: more than any sane fetch, far below Kafka's 2 GiB response limit. */
const MAX_BYTES_PER_FETCH = 268_435_456;

export function validateSubscribeOptions(options: SubscribeOptions): void {
  if (typeof options.groupId !== 'string' || options.groupId.length === 0) {
    throw invalidArgument('groupId must be a non-empty string');
  }
  if (!Array.isArray(options.topics) || options.topics.length === 0) {
    throw invalidArgument('topics must be a non-empty array', { groupId: options.groupId });
  }
  options.topics.forEach(validateTopicName);
  if (typeof options.handleBatch !== 'function') {
    throw invalidArgument('handleBatch must be a function', { groupId: options.groupId });
  }
  const { concurrency, commitIntervalMs, batchWindowMs, maxBytesPerFetch } = options;
  if (
    maxBytesPerFetch !== undefined &&
    (!Number.isInteger(maxBytesPerFetch) || maxBytesPerFetch < 1 || maxBytesPerFetch > MAX_BYTES_PER_FETCH)
  ) {
    throw invalidArgument(`maxBytesPerFetch must be an integer from 1 to ${MAX_BYTES_PER_FETCH}`, {
      maxBytesPerFetch,
    });
  }
  if (
    batchWindowMs !== undefined &&
    (!Number.isInteger(batchWindowMs) || batchWindowMs < 1 || batchWindowMs > 10_000)
  ) {
    throw invalidArgument('batchWindowMs must be an integer from 1 to 10000', { batchWindowMs });
  }
  if (
    concurrency !== undefined &&
    (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024)
  ) {
    throw invalidArgument('concurrency must be an integer from 1 to 1024', { concurrency });
  }
  if (
    commitIntervalMs !== undefined &&
    (!Number.isInteger(commitIntervalMs) || commitIntervalMs < 0 || commitIntervalMs > 3_600_000)
  ) {
    throw invalidArgument('commitIntervalMs must be an integer from 0 to 3600000', { commitIntervalMs });
  }
}

export function validateReadLogOptions(options: ReadLogOptions): void {
  validateTopicName(options.topic);
  if (typeof options.handleBatch !== 'function') {
    throw invalidArgument('handleBatch must be a function', { topic: options.topic });
  }
}
