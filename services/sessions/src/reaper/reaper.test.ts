import { decodeEvent, TOPICS } from '@onlinetime/events';
import { createMemoryStore, type Store } from '@onlinetime/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { captureLogger, type CapturedLogger } from '../testing/capture-logger.js';
import { edgeEvent, encode, started } from '../testing/events.js';
import { createFakeBus, type FakeBus } from '../testing/fake-bus.js';
import { createSessionsWorker, type SessionsWorker } from '../worker.js';
import { createReaper, type Reaper, type ReaperOptions } from './reaper.js';

const S1 = { sessionId: 's1', jid: 'ann@example.com/phone', edgeId: 'e1', bootId: 'b1' };
const S2 = { sessionId: 's2', jid: 'ann@example.com/desk', edgeId: 'e1', bootId: 'b1' };
const S3 = { sessionId: 's3', jid: 'bob@example.com/desk', edgeId: 'e2', bootId: 'b2' };

let bus: FakeBus;
let store: Store;
let log: CapturedLogger;
let now: number;
let worker: SessionsWorker;
let reaper: Reaper;

async function startAll(options: Partial<ReaperOptions> = {}): Promise<void> {
  worker = createSessionsWorker({ bus, store: store.accounting, logger: log.logger });
  reaper = createReaper({
    bus,
    store,
    logger: log.logger,
    clock: () => now,
    heartbeatTimeoutMs: 15_000,
    sweepIntervalMs: 60_000,
    ...options,
  });
  await worker.start();
  await reaper.start();
  bus.assign(TOPICS.edges, [0]);
}

const sessionsLog = () => bus.logs.get(`${TOPICS.sessions}#0`) ?? [];
const reaped = () =>
  sessionsLog()
    .map((m) => decodeEvent(m.value))
    .filter((e) => e.type === 'session.stopped');

async function deliverSessionsFrom(index: number): Promise<void> {
  await bus.deliver(sessionsLog().slice(index));
}

async function totalOf(jid: string): Promise<number | undefined> {
  return (await store.onlineTime.getMany([jid])).get(jid)?.totalMs;
}

beforeEach(async () => {
  bus = createFakeBus();
  store = createMemoryStore();
  log = captureLogger();
  now = 100_000;
});

afterEach(async () => {
  await reaper.stop();
  await worker.stop();
});

