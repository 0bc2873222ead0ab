import { expect, it } from 'vitest';

import {
  range,
  record,
  subscribeRecorder,
  uniqueName,
  waitFor,
  withBus,
  type BusFactory,
  type Received,
} from './support.js';

const TIMEOUT = 60_000;

export function publishContract(makeBus: BusFactory): void {
  it(
    'when records are published with keys, then a group member receives each with its key, value and a stable partition',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.roundtrip');
        await bus.ensureTopics([{ topic, partitions: 3, retentionMs: -1 }]);
        const records = range(30).map((i) => record(`user${i % 10}@example.org`, i));
        const before = Date.now();
        await bus.publish(topic, records);

        const received: Received[] = [];
        const member = await subscribeRecorder(bus, {
          groupId: uniqueName('g'),
          topic,
          member: 'a',
          into: received,
        });
        await member.subscription.ready;
        await waitFor('30 messages', () => received.length >= 30);

        expect(received).toHaveLength(30);
        const partitionOfKey = new Map<string, Set<number>>();
        for (const { message, payload } of received) {
          expect(message.topic).toBe(topic);
          expect(message.key).toBe(payload.key);
          expect(message.value?.equals(records[payload.seq]!.value)).toBe(true);
          expect(message.offset).toMatch(/^\d+$/);
          expect(message.partition).toBeGreaterThanOrEqual(0);
          expect(message.partition).toBeLessThan(3);
          expect(message.timestamp).toBeGreaterThanOrEqual(before - 5_000);
          expect(message.timestamp).toBeLessThanOrEqual(Date.now() + 5_000);
          const partitions = partitionOfKey.get(payload.key) ?? new Set<number>();
          partitions.add(message.partition);
          partitionOfKey.set(payload.key, partitions);
        }
        expect(new Set(received.map((r) => r.payload.id)).size).toBe(30);
        for (const partitions of partitionOfKey.values()) expect(partitions.size).toBe(1);
      });
    },
    TIMEOUT,
  );

  it(
    'when many publish calls run at once, then every key keeps its publish order',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.order');
        await bus.ensureTopics([{ topic, partitions: 4, retentionMs: -1 }]);
        const received: Received[] = [];
        const member = await subscribeRecorder(bus, {
          groupId: uniqueName('g'),
          topic,
          member: 'a',
          into: received,
        });
        await member.subscription.ready;

        const keys = range(6).map((k) => `key${k}`);
        const calls: Array<Promise<void>> = [];
        for (const seq of range(50))
          for (const key of keys) calls.push(bus.publish(topic, [record(key, seq)]));
        // One call with many records of one key, then more single calls after it.
        calls.push(
          bus.publish(
            topic,
            range(20).map((i) => record('key0', 50 + i)),
          ),
        );
        calls.push(bus.publish(topic, [record('key0', 70)]));
        await Promise.all(calls);

        const total = keys.length * 50 + 21;
        await waitFor(`${total} messages`, () => received.length >= total);
        expect(received).toHaveLength(total);
        for (const key of keys) {
          const seqs = received.filter((r) => r.payload.key === key).map((r) => r.payload.seq);
          expect(seqs).toEqual(range(key === 'key0' ? 71 : 50));
        }
      });
    },
    TIMEOUT,
  );

  it(
    'when a thousand publish calls run concurrently, then each promise resolves and every record is stored once',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.coalesce');
        await bus.ensureTopics([{ topic, partitions: 3, retentionMs: -1 }]);
        const outcomes = await Promise.allSettled(
          range(1000).map((i) => bus.publish(topic, [record(`k${i}`, i)])),
        );
        expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
        expect(await bus.countMessages(topic)).toBe(1000);

        const ids = new Set<string>();
        await bus.readLog({
          topic,
          handleBatch: async (batch) => {
            for (const m of batch.messages) ids.add(m.key ?? '');
          },
        });
        expect(ids).toEqual(new Set(range(1000).map((i) => `k${i}`)));
      });
    },
    TIMEOUT,
  );

  it(
    'when the bus stops, then pending publishes are flushed first and later ones are refused',
    async () => {
      const fixture = await makeBus();
      try {
        const topic = uniqueName('c.stop');
        await fixture.bus.ensureTopics([{ topic, partitions: 1, retentionMs: -1 }]);
        const pending = fixture.bus.publish(topic, [record('k', 1)]);
        const stopped = fixture.bus.stop();
        await expect(pending).resolves.toBeUndefined();
        await stopped;
        await expect(fixture.bus.stop()).resolves.toBeUndefined();
        await expect(fixture.bus.publish(topic, [record('k', 2)])).rejects.toMatchObject({
          code: 'BUS_STOPPED',
        });
      } finally {
        await fixture.cleanup();
      }
    },
    TIMEOUT,
  );

  it(
    'when the bus stops while a handler is in its batch, then what that handler publishes is still sent',
    async () => {
      const fixture = await makeBus();
      try {
        const { bus } = fixture;
        const topic = uniqueName('c.stopreply');
        const replies = uniqueName('c.stopreply');
        await bus.ensureTopics([
          { topic, partitions: 1, retentionMs: -1 },
          { topic: replies, partitions: 1, retentionMs: -1 },
        ]);
        await bus.publish(topic, [record('k', 1)]);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let entered!: () => void;
        const inHandler = new Promise<void>((resolve) => (entered = resolve));
        let reply: Promise<void> | undefined;
        await bus.subscribe({
          groupId: uniqueName('g'),
          topics: [topic],
          handleBatch: async () => {
            entered();
            await gate;
            reply ??= bus.publish(replies, [record('reply', 1)]);
            await reply;
          },
        });
        await inHandler;
        const stopped = bus.stop();
        release();
        await stopped;
        await expect(reply).resolves.toBeUndefined();
      } finally {
        await fixture.cleanup();
      }
    },
    TIMEOUT,
  );

  it(
    'when a record is malformed, then publish rejects with BUS_INVALID_ARGUMENT',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.invalid');
        await bus.ensureTopics([{ topic, partitions: 1, retentionMs: -1 }]);
        const bad = [{ key: 7, value: 'text' }] as unknown as Parameters<typeof bus.publish>[1];
        await expect(bus.publish(topic, bad)).rejects.toMatchObject({ code: 'BUS_INVALID_ARGUMENT' });
        await expect(bus.publish('bad topic!', [record('k', 1)])).rejects.toMatchObject({
          code: 'BUS_INVALID_ARGUMENT',
        });
      });
    },
    TIMEOUT,
  );
}
