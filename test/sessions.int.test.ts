import { waitFor } from '@onlinetime/bus/testing';
import { TOPICS, type SessionsEvent } from '@onlinetime/events';
import { createSessionsWorker, type SessionsWorker } from '@onlinetime/sessions';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { balance, started, stopped } from '../services/sessions/src/testing/events.js';
import { mysqlUrl, uniqueId } from './helpers/infra.js';
import {
  T0,
  expectedStates,
  generateStream,
  kafkaBus,
  publishSessions,
  quietLogger,
  waitForTotals,
} from './sessions-helpers.js';

const MIN = 60_000;

let store: Store;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 6 });
  const bus = kafkaBus(uniqueId('setup'));
  await bus.ensureTopics([{ topic: TOPICS.sessions, partitions: 4, retentionMs: -1 }]);
  await bus.stop();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await store.close();
});

async function startWorker(groupId: string, name = 'w'): Promise<SessionsWorker> {
  const bus = kafkaBus(uniqueId(name));
  const worker = createSessionsWorker({ bus, store: store.accounting, logger: quietLogger(), groupId });
  await worker.start();
  cleanups.push(async () => {
    await worker.stop();
    await bus.stop();
  });
  return worker;
}

async function publish(events: readonly SessionsEvent[]): Promise<void> {
  const bus = kafkaBus(uniqueId('pub'));
  try {
    await publishSessions(bus, events);
  } finally {
    await bus.stop();
  }
}

