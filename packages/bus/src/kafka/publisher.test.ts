import type { ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { createLogger } from '@onlinetime/logging';

import { resolveKafkaBusOptions, type KafkaBusOptions, type PublishBatchStats } from './options.js';
import { createPublisher } from './publisher.js';

const logger = createLogger({ name: 'publisher-test', level: 'silent' });
const record = (key: string, n: number): { key: string; value: Buffer } => ({
  key,
  value: Buffer.from(`${key}:${n}`),
});

function setup(
  producer: Partial<KafkaBusOptions['producer']> = {},
  failWhen?: (batch: ProducerBatch) => boolean,
) {
  const sent: ProducerBatch[] = [];
  const stats: PublishBatchStats[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const options = resolveKafkaBusOptions({
    brokers: ['127.0.0.1:9092'],
    clientId: 'test',
    logger,
    producer,
    onPublishBatch: (s) => stats.push(s),
  });
  const publisher = createPublisher({
    producer: {
      sendBatch: async (batch) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        if (failWhen?.(batch))
          throw Object.assign(new Error('broker said no'), { name: 'KafkaJSProtocolError', retriable: true });
        sent.push(batch);
        return [];
      },
    },
    connect: () => Promise.resolve(),
    options,
    logger,
  });
  const values = (): string[] =>
    sent.flatMap((b) => (b.topicMessages ?? []).flatMap((t) => t.messages.map((m) => String(m.value))));
  return { publisher, sent, stats, values, maxInFlight: () => maxInFlight };
}

describe('createPublisher', () => {
  it('when many calls arrive in one tick, then they go out in one sendBatch with acks=-1', async () => {
    const { publisher, sent, stats } = setup();
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => publisher.publish(`t${i % 3}`, [record(`k${i}`, i)])),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]?.acks).toBe(-1);
    expect(sent[0]?.topicMessages?.map((t) => [t.topic, t.messages.length])).toEqual([
      ['t0', 100],
      ['t1', 100],
      ['t2', 100],
    ]);
    expect(stats).toEqual([expect.objectContaining({ calls: 300, records: 300, ok: true })]);
  });

  it('when calls keep coming, then one sendBatch is in flight at a time and the order of calls is kept', async () => {
    const { publisher, sent, values, maxInFlight } = setup({ maxBatchRecords: 7 });
    const calls: Array<Promise<void>> = [];
    for (let i = 0; i < 50; i += 1) {
      calls.push(publisher.publish('t', [record('k', i)]));
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(calls);
    expect(maxInFlight()).toBe(1);
    expect(sent.length).toBeGreaterThan(1);
    expect(values()).toEqual(Array.from({ length: 50 }, (_, i) => `k:${i}`));
  });

  it('when one call is larger than a batch, then it is split and resolves after its last part', async () => {
    const { publisher, sent } = setup({ maxBatchRecords: 10, maxBatchBytes: 1_000_000 });
    await publisher.publish(
      't',
      Array.from({ length: 35 }, (_, i) => record('k', i)),
    );
    expect(sent.map((b) => b.topicMessages?.[0]?.messages.length)).toEqual([10, 10, 10, 5]);
  });

  it('when a batch fails, then exactly the calls in it reject with a retriable BUS_PUBLISH_FAILED', async () => {
    const { publisher } = setup({}, (batch) =>
      (batch.topicMessages ?? []).some((t) => t.messages.some((m) => String(m.value) === 'bad:0')),
    );
    const first = [publisher.publish('t', [record('a', 0)]), publisher.publish('t', [record('bad', 0)])];
    const results = await Promise.allSettled(first);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results[1]).toMatchObject({ reason: { code: 'BUS_PUBLISH_FAILED', retriable: true } });
    await expect(publisher.publish('t', [record('after', 1)])).resolves.toBeUndefined();
  });

  it('when closed, then queued records are sent first and later calls are refused', async () => {
    const { publisher, values } = setup();
    const pending = publisher.publish('t', [record('k', 1)]);
    await publisher.close();
    await expect(pending).resolves.toBeUndefined();
    expect(values()).toEqual(['k:1']);
    await expect(publisher.publish('t', [record('k', 2)])).rejects.toMatchObject({ code: 'BUS_STOPPED' });
  });
});
