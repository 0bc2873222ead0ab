/**
 * Issue 8: a rebalance storm. While a sustained load is published, `onlinetime sessions` processes
 * join and leave the group every 1-3 s (a new one started, or one stopped with SIGTERM, which drains
 * and leaves; between one and four members at a time), so partitions keep moving between members in
 * the middle of their batches. The totals end exact.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { mysqlUrl, uniqueId } from '../helpers/infra.js';
import { startService, stopAllServices, type ServiceProcess } from '../helpers/processes.js';
import { expectedStates, generateStream, kafkaBus, waitForTotals } from '../sessions-helpers.js';
import { budget, size } from './soak.js';
import { DRAIN_BOUND_MS, publishPaced, recentOf, repeatUntil } from './support.js';

const USERS = size(300, 2_000);
const LOAD_SECONDS = size(20, 180);
const MAX_MEMBERS = 4;

let store: Store;

beforeAll(() => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 2 });
});

afterEach(async () => {
  await stopAllServices();
});

afterAll(async () => {
  await store?.close();
});

describe('rebalance storm', () => {
  it(
    `ends with exact totals while workers join and leave every 1-3 s for ${LOAD_SECONDS} s`,
    async () => {
      const seed = randomInt(1, 2 ** 31);
      const p = uniqueId('rb');
      const stream = generateStream({
        prefix: p,
        users: USERS,
        sessionsPerUser: 10,
        seed,
        edgeId: `${p}e`,
        bootId: 'b',
      });
      const bus = kafkaBus(uniqueId('pub'));
      const live: ServiceProcess[] = [await startService('sessions', { name: 'sessions-0' })];
      const changes = { joined: 1, left: 0, exitCodes: [] as Array<number | null> };
      const undrained: string[] = [];
      let n = 1;
      try {
        const load = publishPaced(bus, stream, LOAD_SECONDS, 1_000);
        await repeatUntil(load, async () => {
          await delay(randomInt(1_000, 3_000));
          const join = live.length === 1 || (live.length < MAX_MEMBERS && randomInt(0, 2) === 0);
          if (join) {
            live.push(await startService('sessions', { name: `sessions-${n++}` }));
            changes.joined++;
          } else {
            const leaving = live.splice(randomInt(0, live.length), 1)[0] as ServiceProcess;
            // Not awaited: the next change may come while this one is still draining.
            void leaving.stop(DRAIN_BOUND_MS).then((code) => {
              changes.exitCodes.push(code);
              if (code !== 0) undrained.push(recentOf(leaving));
            });
            changes.left++;
          }
        });
        await waitForTotals(store, expectedStates(stream), 120_000);
        await stopAllServices();
      } catch (err) {
        throw new Error(`seed ${seed}, ${JSON.stringify(changes)}: ${(err as Error).message}`);
      } finally {
        await bus.stop();
      }
      expect(changes.joined + changes.left).toBeGreaterThanOrEqual(size(6, 60));
      // Every member that left drained and exited 0.
      expect(
        changes.exitCodes.every((c) => c === 0),
        undrained.join('\n'),
      ).toBe(true);
      console.log(
        JSON.stringify({
          case: 'rebalance-storm',
          seed,
          users: USERS,
          events: stream.length,
          loadSeconds: LOAD_SECONDS,
          ...changes,
        }),
      );
    },
    budget(240_000, 1_200_000),
  );
});
