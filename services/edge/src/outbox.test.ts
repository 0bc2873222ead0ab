import { createLogger } from '@onlinetime/logging';
import type { OutgoingRecord } from '@onlinetime/bus';
import { describe, expect, it } from 'vitest';

import { createOutbox, type OutboxRecord } from './outbox.js';

const logger = createLogger({ name: 'outbox-test', level: 'silent' });
const rec = (topic: string, key: string): OutboxRecord => ({ topic, key, value: Buffer.from(key) });

/** A bus whose publish fails while `down` is set, recording what it accepted. */
function flakyBus() {
  const published: Array<{ topic: string; keys: string[] }> = [];
  const state = { down: false, calls: 0 };
  return {
    state,
    published,
    publish(topic: string, records: readonly OutgoingRecord[]): Promise<void> {
      state.calls++;
      if (state.down) return Promise.reject(new Error('broker unavailable'));
      published.push({ topic, keys: records.map((r) => r.key) });
      return Promise.resolve();
    },
  };
}

describe('outbox', () => {
  it('publishes in order, batching consecutive records of one topic', async () => {
    const bus = flakyBus();
    const outbox = createOutbox({ bus, logger, capacity: 10 });
    outbox.enqueue(rec('a', '1'));
    outbox.enqueue(rec('a', '2'));
    outbox.enqueue(rec('b', '3'));
    outbox.enqueue(rec('a', '4'));
    expect(await outbox.flush(1000)).toBe(true);
    expect(bus.published.flatMap((p) => p.keys.map((k) => `${p.topic}:${k}`))).toEqual([
      'a:1',
      'a:2',
      'b:3',
      'a:4',
    ]);
    expect(outbox.depth()).toBe(0);
  });

  it('retries forever while the bus is down, keeps order, reports full, then drains', async () => {
    const bus = flakyBus();
    bus.state.down = true;
    const fullChanges: boolean[] = [];
    const outbox = createOutbox({
      bus,
      logger,
      capacity: 3,
      backoff: { initialMs: 1, maxMs: 5 },
      onFullChange: (full) => fullChanges.push(full),
    });
    for (const key of ['1', '2', '3', '4']) outbox.enqueue(rec('s', key));
    expect(outbox.isFull()).toBe(true);
    expect(outbox.depth()).toBe(4); // never refuses a record
    expect(await outbox.flush(50)).toBe(false);
    expect(bus.state.calls).toBeGreaterThan(3);
    bus.state.down = false;
    expect(await outbox.flush(1000)).toBe(true);
    expect(bus.published.flatMap((p) => p.keys)).toEqual(['1', '2', '3', '4']);
    expect(outbox.isFull()).toBe(false);
    expect(fullChanges).toEqual([true, false]);
  });

  it('stops retrying when stopped', async () => {
    const bus = flakyBus();
    bus.state.down = true;
    const outbox = createOutbox({ bus, logger, capacity: 3, backoff: { initialMs: 1, maxMs: 1 } });
    outbox.enqueue(rec('s', '1'));
    outbox.stop();
    const calls = bus.state.calls;
    await new Promise((r) => setTimeout(r, 20));
    expect(bus.state.calls - calls).toBeLessThanOrEqual(1);
  });
});
