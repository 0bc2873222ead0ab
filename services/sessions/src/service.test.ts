import { waitFor } from '@onlinetime/bus/testing';
import { createEmbeddedBus, type EmbeddedBus } from '@onlinetime/bus';
import {
  edgesKey,
  encodeEvent,
  sessionsKey,
  TOPICS,
  TOPIC_DEFAULTS,
  type EdgesEvent,
  type SessionsEvent,
} from '@onlinetime/events';
import { createMemoryStore, type Store } from '@onlinetime/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createSessionsService, type SessionsService } from './service.js';
import { captureLogger } from './testing/capture-logger.js';
import { edgeEvent, started, stopped } from './testing/events.js';

let bus: EmbeddedBus;
let store: Store;
let service: SessionsService;
let now: number;

beforeEach(async () => {
  bus = createEmbeddedBus();
  await bus.ensureTopics([
    { topic: TOPICS.sessions, ...TOPIC_DEFAULTS.sessions },
    { topic: TOPICS.edges, ...TOPIC_DEFAULTS.edges },
  ]);
  store = createMemoryStore();
  now = 1_000_000;
  service = createSessionsService({
    bus,
    store,
    logger: captureLogger('warn').logger,
    config: { heartbeatTimeoutMs: 15_000, reaperSweepIntervalMs: 20 },
    clock: () => now,
  });
  await service.start();
});

afterEach(async () => {
  await service.stop();
  await bus.stop();
});

const publishSessions = (events: SessionsEvent[]) =>
  bus.publish(
    TOPICS.sessions,
    events.map((e) => ({ key: sessionsKey(e.payload.jid), value: encodeEvent(e) })),
  );
const publishEdges = (events: EdgesEvent[]) =>
  bus.publish(
    TOPICS.edges,
    events.map((e) => ({ key: edgesKey(e.payload.edgeId), value: encodeEvent(e) })),
  );
const totalOf = async (jid: string) => (await store.onlineTime.getMany([jid])).get(jid);

describe('createSessionsService (embedded bus, memory store)', () => {
  it('aggregates sessions and reaps a dead edge through the log, then stops cleanly', async () => {
    await waitFor('ready', () => service.isReady());
    const live = { sessionId: 'a1', jid: 'ann@example.com/phone', edgeId: 'e1', bootId: 'b1' };
    const doomed = { sessionId: 'b1', jid: 'bob@example.com/desk', edgeId: 'e2', bootId: 'b2' };
    await publishEdges([edgeEvent('edge.started', 'e1', 'b1', 0), edgeEvent('edge.started', 'e2', 'b2', 0)]);
    await publishSessions([started(live, 1_000), stopped(live, 61_000), started(doomed, 2_000)]);
    await publishEdges([
      edgeEvent('edge.heartbeat', 'e2', 'b2', 500_000, 1),
      edgeEvent('edge.heartbeat', 'e1', 'b1', 1_010_000),
    ]);
    await waitFor('ann counted', async () => (await totalOf('ann@example.com'))?.totalMs === 60_000);
    // The reaper joined at 1 000 000: one timeout later it has seen Kafka work long enough to judge.
    now = 1_016_000;
    // e2 went quiet at 500 000: its session is closed at 500 000.
    await waitFor('bob reaped', async () => (await totalOf('bob@example.com'))?.onlineSince === null, {
      timeoutMs: 5_000,
    });
    expect(await totalOf('bob@example.com')).toMatchObject({ totalMs: 498_000, lastLogout: 500_000 });
    expect(await store.accounting.sessionLog('bob@example.com', 5)).toEqual([
      expect.objectContaining({ sessionId: 'b1', reason: 'edge-lost', stoppedAt: 500_000 }),
    ]);
    // The reap is in the log, so a replay reproduces it.
    const log: string[] = [];
    await bus.readLog({
      topic: TOPICS.sessions,
      handleBatch: async (b) => void log.push(...b.messages.map((m) => String(m.value))),
    });
    expect(log.filter((v) => v.includes('"reap:b1"'))).toHaveLength(1);
    await service.stop();
    expect(service.isReady()).toBe(false);
  });
});
