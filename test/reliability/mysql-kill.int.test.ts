/**
 * Issue 8: MySQL connections killed under load. Two `onlinetime sessions` processes apply a sustained
 * load while every connection to the test database is KILLed again and again (the shared server keeps
 * running; only this run's database's connections are hit). The workers pause and resume (they stay
 * up and ready), failed batches are redelivered, and the totals end exact.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { mysqlUrl, uniqueId } from '../helpers/infra.js';
import { metricValue, startService, stopAllServices } from '../helpers/processes.js';
import { expectedStates, generateStream, kafkaBus, waitForTotals } from '../sessions-helpers.js';
import { killConnectionsOf } from './mysql-admin.js';
import { budget, size } from './soak.js';
import { publishPaced, repeatUntil, scrapeAll, waitReady } from './support.js';

const USERS = size(300, 2_000);
const LOAD_SECONDS = size(15, 180);

let store: Store | undefined;

afterEach(async () => {
  await stopAllServices();
});

afterAll(async () => {
  await store?.close();
});

describe('MySQL connections killed under load', () => {
  it(
    `pauses, resumes and ends with exact totals while connections are killed for ${LOAD_SECONDS} s`,
    async () => {
      const seed = randomInt(1, 2 ** 31);
      const p = uniqueId('mk');
      const stream = generateStream({
        prefix: p,
        users: USERS,
        sessionsPerUser: 10,
        seed,
        edgeId: `${p}e`,
        bootId: 'b',
      });
      const workers = await Promise.all(
        [1, 2].map((i) => startService('sessions', { name: `sessions-${i}` })),
      );
      await waitReady(workers);
      const bus = kafkaBus(uniqueId('pub'));
      const rounds: number[] = [];
      try {
        const load = publishPaced(bus, stream, LOAD_SECONDS, 1_000);
        await repeatUntil(load, async () => {
          // Often enough that kills also land on connections in the middle of a batch.
          await delay(randomInt(50, 400));
          rounds.push(await killConnectionsOf(mysqlUrl()));
        });
        // One more round after the last event was published, while the workers apply it.
        await delay(200);
        rounds.push(await killConnectionsOf(mysqlUrl()));
        // The store of this test connects only now: its connections are not the ones killed above.
        store = createMysqlStore({ url: mysqlUrl(), poolSize: 2 });
        await waitForTotals(store, expectedStates(stream), 120_000);
      } catch (err) {
        throw new Error(
          `seed ${seed}, connections killed per round ${JSON.stringify(rounds)}: ${(err as Error).message}`,
        );
      } finally {
        await bus.stop();
      }
      const texts = await scrapeAll(workers);
      const failures = texts.reduce(
        (n, t) => n + metricValue(t, 'onlinetime_sessions_store_failures_total'),
        0,
      );
      // The workers survived every kill (still running, still ready, exact totals). Whether a kill also
      // landed inside a batch (failures > 0) depends on timing; it is reported, not required: the
      // killed pool connections alone must be replaced without losing or doubling anything.
      await waitReady(workers, 30_000);
      expect(rounds.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      for (const w of workers) expect(await w.stop()).toBe(0);
      console.log(
        JSON.stringify({
          case: 'mysql-kill',
          seed,
          users: USERS,
          events: stream.length,
          loadSeconds: LOAD_SECONDS,
          killRounds: rounds.length,
          connectionsKilled: rounds.reduce((a, b) => a + b, 0),
          failedBatchesRedelivered: failures,
        }),
      );
    },
    budget(180_000, 1_200_000),
  );
});
