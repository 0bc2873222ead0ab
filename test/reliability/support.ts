/** Shared by the reliability tests and the cluster test: service environments, readiness, users, loads. */
import { setTimeout as delay } from 'node:timers/promises';

import type { KafkaBus } from '@onlinetime/bus';
import { waitFor } from '@onlinetime/bus/testing';
import type { SessionsEvent } from '@onlinetime/events';
import type { Store } from '@onlinetime/store';

import { scrape, type ServiceProcess } from '../helpers/processes.js';
import { addTestUser } from '../helpers/xmpp-edge.js';
import { publishSessions } from '../sessions-helpers.js';

/** An edge on loopback, any free port, plaintext SCRAM (no TLS), 1 s heartbeats. */
export function edgeEnv(
  edgeId: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    XMPP_HOST: '127.0.0.1',
    XMPP_PORT: '0',
    XMPP_DOMAINS: 'localhost',
    XMPP_ALLOW_PLAINTEXT: 'true',
    XMPP_STARTTLS: 'false',
    EDGE_ID: edgeId,
    HEARTBEAT_INTERVAL_MS: '1000',
    ...extra,
  };
}

/** Waits until every service answers /readyz with 200 (bounded). */
export async function waitReady(services: readonly ServiceProcess[], timeoutMs = 60_000): Promise<void> {
  for (const s of services) {
    let last = '';
    await waitFor(
      `${s.name} ready`,
      async () => {
        const r = await scrape(s.metricsPort, '/readyz').catch((err: Error) => ({
          status: 0,
          body: err.message,
        }));
        last = r.body;
        return r.status === 200;
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last /readyz: ${last}`);
    });
  }
}

/** Creates users `<prefix><i>@localhost` (i < count) with one password, a few at a time. */
export async function createUsers(
  store: Store,
  prefix: string,
  count: number,
  password: string,
): Promise<string[]> {
  const locals = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  for (let i = 0; i < locals.length; i += 20) {
    await Promise.all(locals.slice(i, i + 20).map((local) => addTestUser(store.users, local, password)));
  }
  return locals;
}

/** The total of one metric across several scrapes. */
export async function scrapeAll(services: readonly ServiceProcess[]): Promise<string[]> {
  return Promise.all(services.map(async (s) => (await scrape(s.metricsPort)).body));
}

/**
 * Publishes `events` in `chunks` equal parts, one every `everyMs`, as a sustained load; resolves when
 * all are published. Per-user order is kept (the parts are consecutive slices).
 */
export async function publishPaced(
  bus: KafkaBus,
  events: readonly SessionsEvent[],
  chunks: number,
  everyMs: number,
): Promise<void> {
  for (let i = 0; i < chunks; i++) {
    const part = events.slice(
      Math.floor((i * events.length) / chunks),
      Math.floor(((i + 1) * events.length) / chunks),
    );
    await publishSessions(bus, part);
    if (i < chunks - 1) await delay(everyMs);
  }
}

/** Runs `body` repeatedly until `until` resolves, collecting its errors (the first one is rethrown). */
export async function repeatUntil(
  until: Promise<unknown>,
  body: (round: number) => Promise<void>,
): Promise<number> {
  let done = false;
  void until.then(
    () => (done = true),
    () => (done = true),
  );
  let round = 0;
  while (!done) await body(round++);
  return round;
}

/**
 * How long a SIGTERMed consumer-group member may take to drain and exit. KafkaJS leaves the group
 * only once a join in progress completes, and the coordinator holds a join until every member has
 * rejoined or the rebalance timeout (30 s) passes; a member SIGKILLed moments before still counts
 * until its session expires. So a correct drain can take over 30 s in the kill and storm tests.
 */
export const DRAIN_BOUND_MS = 45_000;

/**
 * The last `n` lines a service logged that are not KafkaJS's own (its connection retries crowd out
 * the rest during an outage): what the service did, for a failing test's message.
 */
export function recentOf(service: ServiceProcess, n = 20): string {
  const own = service.lines().filter((l) => l['component'] !== 'kafkajs');
  return `--- ${service.name}, last ${n} own lines:\n${own
    .slice(-n)
    .map((l) => JSON.stringify(l).slice(0, 400))
    .join('\n')}`;
}

/** The warnings and errors each service logged (last `n`), for a failing test's message. */
export function problemsOf(services: readonly ServiceProcess[], n = 8): string {
  return services
    .map((s) => {
      const bad = s
        .lines()
        .filter((l) => (l.level ?? 0) >= 40)
        .slice(-n);
      const exit = s.child.exitCode === null ? 'running' : `exited ${s.child.exitCode}`;
      return `--- ${s.name} (pid ${s.pid}, ${exit}):\n${bad.map((l) => JSON.stringify(l).slice(0, 600)).join('\n')}\n${s.stderr().slice(-1_000)}`;
    })
    .join('\n');
}
