import { createKafkaBus, type KafkaBus, type KafkaBusOptions, type PublishBatchStats } from '@onlinetime/bus';
import { describeBusContract, waitFor } from '@onlinetime/bus/testing';
import { OnlinetimeError } from '@onlinetime/errors';
import { createLogger, LOG_LEVELS, type LogLevel } from '@onlinetime/logging';
import { describe, expect, it } from 'vitest';

import { kafkaBrokers, uniqueId } from './helpers/infra.js';

const level = LOG_LEVELS.find((l): l is LogLevel => l === process.env['LOG_LEVEL']) ?? 'silent';
const logger = createLogger({ name: 'bus-int-test', level });

/** Fast but realistic settings: the broker minimum session timeout, short fetch waits. */
function kafkaBus(extra: Partial<KafkaBusOptions> = {}): KafkaBus {
  return createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: uniqueId('bus-int-'),
    logger,
    consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitTimeInMs: 100 },
    ...extra,
  });
}

describeBusContract('kafka', async () => {
  const bus = kafkaBus();
  return { bus, cleanup: () => bus.stop() };
});

const record = (key: string, n: number): { key: string; value: Buffer } => ({
  key,
  value: Buffer.from(`${key}:${n}`),
});

describe('KafkaJS 2.2.4 against the broker', () => {
  it('when two consumers of one group run, then producing, joining, committing and rebalancing each handle every partition once', async () => {
    const bus = kafkaBus();
    try {
      const topic = uniqueId('int.verify.');
      const groupId = uniqueId('g-');
      await bus.ensureTopics([{ topic, partitions: 4, retentionMs: -1 }]);
      const handled: Array<{ member: string; partition: number; value: string }> = [];
      const assignments = new Map<string, number[]>();
      const member = async (name: string) =>
        bus.subscribe({
          groupId,
          topics: [topic],
          onAssignment: (a) =>
            assignments.set(
              name,
              a.flatMap((x) => x.partitions),
            ),
          handleBatch: async (batch) => {
            for (const m of batch.messages)
              handled.push({ member: name, partition: m.partition, value: m.value?.toString() ?? '' });
          },
        });
      const a = await member('a');
      await a.ready;
      expect(assignments.get('a')).toEqual([0, 1, 2, 3]);
      const b = await member('b');
      await b.ready;
      await waitFor('a rebalance splitting the partitions', () => {
        const both = [...(assignments.get('a') ?? []), ...(assignments.get('b') ?? [])].sort();
        return both.join() === '0,1,2,3' && (assignments.get('a') ?? []).length === 2;
      });

      await bus.publish(
        topic,
        Array.from({ length: 400 }, (_, i) => record(`user${i % 50}`, i)),
      );
      await waitFor('400 handled', () => handled.length >= 400);
      await waitFor('offsets committed up to the end of every partition', async () => {
        const [described] = await bus.describeTopics([topic]);
        const committed = await bus.committedOffsets(groupId, topic);
        return described!.partitions.every(
          (p) => committed.find((c) => c.partition === p.partition)?.offset === p.high,
        );
      });
      expect(new Set(handled.map((h) => h.value)).size).toBe(400);
      for (const partition of [0, 1, 2, 3]) {
        const members = new Set(handled.filter((h) => h.partition === partition).map((h) => h.member));
        expect(members.size).toBe(1);
      }

      await a.stop();
      await waitFor('b to take every partition', () => (assignments.get('b') ?? []).length === 4);
      await bus.publish(
        topic,
        Array.from({ length: 100 }, (_, i) => record(`user${i % 50}`, 400 + i)),
      );
      await waitFor('500 handled', () => handled.length >= 500);
      expect(handled.slice(400).every((h) => h.member === 'b')).toBe(true);
      expect(new Set(handled.map((h) => h.value)).size).toBe(500);
      expect(handled).toHaveLength(500);
      await b.stop();
    } finally {
      await bus.stop();
    }
  }, 90_000);

  it('when a subscription sets commitIntervalMs, then handled offsets wait for the interval and are committed when it stops', async () => {
    const bus = kafkaBus();
    try {
      const topic = uniqueId('int.commit.');
      const groupId = uniqueId('g-');
      await bus.ensureTopics([{ topic, partitions: 3, retentionMs: -1 }]);
      let handled = 0;
      const concurrent = { now: 0, max: 0 };
      const subscription = await bus.subscribe({
        groupId,
        topics: [topic],
        commitIntervalMs: 3_600_000,
        concurrency: 3,
        handleBatch: async (batch) => {
          concurrent.now += 1;
          concurrent.max = Math.max(concurrent.max, concurrent.now);
          // Held across a turn of the event loop so that batches of one fetch overlap.
          await new Promise((resolve) => setImmediate(resolve));
          handled += batch.messages.length;
          concurrent.now -= 1;
        },
      });
      await subscription.ready;
      await bus.publish(
        topic,
        Array.from({ length: 90 }, (_, i) => record(`user${i}`, i)),
      );
      await waitFor('90 handled', () => handled >= 90);
      const before = await bus.committedOffsets(groupId, topic);
      expect(before.every((c) => c.offset === null)).toBe(true);
      await subscription.stop();
      const [described] = await bus.describeTopics([topic]);
      const after = await bus.committedOffsets(groupId, topic);
      expect(after.map((c) => [c.partition, c.offset])).toEqual(
        described!.partitions.map((p) => [p.partition, p.high]),
      );
      expect(handled).toBe(90);
      expect(concurrent.max).toBeGreaterThan(1);
    } finally {
      await bus.stop();
    }
  }, 60_000);

  it('when many publishes run concurrently, then they are coalesced into few produce requests', async () => {
    const batches: PublishBatchStats[] = [];
    const bus = kafkaBus({ onPublishBatch: (stats) => batches.push(stats) });
    try {
      const topic = uniqueId('int.coalesce.');
      await bus.ensureTopics([{ topic, partitions: 3, retentionMs: -1 }]);
      await Promise.all(Array.from({ length: 2000 }, (_, i) => bus.publish(topic, [record(`k${i}`, i)])));
      expect(batches.every((b) => b.ok)).toBe(true);
      expect(batches.reduce((sum, b) => sum + b.records, 0)).toBe(2000);
      expect(batches.length).toBeLessThanOrEqual(5);
      expect(await bus.countMessages(topic)).toBe(2000);
    } finally {
      await bus.stop();
    }
  }, 60_000);

  it('when a publish exceeds the batch limits, then it is split into several requests and resolves once all are acknowledged', async () => {
    const batches: PublishBatchStats[] = [];
    const bus = kafkaBus({
      producer: { maxBatchRecords: 100 },
      onPublishBatch: (stats) => batches.push(stats),
    });
    try {
      const topic = uniqueId('int.split.');
      await bus.ensureTopics([{ topic, partitions: 2, retentionMs: -1 }]);
      await bus.publish(
        topic,
        Array.from({ length: 1000 }, (_, i) => record(`k${i % 7}`, i)),
      );
      expect(batches.length).toBe(10);
      expect(await bus.countMessages(topic)).toBe(1000);
    } finally {
      await bus.stop();
    }
  }, 60_000);

  it('when the topic does not exist, then publish rejects with an OnlinetimeError and subscribe fails', async () => {
    const bus = kafkaBus({ retry: { retries: 1, initialRetryTime: 100 } });
    try {
      const topic = uniqueId('int.missing.');
      const failure = await bus.publish(topic, [record('k', 1)]).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(OnlinetimeError);
      expect(failure).toMatchObject({ code: 'BUS_PUBLISH_FAILED' });
      await expect(
        bus.subscribe({ groupId: uniqueId('g-'), topics: [topic], handleBatch: async () => undefined }),
      ).rejects.toBeInstanceOf(OnlinetimeError);
    } finally {
      await bus.stop();
    }
  }, 60_000);

  it('when the broker is unreachable, then publish rejects with a retriable error', async () => {
    const bus = createKafkaBus({
      brokers: ['127.0.0.1:1'],
      clientId: uniqueId('bus-int-'),
      logger,
      connectionTimeoutMs: 300,
      retry: { retries: 0 },
    });
    try {
      await expect(bus.publish('any.topic', [record('k', 1)])).rejects.toMatchObject({
        code: 'BUS_PUBLISH_FAILED',
        retriable: true,
      });
    } finally {
      await bus.stop();
    }
  }, 30_000);
});
