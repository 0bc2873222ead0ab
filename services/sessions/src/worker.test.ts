import { createMetrics } from '@onlinetime/metrics';
import { createMemoryStore, type AccountingRepository, type Store } from '@onlinetime/store';
import { beforeEach, describe, expect, it } from 'vitest';

import { captureLogger } from './testing/capture-logger.js';
import { encode, started, stopped } from './testing/events.js';
import { createFakeBus, type FakeBus } from './testing/fake-bus.js';
import { createSessionsWorker, DEFAULT_SESSIONS_FETCH_BYTES, type BatchApplied } from './worker.js';

const TOPIC = 'xmpp.sessions';
const A = { sessionId: 'sa', jid: 'ann@example.com/phone' };

let bus: FakeBus;
let store: Store;

beforeEach(() => {
  bus = createFakeBus();
  store = createMemoryStore();
});

/** An AccountingRepository that fails while `down` is set, as MySQL does when it is unreachable. */
function flaky(inner: AccountingRepository): AccountingRepository & { down: boolean } {
  const wrapper = {
    down: false,
    inPartitionTransaction: ((key, work) => {
      if (wrapper.down) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:3306'));
      return inner.inPartitionTransaction(key, work);
    }) as AccountingRepository['inPartitionTransaction'],
    openSessionsOfBoot: inner.openSessionsOfBoot.bind(inner),
    openBoots: inner.openBoots.bind(inner),
    sessionLog: inner.sessionLog.bind(inner),
  };
  return wrapper;
}

describe('createSessionsWorker', () => {
  it('asks for fetches of four full 8 MiB partition batches, or the size it is given', async () => {
    const { logger } = captureLogger();
    expect(DEFAULT_SESSIONS_FETCH_BYTES).toBe(4 * 8_388_608);
    const worker = createSessionsWorker({
      bus,
      store: store.accounting,
      logger,
      maxBytesPerFetch: 1_048_576,
    });
    await worker.start();
    expect(bus.subscriptions[0]).toMatchObject({ maxBytesPerFetch: 1_048_576 });
    await worker.stop();
  });

  it('subscribes to xmpp.sessions in its group and applies each batch in one transaction', async () => {
    const { logger } = captureLogger();
    const worker = createSessionsWorker({ bus, store: store.accounting, logger });
    const applied: BatchApplied[] = [];
    worker.on('batch.applied', (e) => applied.push(e));
    await worker.start();
    expect(bus.subscriptions[0]).toMatchObject({
      groupId: 'onlinetime-sessions',
      topics: [TOPIC],
      fromBeginning: true,
      // Room for the four partition batches it runs at once (BENCHMARKS.md, sessions worker).
      maxBytesPerFetch: DEFAULT_SESSIONS_FETCH_BYTES,
    });
    bus.assign(TOPIC, [0, 3]);
    expect(worker.partitions).toEqual([0, 3]);
    await bus.deliver(bus.append(TOPIC, encode([started(A, 1_000), stopped(A, 31_000)])));
    expect(applied).toEqual([
      expect.objectContaining({ partition: 0, nextOffset: '2', applied: 2, skipped: 0, invalid: 0 }),
    ]);
    expect((await store.onlineTime.getMany(['ann@example.com'])).get('ann@example.com')?.totalMs).toBe(
      30_000,
    );
    await worker.stop();
    expect(bus.subscriptions).toEqual([]);
  });

  it('logs invalid messages with topic, partition, offset and field, counts them, and moves on', async () => {
    const { logger, lines } = captureLogger();
    const metrics = createMetrics({ defaultMetrics: false });
    const worker = createSessionsWorker({ bus, store: store.accounting, logger, metrics });
    await worker.start();
    const tooLong = started({ sessionId: 'x'.repeat(300), jid: 'ann@example.com/r' }, 5);
    const values = [
      Buffer.from('not json'),
      ...encode([started(A, 0)]),
      null,
      Buffer.from(
        JSON.stringify({
          ...started(A, 1),
          type: 'edge.heartbeat',
          payload: { edgeId: 'e', bootId: 'b', sessions: 0 },
        }),
      ),
      ...encode([tooLong, stopped(A, 10_000)]),
      Buffer.from(
        JSON.stringify({ ...stopped(A, 1), payload: { ...stopped(A, 1).payload, reason: 'bored' } }),
      ),
    ];
    await bus.deliver(bus.append(TOPIC, values));
    const warnings = lines.filter((l) => l['msg'] === 'invalid event skipped');
    expect(warnings.map((w) => [w['topic'], w['partition'], w['offset'], w['field']])).toEqual([
      [TOPIC, 0, '0', 'value'],
      [TOPIC, 0, '2', 'value'],
      [TOPIC, 0, '3', 'type'],
      [TOPIC, 0, '4', 'payload.sessionId'],
      [TOPIC, 0, '6', 'payload.reason'],
    ]);
    expect((await store.onlineTime.getMany(['ann@example.com'])).get('ann@example.com')?.totalMs).toBe(
      10_000,
    );
    await store.accounting.inPartitionTransaction(
      { groupId: 'onlinetime-sessions', topic: TOPIC, partition: 0 },
      async (tx) => expect(tx.storedOffset).toBe('7'),
    );
    const text = await metrics.render();
    expect(text).toMatch(/onlinetime_sessions_events_invalid_total 5/);
    expect(text).toMatch(/onlinetime_sessions_events_consumed_total\{type="session.started"\} 1/);
    expect(text).toMatch(/onlinetime_sessions_batch_size_count 1/);
  });

  it('throws while the store is down so the batch is redelivered, logging the outage once', async () => {
    const { logger, lines } = captureLogger('info');
    const accounting = flaky(store.accounting);
    const worker = createSessionsWorker({ bus, store: accounting, logger });
    const failed: unknown[] = [];
    worker.on('batch.failed', (e) => failed.push(e.error));
    await worker.start();
    const batch = bus.append(TOPIC, encode([started(A, 0), stopped(A, 2_000)]));
    accounting.down = true;
    for (let i = 0; i < 3; i++) await expect(bus.deliver(batch)).rejects.toThrow(/ECONNREFUSED/);
    expect(failed).toHaveLength(3);
    accounting.down = false;
    await bus.deliver(batch);
    await bus.deliver(batch); // a redelivery after the commit (Kafka offset not committed yet)
    expect((await store.onlineTime.getMany(['ann@example.com'])).get('ann@example.com')?.totalMs).toBe(2_000);
    const outage = lines.filter((l) => String(l['msg']).startsWith('sessions store transaction'));
    expect(outage.map((l) => [l['level'], l['msg']])).toEqual([
      [50, 'sessions store transaction failed; retrying until it recovers'],
      [30, 'sessions store transaction recovered'],
    ]);
  });

  it('uses the given group id and topic', async () => {
    const worker = createSessionsWorker({
      bus,
      store: store.accounting,
      logger: captureLogger().logger,
      groupId: 'g2',
      topic: 'copy',
    });
    await worker.start();
    expect(bus.subscriptions[0]).toMatchObject({ groupId: 'g2', topics: ['copy'] });
    await bus.deliver(bus.append('copy', encode([started(A, 0)])));
    await store.accounting.inPartitionTransaction(
      { groupId: 'g2', topic: 'copy', partition: 0 },
      async (tx) => expect(tx.storedOffset).toBe('1'),
    );
  });
});