describe('sessions worker on Kafka and MySQL', () => {
  it('gives exact totals for the scripted sequences', async () => {
    const p = uniqueId('sc');
    const user = (name: string) => `${p}${name}@example.com`;
    const ref = (name: string, sessionId: string, resource = 'r') => ({
      sessionId: `${p}${sessionId}`,
      jid: `${user(name)}/${resource}`,
    });
    const single = ref('single', 's1');
    const [ov1, ov2] = [ref('overlap', 'o1', 'phone'), ref('overlap', 'o2', 'desk')];
    const [bb1, bb2] = [ref('b2b', 'b1'), ref('b2b', 'b2')];
    const dup = ref('dup', 'd1');
    const ghost = ref('unknown', 'u1');
    const late = ref('late', 'l1');
    const open = ref('open', 'x1');
    const events: SessionsEvent[] = [
      started(single, T0),
      stopped(single, T0 + 5 * MIN + 999),
      started(ov1, T0),
      started(ov2, T0 + MIN),
      stopped(ov1, T0 + 3 * MIN),
      stopped(ov2, T0 + 4 * MIN),
      started(bb1, T0),
      stopped(bb1, T0 + MIN),
      started(bb2, T0 + MIN),
      stopped(bb2, T0 + 2 * MIN + 1),
      started(dup, T0),
      started(dup, T0 + 10),
      stopped(dup, T0 + MIN),
      stopped(dup, T0 + 9 * MIN),
      stopped(ghost, T0 + MIN),
      started(ghost, T0),
      stopped(ghost, T0 + 2 * MIN),
      started(late, T0),
      stopped(late, T0 + 30_000),
      started(late, T0 + 40_000),
      balance(user('balance'), 7 * MIN),
      balance(user('balance'), 100 * MIN),
      started(open, T0 + 123),
    ];
    await publish(events);
    const worker = await startWorker(uniqueId('g'));
    await worker.ready();
    const expected = new Map(
      Object.entries({
        single: {
          totalMs: 5 * MIN + 999,
          onlineSince: null,
          lastLogin: T0,
          lastLogout: T0 + 5 * MIN + 999,
          balanceMs: null,
        },
        overlap: {
          totalMs: 4 * MIN,
          onlineSince: null,
          lastLogin: T0 + MIN,
          lastLogout: T0 + 4 * MIN,
          balanceMs: null,
        },
        b2b: {
          totalMs: 2 * MIN + 1,
          onlineSince: null,
          lastLogin: T0 + MIN,
          lastLogout: T0 + 2 * MIN + 1,
          balanceMs: null,
        },
        dup: { totalMs: MIN, onlineSince: null, lastLogin: T0, lastLogout: T0 + MIN, balanceMs: null },
        unknown: { totalMs: 0, onlineSince: null, lastLogin: null, lastLogout: null, balanceMs: null },
        late: { totalMs: 30_000, onlineSince: null, lastLogin: T0, lastLogout: T0 + 30_000, balanceMs: null },
        balance: {
          totalMs: 7 * MIN,
          onlineSince: null,
          lastLogin: null,
          lastLogout: null,
          balanceMs: 7 * MIN,
        },
        open: { totalMs: 0, onlineSince: T0 + 123, lastLogin: T0 + 123, lastLogout: null, balanceMs: null },
      }).map(([name, totals]) => [user(name), { jid: user(name), open: [], ...totals }]),
    );
    // The hand-written expectations agree with the replay rules, and the store agrees with both.
    for (const [jid, state] of expectedStates(events)) {
      expect({ ...state, open: [] }).toEqual(expected.get(jid));
    }
    await waitForTotals(store, expected);
    const log = await store.accounting.sessionLog(user('unknown'), 10);
    expect(log).toEqual([
      expect.objectContaining({ sessionId: ghost.sessionId, startedAt: null, stoppedAt: T0 + MIN }),
    ]);
    expect((await store.accounting.sessionLog(user('overlap'), 10)).map((s) => s.sessionId).sort()).toEqual(
      [ov1.sessionId, ov2.sessionId].sort(),
    );
    expect((await store.accounting.openSessionsOfBoot('edge-1', 'boot-1')).map((s) => s.sessionId)).toContain(
      open.sessionId,
    );
  });

  it('skips invalid messages without stopping the partition', async () => {
    const p = uniqueId('inv');
    const jid = `${p}@example.com`;
    const s = { sessionId: `${p}s`, jid: `${jid}/r` };
    const bus = kafkaBus(uniqueId('pub'));
    await bus.publish(TOPICS.sessions, [
      { key: jid, value: Buffer.from('{"not":"an event"}') },
      { key: jid, value: Buffer.from(JSON.stringify(started(s, T0))) },
      { key: jid, value: Buffer.from('garbage') },
      { key: jid, value: Buffer.from(JSON.stringify(stopped(s, T0 + 42_000))) },
    ]);
    await bus.stop();
    await startWorker(uniqueId('g'));
    await waitForTotals(
      store,
      new Map([
        [
          jid,
          {
            jid,
            totalMs: 42_000,
            onlineSince: null,
            lastLogin: T0,
            lastLogout: T0 + 42_000,
            balanceMs: null,
            open: [],
          },
        ],
      ]),
    );
  });

  it('stays exact with two workers in one group and rebalances in the middle', async () => {
    const p = uniqueId('rb');
    const stream = generateStream({
      prefix: p,
      users: 200,
      sessionsPerUser: 15,
      seed: 7,
      edgeId: `${p}e`,
      bootId: 'b',
    });
    const thirds = [0, 1, 2].map((i) =>
      stream.slice(Math.floor((i * stream.length) / 3), Math.floor(((i + 1) * stream.length) / 3)),
    );
    const groupId = uniqueId('g');
    const a = await startWorker(groupId, 'a');
    await a.ready();
    let appliedByA = 0;
    a.on('batch.applied', (e) => (appliedByA += e.applied));
    await publish(thirds[0] ?? []);
    await waitFor('worker a to apply some of the stream', () => appliedByA > 0, { timeoutMs: 30_000 });
    const b = await startWorker(groupId, 'b');
    let appliedByB = 0;
    b.on('batch.applied', (e) => (appliedByB += e.applied));
    await publish(thirds[1] ?? []);
    await waitFor(
      'the group to split the partitions',
      () => a.partitions.length > 0 && b.partitions.length > 0,
      { timeoutMs: 40_000 },
    );
    // Worker a leaves: b takes every partition and continues from the offsets in MySQL.
    await a.stop();
    await publish(thirds[2] ?? []);
    await waitFor('b to hold every partition', () => b.partitions.length === 4, { timeoutMs: 40_000 });
    const expected = expectedStates(stream);
    await waitForTotals(store, expected, 60_000);
    expect(appliedByA).toBeGreaterThan(0);
    expect(appliedByB).toBeGreaterThan(0);
    const open = [...expected.values()].flatMap((s) => s.open.map((o) => o.sessionId)).sort();
    expect((await store.accounting.openSessionsOfBoot(`${p}e`, 'b')).map((s) => s.sessionId).sort()).toEqual(
      open,
    );
  }, 180_000);
});
