import { waitFor } from '@onlinetime/bus/testing';
import { edgesKey, encodeEvent, TOPICS, type EdgesEvent } from '@onlinetime/events';
import { createReaper, createSessionsWorker, type Reaper } from '@onlinetime/sessions';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { edgeEvent, started } from '../services/sessions/src/testing/events.js';
import { mysqlUrl, uniqueId } from './helpers/infra.js';
import { kafkaBus, publishSessions, quietLogger } from './sessions-helpers.js';

let store: Store;
const cleanups: Array<() => Promise<void>> = [];
const publisher = () => {
  const bus = kafkaBus(uniqueId('pub'));
  cleanups.push(() => bus.stop());
  return bus;
};

beforeAll(async () => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 6 });
  const bus = kafkaBus(uniqueId('setup'));
  await bus.ensureTopics([
    { topic: TOPICS.sessions, partitions: 4, retentionMs: -1 },
    { topic: TOPICS.edges, partitions: 1, retentionMs: -1 },
  ]);
  await bus.stop();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await store.close();
});

/** A sessions worker and a reaper, each in its own new group, as the sessions service runs them. */
async function startService(heartbeatTimeoutMs: number): Promise<Reaper> {
  const workerBus = kafkaBus(uniqueId('w'));
  const worker = createSessionsWorker({
    bus: workerBus,
    store: store.accounting,
    logger: quietLogger(),
    groupId: uniqueId('g'),
  });
  const reaperBus = kafkaBus(uniqueId('r'));
  const reaper = createReaper({
    bus: reaperBus,
    store,
    logger: quietLogger(),
    heartbeatTimeoutMs,
    sweepIntervalMs: 250,
    groupId: uniqueId('reaper'),
  });
  await worker.start();
  await reaper.start();
  cleanups.push(async () => {
    await reaper.stop();
    await worker.stop();
    await reaperBus.stop();
    await workerBus.stop();
  });
  await reaper.ready();
  await worker.ready();
  return reaper;
}

async function publishEdge(events: readonly EdgesEvent[]): Promise<void> {
  await publisher().publish(
    TOPICS.edges,
    events.map((e) => ({ key: edgesKey(e.payload.edgeId), value: encodeEvent(e) })),
  );
}

async function logOf(jid: string) {
  return store.accounting.sessionLog(jid, 10);
}

describe('reaper on Kafka and MySQL', () => {
  it('closes the sessions of an edge that stops heartbeating at its last heartbeat, and late starts too', async () => {
    await startService(2_000);
    const p = uniqueId('lost');
    const edge = `${p}edge`;
    const [ann, bob] = [`${p}ann@example.com`, `${p}bob@example.com`];
    const t = Date.now();
    await publishEdge([edgeEvent('edge.started', edge, 'b1', t)]);
    await publishSessions(publisher(), [
      started({ sessionId: `${p}s1`, jid: `${ann}/phone`, edgeId: edge, bootId: 'b1' }, t + 10),
      started({ sessionId: `${p}s2`, jid: `${ann}/desk`, edgeId: edge, bootId: 'b1' }, t + 20),
      started({ sessionId: `${p}s3`, jid: `${bob}/desk`, edgeId: edge, bootId: 'b1' }, t + 30),
    ]);
    const lastHeartbeat = t + 1_000;
    await publishEdge([
      edgeEvent('edge.heartbeat', edge, 'b1', t + 500, 3),
      edgeEvent('edge.heartbeat', edge, 'b1', lastHeartbeat, 3),
    ]);
    // The edge falls silent. Its sessions are closed at its last heartbeat, not at the reaping time.
    await waitFor(
      'the edge-lost stops applied',
      async () => (await logOf(ann)).length === 2 && (await logOf(bob)).length === 1,
      {
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    expect((await store.accounting.openBoots()).filter((b) => b.edgeId === edge)).toEqual([]);
    const totals = await store.onlineTime.getMany([ann, bob]);
    expect(totals.get(ann)).toMatchObject({
      totalMs: lastHeartbeat - (t + 10),
      onlineSince: null,
      lastLogout: lastHeartbeat,
    });
    expect(totals.get(bob)).toMatchObject({ totalMs: lastHeartbeat - (t + 30), onlineSince: null });
    expect((await logOf(ann)).map((s) => [s.reason, s.stoppedAt])).toEqual([
      ['edge-lost', lastHeartbeat],
      ['edge-lost', lastHeartbeat],
    ]);
    // A start of that boot applied late (after the sweep) is closed by a later sweep.
    await publishSessions(publisher(), [
      started({ sessionId: `${p}s4`, jid: `${bob}/late`, edgeId: edge, bootId: 'b1' }, t + 40),
    ]);
    await waitFor(
      'the late session reaped',
      async () => (await logOf(bob)).some((s) => s.sessionId === `${p}s4`),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    expect((await logOf(bob)).find((s) => s.sessionId === `${p}s4`)).toMatchObject({
      reason: 'edge-lost',
      stoppedAt: lastHeartbeat,
    });
    expect((await store.onlineTime.getMany([bob])).get(bob)?.totalMs).toBe(lastHeartbeat - (t + 30));
  });

  it('closes the old boot of a restarted edge at once, long before the heartbeat timeout', async () => {
    const reaper = await startService(600_000);
    const p = uniqueId('boot');
    const edge = `${p}edge`;
    const ann = `${p}ann@example.com`;
    const t = Date.now();
    await publishEdge([
      edgeEvent('edge.started', edge, 'old', t),
      edgeEvent('edge.heartbeat', edge, 'old', t + 700, 1),
    ]);
    await publishSessions(publisher(), [
      started({ sessionId: `${p}s1`, jid: `${ann}/phone`, edgeId: edge, bootId: 'old' }, t + 100),
    ]);
    await waitFor(
      'the session open',
      async () => (await store.accounting.openBoots()).some((b) => b.edgeId === edge),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    // The edge is alive as far as the timeout goes; a sweep leaves it alone.
    await waitFor(
      'the old boot recorded',
      async () => (await store.edges.all()).some((b) => b.edgeId === edge && b.lastHeartbeat === t + 700),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    expect((await reaper.sweep()).targets.filter((target) => target.edgeId === edge)).toEqual([]);
    const restartedAt = Date.now();
    await publishEdge([edgeEvent('edge.started', edge, 'new', t + 2_000)]);
    await waitFor('the old boot closed', async () => (await logOf(ann)).length === 1, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(Date.now() - restartedAt).toBeLessThan(30_000);
    expect(await logOf(ann)).toEqual([
      expect.objectContaining({ sessionId: `${p}s1`, reason: 'edge-lost', stoppedAt: t + 700 }),
    ]);
    expect((await store.onlineTime.getMany([ann])).get(ann)).toMatchObject({
      totalMs: 600,
      onlineSince: null,
    });
  });
});
