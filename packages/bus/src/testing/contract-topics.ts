import { expect, it } from 'vitest';

import type { BusMessage } from '../types.js';
import { range, record, uniqueName, withBus, type BusFactory } from './support.js';

const TIMEOUT = 60_000;

export function topicsContract(makeBus: BusFactory): void {
  it(
    'when topics are ensured twice (even at once), then existing topics are left as they are',
    async () => {
      await withBus(makeBus, async (bus) => {
        const forever = uniqueName('c.ensure');
        const hour = uniqueName('c.ensure');
        const specs = [
          { topic: forever, partitions: 2, retentionMs: -1 },
          { topic: hour, partitions: 3, retentionMs: 3_600_000 },
        ];
        await Promise.all([bus.ensureTopics(specs), bus.ensureTopics(specs)]);
        await bus.ensureTopics([{ topic: forever, partitions: 5, retentionMs: 60_000 }]);
        const described = await bus.describeTopics([forever, hour]);
        expect(described.map((d) => [d.topic, d.partitions.length, d.retentionMs])).toEqual([
          [forever, 2, -1],
          [hour, 3, 3_600_000],
        ]);
      });
    },
    TIMEOUT,
  );

  it(
    'when a topic is missing, then describeTopics and countMessages reject with BUS_TOPIC_MISSING',
    async () => {
      await withBus(makeBus, async (bus) => {
        const missing = uniqueName('c.missing');
        await expect(bus.describeTopics([missing])).rejects.toMatchObject({ code: 'BUS_TOPIC_MISSING' });
        await expect(bus.countMessages(missing)).rejects.toMatchObject({ code: 'BUS_TOPIC_MISSING' });
      });
    },
    TIMEOUT,
  );

  it(
    'when records were published, then describeTopics shows low and high offsets and countMessages their sum',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.describe');
        await bus.ensureTopics([{ topic, partitions: 3, retentionMs: -1 }]);
        expect(await bus.countMessages(topic)).toBe(0);
        await bus.publish(
          topic,
          range(25).map((i) => record(`k${i}`, i)),
        );
        const [described] = await bus.describeTopics([topic]);
        expect(described?.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
        expect(described?.partitions.every((p) => p.low === '0')).toBe(true);
        expect(described?.partitions.reduce((sum, p) => sum + Number(p.high), 0)).toBe(25);
        expect(await bus.countMessages(topic)).toBe(25);
      });
    },
    TIMEOUT,
  );

  it(
    'when the log is read, then exactly what was there at the call is delivered, each partition in offset order',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.readlog');
        await bus.ensureTopics([{ topic, partitions: 3, retentionMs: -1 }]);
        expect(await bus.readLog({ topic, handleBatch: () => Promise.resolve() })).toEqual({ messages: 0 });
        await bus.publish(
          topic,
          range(120).map((i) => record(`user${i % 17}`, i)),
        );

        const seen: BusMessage[] = [];
        let publishedDuringRead = false;
        const result = await bus.readLog({
          topic,
          handleBatch: async (batch) => {
            expect(batch.topic).toBe(topic);
            for (const m of batch.messages) expect(m.partition).toBe(batch.partition);
            seen.push(...batch.messages);
            if (!publishedDuringRead) {
              publishedDuringRead = true;
              await bus.publish(
                topic,
                range(30).map((i) => record(`late${i}`, 1000 + i)),
              );
            }
          },
        });
        expect(result).toEqual({ messages: 120 });
        expect(seen).toHaveLength(120);
        expect(new Set(seen.map((m) => m.key)).size).toBe(17);
        for (const partition of [0, 1, 2]) {
          const offsets = seen.filter((m) => m.partition === partition).map((m) => Number(m.offset));
          expect(offsets).toEqual(range(offsets.length));
        }
        expect(await bus.readLog({ topic, handleBatch: () => Promise.resolve() })).toEqual({ messages: 150 });
      });
    },
    TIMEOUT,
  );

  it(
    'when the readLog handler throws, then readLog rejects with that error',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.readfail');
        await bus.ensureTopics([{ topic, partitions: 1, retentionMs: -1 }]);
        await bus.publish(topic, [record('k', 1)]);
        const failure = new Error('audit handler failed');
        await expect(bus.readLog({ topic, handleBatch: () => Promise.reject(failure) })).rejects.toBe(
          failure,
        );
      });
    },
    TIMEOUT,
  );
}
