/** The worker's cache of committed user states: used only while it provably matches MySQL. */
import { createMemoryStore, type AccountingRepository, type Store } from '@onlinetime/store';
import { beforeEach, describe, expect, it } from 'vitest';

import { captureLogger } from './testing/capture-logger.js';
import { encode, started, stopped } from './testing/events.js';
import { createFakeBus, type FakeBus } from './testing/fake-bus.js';
import { applyBatch } from './apply-batch.js';
import { decodeBatch } from './decode-batch.js';
import { createSessionsWorker, type SessionsWorker } from './worker.js';

const TOPIC = 'xmpp.sessions';
const KEY = { groupId: 'onlinetime-sessions', topic: TOPIC, partition: 0 };
const ANN = 'ann@example.com';
const A1 = { sessionId: 'a1', jid: `${ANN}/phone` };
const A2 = { sessionId: 'a2', jid: `${ANN}/laptop` };

let bus: FakeBus;
let store: Store;

beforeEach(() => {
  bus = createFakeBus();
  store = createMemoryStore();
});

/** The store's accounting, recording the users every transaction reads; `failSave` makes saves throw. */
function spied(inner: AccountingRepository) {
  const spy = { loaded: [] as string[][], failSave: false };
  const accounting: AccountingRepository = {
    ...inner,
    inPartitionTransaction: (key, work) =>
      inner.inPartitionTransaction(key, (tx) =>
        work({
          storedOffset: tx.storedOffset,
          storedWriter: tx.storedWriter,
          loadFinished: (ids) => tx.loadFinished(ids),
          loadUsers: (jids) => {
            spy.loaded.push([...jids]);
            return tx.loadUsers(jids);
          },
          save: async (changes) => {
            if (spy.failSave) throw new Error('connection lost');
            await tx.save(changes);
          },
        }),
      ),
  };
  return { spy, accounting };
}

async function workerOn(accounting: AccountingRepository, maxCachedUsers?: number): Promise<SessionsWorker> {
  const worker = createSessionsWorker({
    bus,
    store: accounting,
    logger: captureLogger().logger,
    ...(maxCachedUsers === undefined ? {} : { maxCachedUsers }),
  });
  await worker.start();
  return worker;
}

const deliver = (events: Parameters<typeof encode>[0]) => bus.deliver(bus.append(TOPIC, encode(events)));
const totals = async () => (await store.onlineTime.getMany([ANN])).get(ANN);

describe('sessions worker user cache', () => {
  it('reads a user once, then works from the states it committed', async () => {
    const { spy, accounting } = spied(store.accounting);
    await workerOn(accounting);
    await deliver([started(A1, 0)]);
    await deliver([started(A2, 1_000), stopped(A1, 2_000)]);
    await deliver([stopped(A2, 5_000)]);
    expect(spy.loaded).toEqual([[ANN]]);
    expect(await totals()).toMatchObject({ totalMs: 5_000, onlineSince: null, lastLogout: 5_000 });
  });

  it('reloads when another worker committed the partition in between', async () => {
    const { spy, accounting } = spied(store.accounting);
    await workerOn(accounting);
    await deliver([started(A1, 0)]);
    // Offset 1 goes to another worker (its own token), which applies the stop.
    const [stop] = bus.append(TOPIC, encode([stopped(A1, 3_000)]));
    await store.accounting.inPartitionTransaction(KEY, (tx) =>
      applyBatch(tx, decodeBatch(stop === undefined ? [] : [stop]).valid, 1n, { writer: 'other-worker' }),
    );
    // Back to the first worker: its cached "a1 open since 0" is stale and must not be used.
    await deliver([started(A2, 10_000), stopped(A2, 11_000)]);
    expect(spy.loaded).toEqual([[ANN], [ANN]]);
    expect(await totals()).toMatchObject({ totalMs: 4_000, onlineSince: null, lastLogout: 11_000 });
  });

  it('reloads when the offset row was rewritten without its token (a rebuild swapped tables in)', async () => {
    const { spy, accounting } = spied(store.accounting);
    await workerOn(accounting);
    await deliver([started(A1, 0)]); // next offset 1
    // A rebuild lands at the same offset with other totals (a1 closed at 500) and no writer.
    const rebuilt = { jid: ANN, totalMs: 500, onlineSince: null, lastLogin: 0, lastLogout: 500 };
    await store.accounting.inPartitionTransaction(KEY, (tx) =>
      tx.save({
        users: [{ ...rebuilt, balanceMs: null, open: [] }],
        opened: [],
        finished: [{ ...openA1(), stoppedAt: 500, reason: 'closed' }],
        nextOffset: '1',
      }),
    );
    await deliver([started(A2, 1_000), stopped(A2, 2_000)]);
    expect(spy.loaded).toEqual([[ANN], [ANN]]);
    expect(await totals()).toMatchObject({ totalMs: 1_500, onlineSince: null, lastLogout: 2_000 });
  });

  it('drops the states of a batch whose transaction failed; the redelivery reads them again', async () => {
    const { spy, accounting } = spied(store.accounting);
    await workerOn(accounting);
    await deliver([started(A1, 0)]);
    const batch = bus.append(TOPIC, encode([stopped(A1, 2_000)]));
    spy.failSave = true;
    await expect(bus.deliver(batch)).rejects.toThrow('connection lost');
    spy.failSave = false;
    await bus.deliver(batch);
    expect(spy.loaded).toEqual([[ANN], [ANN]]); // the first batch, then the redelivery
    expect(await totals()).toMatchObject({ totalMs: 2_000, onlineSince: null });
    // The real session was logged, not a tombstone of a stop "already applied" in memory.
    expect(await store.accounting.sessionLog(ANN, 5)).toEqual([
      expect.objectContaining({ sessionId: 'a1', startedAt: 0, stoppedAt: 2_000 }),
    ]);
  });

  it('forgets everything at a rebalance', async () => {
    const { spy, accounting } = spied(store.accounting);
    await workerOn(accounting);
    await deliver([started(A1, 0)]);
    bus.assign(TOPIC, [0]);
    await deliver([stopped(A1, 1_000)]);
    expect(spy.loaded).toEqual([[ANN], [ANN]]);
  });

  it('reads every batch from the store when turned off', async () => {
    const { spy, accounting } = spied(store.accounting);
    await workerOn(accounting, 0);
    await deliver([started(A1, 0)]);
    await deliver([stopped(A1, 1_000)]);
    expect(spy.loaded).toEqual([[ANN], [ANN]]);
    expect(await totals()).toMatchObject({ totalMs: 1_000 });
  });
});

function openA1() {
  return {
    sessionId: 'a1',
    jid: ANN,
    resource: 'phone',
    edgeId: 'edge-1',
    bootId: 'boot-1',
    ip: '127.0.0.1',
    startedAt: 0,
  };
}
