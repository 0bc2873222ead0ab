import { describe, expect, it } from 'vitest';

import { createDeferred } from '../deferred.js';
import { createPartitionLanes } from './partition-lanes.js';

const never = (): boolean => false;
const nothing = (): Promise<void> => Promise.resolve();

describe('createPartitionLanes', () => {
  it('when a lane runs a batch, then the next batch of that partition waits for it, others do not', async () => {
    const lanes = createPartitionLanes(2);
    const first = createDeferred<void>();
    const order: string[] = [];
    lanes.run('t', 0, async () => {
      await first.promise;
      order.push('p0 first done');
    });
    expect(await lanes.waitForRoom('t', 1, 1_000, nothing, never)).toBe(true);
    order.push('p1 room');
    const room = lanes.waitForRoom('t', 0, 1_000, nothing, never).then((ok) => {
      order.push('p0 room');
      return ok;
    });
    first.resolve();
    expect(await room).toBe(true);
    expect(order).toEqual(['p1 room', 'p0 first done', 'p0 room']);
  });

  it('when waiting outlasts the poll interval, then it polls meanwhile and gives up when told', async () => {
    const lanes = createPartitionLanes(2);
    const running = createDeferred<void>();
    lanes.run('t', 0, () => running.promise);
    let polls = 0;
    const room = await lanes.waitForRoom(
      't',
      0,
      5,
      () => {
        polls += 1;
        return Promise.resolve();
      },
      () => polls >= 3,
    );
    expect(room).toBe(false);
    expect(polls).toBe(3);
    running.resolve();
    await lanes.idle();
  });

  it('when a poll throws (a rebalance seen by the heartbeat), then the wait rejects with it', async () => {
    const lanes = createPartitionLanes(2);
    const running = createDeferred<void>();
    lanes.run('t', 0, () => running.promise);
    const failure = new Error('rebalancing');
    await expect(lanes.waitForRoom('t', 0, 5, () => Promise.reject(failure), never)).rejects.toBe(failure);
    running.resolve();
    await lanes.idle();
  });

  it('when work fails, then the lane is free again and idle() resolves', async () => {
    const lanes = createPartitionLanes(2);
    lanes.run('t', 0, () => Promise.reject(new Error('boom')));
    await lanes.idle();
    expect(await lanes.waitForRoom('t', 0, 1_000, nothing, never)).toBe(true);
  });

  it('when a lane is busy, then running another batch in it is refused', () => {
    const lanes = createPartitionLanes(2);
    const running = createDeferred<void>();
    lanes.run('t', 0, () => running.promise);
    expect(() => lanes.run('t', 0, nothing)).toThrow(/no room/);
    running.resolve();
  });

  it('when as many lanes run as allowed, then a batch of another partition waits for a slot', async () => {
    const lanes = createPartitionLanes(2);
    const gates = [createDeferred<void>(), createDeferred<void>()];
    lanes.run('t', 0, () => gates[0]!.promise);
    lanes.run('t', 1, () => gates[1]!.promise);
    let third = false;
    const room = lanes.waitForRoom('t', 2, 1_000, nothing, never).then((ok) => (third = ok));
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    gates[1]?.resolve();
    await room;
    expect(third).toBe(true);
    gates[0]?.resolve();
    await lanes.idle();
  });

  it('when batches of several partitions run, then idle() waits for all of them', async () => {
    const lanes = createPartitionLanes(2);
    const done: number[] = [];
    const gates = [createDeferred<void>(), createDeferred<void>()];
    gates.forEach((gate, partition) =>
      lanes.run('t', partition, async () => {
        await gate.promise;
        done.push(partition);
      }),
    );
    const idle = lanes.idle();
    gates[1]?.resolve();
    gates[0]?.resolve();
    await idle;
    expect(done.sort()).toEqual([0, 1]);
  });
});
