import type { Bus } from '@onlinetime/bus';
import { waitFor } from '@onlinetime/bus/testing';
import { readConfig } from '@onlinetime/config';
import { EDGE_VARIABLES, createEdge, type Edge, type EdgeConfig } from '@onlinetime/edge';
import { decodeEvent, type OnlinetimeEvent } from '@onlinetime/events';
import { deriveScramKeys } from '@onlinetime/scram';
import { createLogger } from '@onlinetime/logging';
import { createMetrics } from '@onlinetime/metrics';
import type { UsersRepository } from '@onlinetime/store';

import { uniqueId } from './infra.js';

/** Edge configuration for tests: loopback, any free port, plaintext SCRAM allowed, a unique edge id. */
export function edgeTestConfig(env: Record<string, string> = {}): EdgeConfig {
  return readConfig(EDGE_VARIABLES, {
    XMPP_HOST: '127.0.0.1',
    XMPP_PORT: '0',
    XMPP_DOMAINS: 'localhost',
    XMPP_ALLOW_PLAINTEXT: 'true',
    EDGE_ID: uniqueId('edge'),
    HEARTBEAT_INTERVAL_MS: '1000',
    ...env,
  });
}

/** Creates a user with SCRAM-SHA-1 and SCRAM-SHA-256 keys; returns the bare JID. */
export async function addTestUser(
  users: Pick<UsersRepository, 'add'>,
  local: string,
  password: string,
  domain = 'localhost',
): Promise<string> {
  const jid = `${local}@${domain}`;
  await users.add({
    jid,
    scram: {
      'SCRAM-SHA-1': deriveScramKeys('SCRAM-SHA-1', password),
      'SCRAM-SHA-256': deriveScramKeys('SCRAM-SHA-256', password),
    },
  });
  return jid;
}

export interface CollectedEvent {
  readonly topic: string;
  readonly key: string | null;
  readonly event: OnlinetimeEvent;
}

export interface EventCollector {
  readonly events: CollectedEvent[];
  /** Resolves with the first collected event matching, waiting up to timeoutMs. */
  find(what: string, match: (e: CollectedEvent) => boolean, timeoutMs?: number): Promise<CollectedEvent>;
  stop(): Promise<void>;
}

/** Collects events of shared topics from now on (a fresh consumer group, started at the end). */
export async function collectEvents(bus: Bus, topics: readonly string[]): Promise<EventCollector> {
  const events: CollectedEvent[] = [];
  const subscription = await bus.subscribe({
    groupId: uniqueId('edge-test-collector-'),
    topics,
    fromBeginning: false,
    handleBatch: async (batch) => {
      for (const m of batch.messages) {
        try {
          events.push({ topic: m.topic, key: m.key, event: decodeEvent(m.value) });
        } catch {
          // other tests' junk on shared topics
        }
      }
    },
  });
  await subscription.ready;
  return {
    events,
    async find(what, match, timeoutMs = 20_000) {
      await waitFor(what, () => events.some(match), { timeoutMs });
      return events.find(match) as CollectedEvent;
    },
    stop: () => subscription.stop(),
  };
}

/** Creates and starts an edge on loopback (see edgeTestConfig); LOG_LEVEL sets its log level (default silent). */
export async function startTestEdge(
  bus: Bus,
  users: Pick<UsersRepository, 'getCredentials'>,
  env: Record<string, string> = {},
): Promise<{ edge: Edge; port: number }> {
  const level = process.env['EDGE_TEST_LOG_LEVEL'] ?? 'silent';
  const edge = createEdge({
    config: edgeTestConfig(env),
    bus,
    users,
    logger: createLogger({ name: 'edge', level: level as 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
  });
  const { port } = await edge.start();
  return { edge, port };
}