describe('createReaper', () => {
  it('closes the sessions of a boot whose heartbeats stopped, at its last heartbeat, once', async () => {
    await startAll();
    await bus.deliver(
      bus.append(TOPICS.sessions, encode([started(S1, 10_000), started(S2, 20_000), started(S3, 30_000)])),
    );
    await bus.deliver(
      // Heartbeats only: a batch with edge.started would start a sweep of its own.
      bus.append(
        TOPICS.edges,
        encode([
          edgeEvent('edge.heartbeat', 'e1', 'b1', 40_000),
          edgeEvent('edge.heartbeat', 'e2', 'b2', 0),
          edgeEvent('edge.heartbeat', 'e1', 'b1', 50_000),
          edgeEvent('edge.heartbeat', 'e2', 'b2', 110_000),
        ]),
      ),
    );
    now = 116_000; // one timeout after the reaper joined at 100 000
    const first = await reaper.sweep();
    expect(first).toMatchObject({ published: 2, deferred: 0, unknown: 0 });
    expect((await reaper.sweep()).published).toBe(0); // not applied yet, but already published
    expect(reaped().map((e) => [e.id, e.at, e.payload])).toEqual([
      [
        'reap:s1',
        50_000,
        { sessionId: 's1', jid: 'ann@example.com/phone', edgeId: 'e1', bootId: 'b1', reason: 'edge-lost' },
      ],
      [
        'reap:s2',
        50_000,
        { sessionId: 's2', jid: 'ann@example.com/desk', edgeId: 'e1', bootId: 'b1', reason: 'edge-lost' },
      ],
    ]);
    await deliverSessionsFrom(3);
    expect(await totalOf('ann@example.com')).toBe(40_000);
    expect(await store.accounting.openBoots()).toEqual([{ edgeId: 'e2', bootId: 'b2', sessions: 1 }]);
    now = 126_000;
    expect((await reaper.sweep()).published).toBe(1);
  });

  it('judges heartbeats only after Kafka has worked for a whole timeout (no reaping right after an outage)', async () => {
    await startAll();
    await bus.deliver(bus.append(TOPICS.sessions, encode([started(S1, 10_000)])));
    await bus.deliver(bus.append(TOPICS.edges, encode([edgeEvent('edge.heartbeat', 'e1', 'b1', 50_000)])));
    // The heartbeat is 60 s old, but the reaper has read xmpp.edges only since 100 000 (its assignment).
    now = 110_000;
    expect(await reaper.sweep()).toMatchObject({ published: 0, deferred: 1 });
    // A reassignment (as after a broker outage) starts the wait again.
    bus.assign(TOPICS.edges, [0]);
    now = 114_000;
    bus.assign(TOPICS.edges, [0]);
    now = 120_000;
    expect(await reaper.sweep()).toMatchObject({ published: 0, deferred: 1 });
    now = 129_500;
    expect(await reaper.sweep()).toMatchObject({ published: 1, deferred: 0 });
    expect(reaped().map((e) => [e.id, e.at])).toEqual([['reap:s1', 50_000]]);
  });

  it('judges no heartbeat while its consumer is down, nor for a timeout after it rejoined', async () => {
    await startAll();
    await bus.deliver(bus.append(TOPICS.sessions, encode([started(S1, 10_000)])));
    await bus.deliver(bus.append(TOPICS.edges, encode([edgeEvent('edge.heartbeat', 'e1', 'b1', 120_000)])));
    // The broker goes away: the consumer crashes (the bus reports no partitions), the edge cannot publish.
    now = 125_000;
    bus.assign(TOPICS.edges, []);
    // The broker is back before the consumer has rejoined: xmpp.edges looks read to its end, yet the
    // edge's next heartbeats are not in it yet.
    now = 140_000;
    expect(await reaper.sweep()).toMatchObject({ published: 0, targets: [] });
    now = 150_000;
    bus.assign(TOPICS.edges, [0]);
    now = 160_000;
    expect(await reaper.sweep()).toMatchObject({ published: 0, deferred: 1 });
    // A whole timeout read without a newer heartbeat: now it is dead.
    now = 165_001;
    expect(await reaper.sweep()).toMatchObject({ published: 1, deferred: 0 });
    expect(reaped().map((e) => [e.id, e.at])).toEqual([['reap:s1', 120_000]]);
  });

  it('closes the old boot of a restarted edge at once, without waiting for the timeout', async () => {
    await startAll();
    await bus.deliver(bus.append(TOPICS.sessions, encode([started(S1, 10_000)])));
    await bus.deliver(
      bus.append(
        TOPICS.edges,
        encode([edgeEvent('edge.started', 'e1', 'b1', 0), edgeEvent('edge.heartbeat', 'e1', 'b1', 97_000)]),
      ),
    );
    const swept = new Promise((resolve) => reaper.on('sweep', (r) => r.published > 0 && resolve(r)));
    await bus.deliver(bus.append(TOPICS.edges, encode([edgeEvent('edge.started', 'e1', 'b9', 99_000)])));
    expect(await swept).toMatchObject({
      targets: [{ edgeId: 'e1', bootId: 'b1', at: 97_000, cause: 'replaced' }],
    });
    await deliverSessionsFrom(1);
    expect(await totalOf('ann@example.com')).toBe(87_000);
  });

  it('closes the leftovers of a stopped boot at its stop', async () => {
    await startAll();
    await bus.deliver(bus.append(TOPICS.sessions, encode([started(S1, 10_000)])));
    await bus.deliver(
      bus.append(
        TOPICS.edges,
        encode([edgeEvent('edge.started', 'e1', 'b1', 0), edgeEvent('edge.stopped', 'e1', 'b1', 98_000)]),
      ),
    );
    expect(await reaper.sweep()).toMatchObject({ targets: [{ at: 98_000, cause: 'stopped' }] });
  });

  it('defers timeouts while it has not read xmpp.edges up to its end', async () => {
    await startAll({ sweepIntervalMs: 20 });
    await bus.deliver(bus.append(TOPICS.sessions, encode([started(S1, 10_000)])));
    await bus.deliver(bus.append(TOPICS.edges, encode([edgeEvent('edge.started', 'e1', 'b1', 0)])));
    bus.append(TOPICS.edges, encode([edgeEvent('edge.heartbeat', 'e1', 'b1', 99_000)])); // not delivered yet
    expect(await reaper.sweep()).toMatchObject({ published: 0, deferred: 1 });
    expect(reaped()).toEqual([]);
  });

  it('never guesses for a boot it has no record of, and warns once', async () => {
    await startAll();
    await bus.deliver(
      bus.append(TOPICS.sessions, encode([started({ ...S1, edgeId: 'e9', bootId: 'ghost' }, 0)])),
    );
    expect(await reaper.sweep()).toMatchObject({ published: 0, unknown: 1 });
    expect(await reaper.sweep()).toMatchObject({ published: 0, unknown: 1 });
    expect(log.lines.filter((l) => l['level'] === 40 && l['edgeId'] === 'e9')).toHaveLength(1);
  });

  it('sweeps only while it holds the xmpp.edges partition', async () => {
    await startAll();
    await bus.deliver(bus.append(TOPICS.sessions, encode([started(S1, 10_000)])));
    bus.assign(TOPICS.edges, []);
    await bus.deliver(bus.append(TOPICS.edges, encode([edgeEvent('edge.started', 'e1', 'b1', 0)])));
    expect(reaper.active).toBe(false);
    expect(await reaper.sweep()).toMatchObject({ published: 0, targets: [] });
    expect(reaped()).toEqual([]);
    bus.assign(TOPICS.edges, [0]); // sweeps at once, and judges timeouts one timeout later
    now = 116_000;
    await reaper.sweep();
    expect(reaped().map((e) => e.id)).toEqual(['reap:s1']);
  });
});
