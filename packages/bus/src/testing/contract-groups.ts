import { expect, it } from 'vitest';

import type { Bus } from '../types.js';
import {
  partitionsOf,
  payloadOf,
  range,
  record,
  subscribeRecorder,
  uniqueName,
  waitFor,
  withBus,
  type BusFactory,
  type Received,
  type Recorder,
} from './support.js';

const TIMEOUT = 90_000;

function disjointCover(a: number[], b: number[], partitions: number): boolean {
  const all = [...a, ...b].sort((x, y) => x - y);
  return a.length > 0 && b.length > 0 && all.length === partitions && all.every((p, i) => p === i);
}

async function publishAll(bus: Bus, topic: string, prefix: string, count: number): Promise<Set<string>> {
  const ids = range(count).map((i) => `${prefix}-${i}`);
  await bus.publish(
    topic,
    ids.map((id, i) => record(`${prefix}-user${i % 40}`, i, id)),
  );
  return new Set(ids);
}

export function groupContract(makeBus: BusFactory): void {
  it(
    'when two members share a group, then each partition is handled by exactly one of them; when one leaves, the other takes all partitions and nothing committed comes again',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.group');
        const groupId = uniqueName('g');
        await bus.ensureTopics([{ topic, partitions: 4, retentionMs: -1 }]);
        const received: Received[] = [];
        const a = await subscribeRecorder(bus, { groupId, topic, member: 'a', into: received });
        await a.subscription.ready;
        const b = await subscribeRecorder(bus, { groupId, topic, member: 'b', into: received });
        await b.subscription.ready;
        await waitFor('the two members to split the partitions', () =>
          disjointCover(partitionsOf(a.assignment(), topic), partitionsOf(b.assignment(), topic), 4),
        );

        const first = await publishAll(bus, topic, 'one', 200);
        await waitFor('200 messages', () => received.length >= 200);
        const handlers = new Map<number, Set<string>>();
        for (const r of received)
          handlers.set(r.message.partition, (handlers.get(r.message.partition) ?? new Set()).add(r.member));
        expect([...handlers.keys()].sort()).toEqual([0, 1, 2, 3]);
        for (const [partition, members] of handlers) {
          expect(members.size).toBe(1);
          const owner: Recorder = members.has('a') ? a : b;
          expect(partitionsOf(owner.assignment(), topic)).toContain(partition);
        }
        expect(new Set(received.map((r) => r.payload.id))).toEqual(first);
        expect(received).toHaveLength(200);

        await b.subscription.stop();
        await waitFor(
          'member a to hold all partitions',
          () => partitionsOf(a.assignment(), topic).length === 4,
        );
        const second = await publishAll(bus, topic, 'two', 100);
        await waitFor(
          '100 more messages',
          () => received.filter((r) => r.payload.id.startsWith('two-')).length >= 100,
        );
        const later = received.slice(200);
        expect(later.every((r) => r.member === 'a')).toBe(true);
        // Every message was handled exactly once: nothing committed was delivered again.
        expect(later.map((r) => r.payload.id).sort()).toEqual([...second].sort());
        await a.subscription.stop();
      });
    },
    TIMEOUT,
  );

  it(
    'when the handler throws, then the same messages are delivered again and nothing is lost or reordered',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.redeliver');
        await bus.ensureTopics([{ topic, partitions: 2, retentionMs: -1 }]);
        await bus.publish(topic, [
          ...range(20).map((i) => record('alice', i)),
          ...range(10).map((i) => record('bob', i)),
        ]);
        const handled: string[] = [];
        const attempts = new Map<string, number>();
        let failures = 0;
        const subscription = await bus.subscribe({
          groupId: uniqueName('g'),
          topics: [topic],
          handleBatch: async (batch) => {
            const ids = batch.messages.map((m) => payloadOf(m).id);
            for (const id of ids) attempts.set(id, (attempts.get(id) ?? 0) + 1);
            if (ids.includes('alice#5') && failures < 2) {
              failures += 1;
              throw new Error('handler failure on purpose');
            }
            handled.push(...ids);
          },
        });
        await waitFor('30 handled messages', () => handled.length >= 30);
        await subscription.stop();
        expect(failures).toBe(2);
        expect(attempts.get('alice#5')).toBe(3);
        expect(handled.filter((id) => id.startsWith('alice#'))).toEqual(range(20).map((i) => `alice#${i}`));
        expect(handled.filter((id) => id.startsWith('bob#'))).toEqual(range(10).map((i) => `bob#${i}`));
      });
    },
    TIMEOUT,
  );

  it(
    'when a member stops during a batch, then it finishes and commits that batch before leaving',
    async () => {
      await withBus(makeBus, async (bus) => {
        const topic = uniqueName('c.stopbatch');
        const groupId = uniqueName('g');
        await bus.ensureTopics([{ topic, partitions: 1, retentionMs: -1 }]);
        const first = await publishAll(bus, topic, 'one', 5);
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let entered!: () => void;
        const inHandler = new Promise<void>((resolve) => (entered = resolve));
        const old: Received[] = [];
        const a = await subscribeRecorder(bus, {
          groupId,
          topic,
          member: 'a',
          into: old,
          beforeHandled: async () => {
            entered();
            await gate;
          },
        });
        await inHandler;
        let stopped = false;
        const stopping = a.subscription.stop().then(() => (stopped = true));
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(stopped).toBe(false);
        release();
        await stopping;
        expect(old.length).toBeGreaterThan(0);

        const second = await publishAll(bus, topic, 'two', 5);
        const fresh: Received[] = [];
        const b = await subscribeRecorder(bus, { groupId, topic, member: 'b', into: fresh });
        const expected = new Set([...first, ...second].filter((id) => !old.some((r) => r.payload.id === id)));
        await waitFor('the rest of the messages', () => fresh.length >= expected.size);
        expect(new Set(fresh.map((r) => r.payload.id))).toEqual(expected);
        await b.subscription.stop();
      });
    },
    TIMEOUT,
  );
}
