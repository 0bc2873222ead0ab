/**
 * Issue 8: `onlinetime sessions` processes SIGKILLed again and again while a sustained load of
 * session events is published; at the end every user's total_ms, online_since, last login/logout and
 * balance are exactly what the replay of the published events gives, and every finished session has
 * exactly one log row.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import { TOPICS } from '@onlinetime/events';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { mysqlUrl, uniqueId } from '../helpers/infra.js';
import {
  metricValue,
  scrape,
  startService,
  stopAllServices,
  type ServiceProcess,
} from '../helpers/processes.js';
import { expectedStates, generateStream, kafkaBus, waitForTotals } from '../sessions-helpers.js';
import { budget, size } from './soak.js';
import { DRAIN_BOUND_MS, publishPaced, recentOf, repeatUntil } from './support.js';

const USERS = size(300, 2_000);
const SESSIONS_PER_USER = size(10, 20);
const LOAD_SECONDS = size(20, 180);
const MIN_KILLS = size(5, 40);

let store: Store;

beforeAll(async () => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 2 });
  const bus = kafkaBus(uniqueId('setup'));
  await bus.ensureTopics([{ topic: TOPICS.sessions, partitions: 4, retentionMs: -1 }]);
  await bus.stop();
});

afterEach(async () => {
  await stopAllServices();
});

afterAll(async () => {
  await store?.close();
});

const consumedBy = (s: ServiceProcess): Promise<number> =>
  scrape(s.metricsPort)
    .then((r) => metricValue(r.body, 'onlinetime_sessions_events_consumed_total'))
    .catch(() => -1);

/** A worker whose consumed counter moves within `timeoutMs`, or undefined. */
async function busyOne(
  workers: readonly ServiceProcess[],
  timeoutMs: number,
): Promise<ServiceProcess | undefined> {
  const before = await Promise.all(workers.map(consumedBy));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await delay(200);
    const now = await Promise.all(workers.map(consumedBy));
    const i = now.findIndex((v, k) => v > (before[k] ?? 0));
    if (i >= 0) return workers[i];
  }
  return undefined;
}

describe('sessions workers SIGKILLed under load', () => {
  it(
    `ends with exact totals after at least ${MIN_KILLS} SIGKILLs during ${LOAD_SECONDS} s of load`,
    async () => {
      const seed = randomInt(1, 2 ** 31);
      const p = uniqueId('sk');
      const stream = generateStream({
        prefix: p,
        users: USERS,
        sessionsPerUser: SESSIONS_PER_USER,
        seed,
        edgeId: `${p}e`,
        bootId: 'b',
      });
      const bus = kafkaBus(uniqueId('pub'));
      const kills: Array<{ afterMs: number; consumed: number }> = [];
      const started = Date.now();
      try {
        // Two workers at a time: a new one joins, then one that is applying events right now (its
        // consumed counter moves) is killed a random 0-300 ms later, in the middle of its work.
        const live: ServiceProcess[] = [await startService('sessions', { name: 'sessions-0' })];
        const load = publishPaced(bus, stream, LOAD_SECONDS, 1_000);
        let n = 1;
        const rounds = async (): Promise<void> => {
          live.push(await startService('sessions', { name: `sessions-${n++}` }));
          const victim = (await busyOne(live, 15_000)) ?? (live[randomInt(0, live.length)] as ServiceProcess);
          live.splice(live.indexOf(victim), 1);
          await delay(randomInt(0, 300));
          const consumed = await consumedBy(victim);
          await victim.kill();
          kills.push({ afterMs: Date.now() - started, consumed });
        };
        await repeatUntil(load, rounds);
        while (kills.length < MIN_KILLS) await rounds();
        await waitForTotals(store, expectedStates(stream), 120_000);
        for (const s of live) {
          const code = await s.stop(DRAIN_BOUND_MS);
          if (code !== 0) throw new Error(`${s.name} exited ${code} after SIGTERM, not 0\n${recentOf(s)}`);
        }
      } catch (err) {
        throw new Error(`seed ${seed}, kills ${JSON.stringify(kills)}: ${(err as Error).message}`);
      } finally {
        await bus.stop();
      }
      expect(kills.length).toBeGreaterThanOrEqual(MIN_KILLS);
      // Kills landed on workers that were applying events, not only on idle ones.
      expect(kills.filter((k) => k.consumed > 0).length).toBeGreaterThan(0);

      // Exactly once: every finished (or tombstoned) session has one log row.
      const expected = expectedStates(stream);
      const logged = (
        await Promise.all([...expected.keys()].map((jid) => store.accounting.sessionLog(jid, 10_000)))
      ).flat();
      const finished = new Set(
        stream.filter((e) => e.type === 'session.stopped').map((e) => e.payload.sessionId),
      );
      expect(new Set(logged.map((s) => s.sessionId))).toEqual(finished);
      expect(logged.length).toBe(finished.size);
      console.log(
        JSON.stringify({
          case: 'sessions-sigkill',
          seed,
          users: USERS,
          events: stream.length,
          loadSeconds: LOAD_SECONDS,
          kills: kills.length,
          killsOfBusyWorkers: kills.filter((k) => k.consumed > 0).length,
          durationMs: Date.now() - started,
        }),
      );
    },
    budget(240_000, 1_200_000),
  );
});
