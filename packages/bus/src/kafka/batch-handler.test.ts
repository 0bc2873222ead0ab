import { createLogger } from '@onlinetime/logging';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { createStopSignal } from '../backoff.js';
import { createDeferred, type Deferred } from '../deferred.js';
import type { Batch } from '../types.js';
import { createBatchHandler } from './batch-handler.js';
import { createOffsetCommitter } from './offset-committer.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** What KafkaJS hands eachBatch, for one partition; `seeks` and `commits` record what we did to it. */
interface FakeFetch {
  readonly payload: EachBatchPayload;
  readonly resolved: string[];
}

function fakeFetch(
  partition: number,
  offsets: readonly number[],
  state: { stale: Set<number>; commits: string[]; heartbeat: () => Promise<void> },
): FakeFetch {
  const resolved: string[] = [];
  const messages = offsets.map(
    (o) => ({ offset: String(o), key: null, value: Buffer.from(`m${o}`), timestamp: '0' }) as KafkaMessage,
  );
  const batch = {
    topic: 't',
    partition,
    messages,
    firstOffset: () => String(offsets[0]),
    lastOffset: () => String(offsets[offsets.length - 1]),
  };
  const payload = {
    batch,
    resolveOffset: (offset: string) => resolved.push(offset),
    heartbeat: () => state.heartbeat(),
    isRunning: () => true,
    isStale: () => state.stale.has(partition),
    commitOffsetsIfNecessary: (offsets: { topics: Array<{ partitions: Array<{ offset: string }> }> }) => {
      for (const t of offsets.topics)
        for (const p of t.partitions) state.commits.push(`${partition}@${p.offset}`);
      return Promise.resolve();
    },
  } as unknown as EachBatchPayload;
  return { payload, resolved };
}

function setup(handleBatch: (batch: Batch) => Promise<void>) {
  const stop = createStopSignal();
  const seeks: string[] = [];
  const state = { stale: new Set<number>(), commits: [] as string[], heartbeat: () => Promise.resolve() };
  const handler = createBatchHandler({
    handleBatch,
    groupId: 'g',
    stop,
    backoff: { initialMs: 1, maxMs: 1 },
    logger,
    committer: createOffsetCommitter(0),
    pipeline: {
      concurrency: 2,
      seek: (topic, partition, offset) => {
        seeks.push(`${topic}/${partition}@${offset}`);
        state.stale.add(partition);
      },
      heartbeatIntervalMs: 5,
    },
  });
  return { handler, stop, seeks, state };
}

describe('createBatchHandler, pipelined', () => {
  it('when a batch is taken, then the fetcher is released before it is handled, and its offset is committed only after', async () => {
    const gate = createDeferred<void>();
    const handled: string[] = [];
    const { handler, state } = setup(async (batch) => {
      await gate.promise;
      handled.push(batch.messages.map((m) => m.offset).join(','));
    });
    const fetch = fakeFetch(0, [10, 11, 12], state);
    await handler(fetch.payload);
    expect(fetch.resolved).toEqual(['12']);
    expect(handled).toEqual([]);
    expect(state.commits).toEqual([]);
    gate.resolve();
    await handler.settled();
    expect(handled).toEqual(['10,11,12']);
    expect(state.commits).toEqual(['0@13']);
  });

  it('when the next batch of a partition arrives while one is handled, then it waits for it (in order), heartbeating', async () => {
    const gates: Deferred<void>[] = [createDeferred<void>(), createDeferred<void>()];
    const handled: string[] = [];
    let heartbeats = 0;
    const { handler, state } = setup(async (batch) => {
      const first = batch.messages[0]?.offset;
      await gates[first === '10' ? 0 : 1]?.promise;
      handled.push(first ?? '');
    });
    state.heartbeat = () => {
      heartbeats += 1;
      if (heartbeats === 3) gates[0]?.resolve();
      return Promise.resolve();
    };
    await handler(fakeFetch(0, [10, 11], state).payload);
    const second = fakeFetch(0, [12, 13], state);
    await handler(second.payload); // returns only once the first is handled
    expect(handled).toEqual(['10']);
    expect(heartbeats).toBe(3);
    expect(second.resolved).toEqual(['13']);
    gates[1]?.resolve();
    await handler.settled();
    expect(handled).toEqual(['10', '12']);
    expect(state.commits).toEqual(['0@12', '0@14']);
  });

  it('when a taken batch cannot be handled, then its partition is rewound to it and the batch behind it is not handled', async () => {
    const handled: string[] = [];
    const rebalancing = new Error('The group is rebalancing');
    const { handler, seeks, state } = setup((batch) => {
      handled.push(batch.messages[0]?.offset ?? '');
      return Promise.reject(new Error('MySQL is down'));
    });
    let heartbeats = 0;
    // The retry loop's heartbeat sees a rebalance: the handler gives the batch up.
    state.heartbeat = () => {
      heartbeats += 1;
      return heartbeats >= 2 ? Promise.reject(rebalancing) : Promise.resolve();
    };
    await handler(fakeFetch(0, [10, 11], state).payload);
    const behind = fakeFetch(0, [12, 13], state);
    await handler(behind.payload).catch(() => undefined);
    await handler.settled();
    expect(seeks).toEqual(['t/0@10']);
    expect(handled.every((offset) => offset === '10')).toBe(true);
    expect(behind.resolved).toEqual([]);
    expect(state.commits).toEqual([]);
  });

  it('when the subscription stops, then a batch still waiting for its lane is not taken', async () => {
    const gate = createDeferred<void>();
    const { handler, stop, state } = setup(() => gate.promise);
    await handler(fakeFetch(0, [1], state).payload);
    const waiting = fakeFetch(0, [2], state);
    const returned = handler(waiting.payload);
    stop.fire();
    gate.resolve();
    await returned;
    await handler.settled();
    expect(waiting.resolved).toEqual([]);
    expect(state.commits).toEqual(['0@2']);
  });
});
