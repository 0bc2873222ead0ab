import { afterEach, describe, expect, it, vi } from 'vitest';

import { createEmbeddedBus } from './embedded-bus.js';
import { partitionForKey } from './log.js';

const record = (key: string): { key: string; value: Buffer } => ({ key, value: Buffer.from(key) });

describe('createEmbeddedBus', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when a topic was never ensured, then using it fails with BUS_TOPIC_MISSING', async () => {
    const bus = createEmbeddedBus();
    await expect(bus.publish('nowhere', [record('k')])).rejects.toMatchObject({ code: 'BUS_TOPIC_MISSING' });
    await expect(
      bus.subscribe({ groupId: 'g', topics: ['nowhere'], handleBatch: () => Promise.resolve() }),
    ).rejects.toMatchObject({ code: 'BUS_TOPIC_MISSING' });
    await bus.stop();
  });

  it('when `partitions` is set, then a topic is created with that many partitions on first use', async () => {
    const bus = createEmbeddedBus({ partitions: 3 });
    await bus.publish('auto', [record('k')]);
    const [described] = await bus.describeTopics(['auto']);
    expect(described?.partitions).toHaveLength(3);
    expect(described?.retentionMs).toBe(-1);
    await bus.stop();
  });

  it('when a group handled messages, then committedOffsets reports the next offset per partition', async () => {
    const bus = createEmbeddedBus();
    await bus.ensureTopics([{ topic: 't', partitions: 2, retentionMs: -1 }]);
    await bus.publish('t', ['a', 'b', 'c', 'd', 'e'].map(record));
    let handled = 0;
    const done = new Promise<void>((resolve) => {
      void bus.subscribe({
        groupId: 'g',
        topics: ['t'],
        handleBatch: async (batch) => {
          handled += batch.messages.length;
          if (handled === 5) resolve();
        },
      });
    });
    await done;
    await vi.waitFor(async () => {
      const committed = await bus.committedOffsets('g', 't');
      const described = await bus.describeTopics(['t']);
      expect(committed.map((c) => c.offset)).toEqual(described[0]?.partitions.map((p) => p.high));
    });
    expect(await bus.committedOffsets('other', 't')).toEqual([
      { partition: 0, offset: null },
      { partition: 1, offset: null },
    ]);
    await bus.stop();
  });

  it('when a group starts with fromBeginning false, then it sees only what is published after it joined', async () => {
    const bus = createEmbeddedBus();
    await bus.ensureTopics([{ topic: 't', partitions: 1, retentionMs: -1 }]);
    await bus.publish('t', [record('old')]);
    const keys: Array<string | null> = [];
    const subscription = await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      fromBeginning: false,
      handleBatch: async (batch) => {
        keys.push(...batch.messages.map((m) => m.key));
      },
    });
    await subscription.ready;
    await bus.publish('t', [record('new')]);
    await vi.waitFor(() => expect(keys).toEqual(['new']));
    await bus.stop();
  });

  it('when stopped while a failed batch waits for its redelivery, then no timer is left running', async () => {
    vi.useFakeTimers();
    const bus = createEmbeddedBus({ redeliveryBackoff: { initialMs: 60_000, maxMs: 60_000 } });
    await bus.ensureTopics([{ topic: 't', partitions: 1, retentionMs: -1 }]);
    await bus.publish('t', [record('k')]);
    let attempts = 0;
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handleBatch: () => {
        attempts += 1;
        return Promise.reject(new Error('fails on purpose'));
      },
    });
    await vi.waitFor(() => expect(vi.getTimerCount()).toBe(1));
    expect(attempts).toBe(1);
    await bus.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('partitions keys stably within range', () => {
    for (const key of ['alice@example.org', 'bob@example.org', '', 'ünïcode']) {
      const partition = partitionForKey(key, 7);
      expect(partition).toBe(partitionForKey(key, 7));
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(7);
    }
    const spread = new Set(Array.from({ length: 100 }, (_, i) => partitionForKey(`user${i}`, 4)));
    expect(spread.size).toBe(4);
  });
});
