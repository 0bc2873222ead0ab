import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { createInterface } from 'node:readline';

import { TOPICS } from '@onlinetime/events';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { kafkaBrokers, mysqlUrl, uniqueId } from './helpers/infra.js';
import {
  expectedStates,
  generateStream,
  kafkaBus,
  publishSessions,
  totalsMismatches,
  waitForTotals,
} from './sessions-helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/sessions-worker-child.mjs', import.meta.url));
const KILLS = 8;

interface Line {
  readonly event: string;
  readonly applied?: number;
}

interface Child {
  readonly process: ChildProcess;
  readonly lines: Line[];
  /** Resolves with the first line matching `test` (rejects if the process exits first). */
  next(test: (line: Line) => boolean, timeoutMs: number): Promise<Line>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

const children = new Set<ChildProcess>();

function spawnWorker(groupId: string): Child {
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      MYSQL_URL: mysqlUrl(),
      GROUP_ID: groupId,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const lines: Line[] = [];
  const waiters = new Set<{ test: (line: Line) => boolean; resolve: (line: Line) => void }>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4_000)));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const w of waiters) {
      if (!w.test(line)) continue;
      waiters.delete(w);
      w.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => (children.delete(child), resolve(code))),
  );
  return {
    process: child,
    lines,
    exited,
    stderr: () => stderr,
    next(test, timeoutMs) {
      const found = lines.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`child: no matching line in ${timeoutMs} ms; stderr: ${stderr}`)),
          timeoutMs,
        );
        const waiter = { test, resolve: (line: Line) => (clearTimeout(timer), resolve(line)) };
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.delete(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`child exited (${code}) early; stderr: ${stderr}`));
        });
      });
    },
  };
}

let store: Store;

beforeAll(async () => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 4 });
  const bus = kafkaBus(uniqueId('setup'));
  await bus.ensureTopics([{ topic: TOPICS.sessions, partitions: 4, retentionMs: -1 }]);
  await bus.stop();
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
});

afterAll(async () => {
  await store.close();
});

describe('sessions worker killed at random points', () => {
  it('ends with totals exact to the millisecond after repeated SIGKILLs and restarts', async () => {
    const p = uniqueId('kill');
    const seed = randomInt(1, 2 ** 31);
    const stream = generateStream({
      prefix: p,
      users: 300,
      sessionsPerUser: 12,
      seed,
      edgeId: `${p}e`,
      bootId: 'b',
    });
    const expected = expectedStates(stream);
    // Most of the stream is there from the start; the rest arrives while workers run and die.
    const head = Math.floor(stream.length * 0.8);
    const tail = stream.slice(head);
    const slices = Array.from({ length: KILLS + 1 }, (_, i) =>
      tail.slice(
        Math.floor((i * tail.length) / (KILLS + 1)),
        Math.floor(((i + 1) * tail.length) / (KILLS + 1)),
      ),
    );
    const groupId = uniqueId('g');
    const publisher = kafkaBus(uniqueId('pub'));
    const killedAfter: number[] = [];
    const behindAtKill: number[] = [];
    let published = head;
    try {
      await publishSessions(publisher, stream.slice(0, head));
      for (let round = 0; round < KILLS; round++) {
        const child = spawnWorker(groupId);
        await child.next((l) => l.event === 'assignment', 60_000);
        await publishSessions(publisher, slices[round] ?? []);
        published += slices[round]?.length ?? 0;
        // Kill point: after a random number of applied batches (0: inside the first transactions),
        // plus a random delay; batches are small, so most kills land in the middle of the work.
        const batches = randomInt(0, 12);
        let seen = 0;
        await Promise.race([
          child.next((l) => l.event === 'batch' && (l.applied ?? 0) > 0 && ++seen >= batches, 60_000),
          delay(batches === 0 ? 0 : 5_000),
        ]);
        await delay(randomInt(0, 250));
        child.process.kill('SIGKILL');
        await child.exited;
        killedAfter.push(child.lines.filter((l) => l.event === 'batch' && (l.applied ?? 0) > 0).length);
        behindAtKill.push((await totalsMismatches(store, expectedStates(stream.slice(0, published)))).length);
      }
      // Kills hit workers with work still ahead of them (how many depends on the machine's speed).
      expect(behindAtKill.filter((n) => n > 0).length).toBeGreaterThanOrEqual(1);
      const last = spawnWorker(groupId);
      await publishSessions(publisher, slices[KILLS] ?? []);
      await waitForTotals(store, expected, 90_000);
      last.process.kill('SIGTERM');
      expect(await last.exited).toBe(0);
    } catch (err) {
      const where = `seed ${seed}, batches before each kill ${JSON.stringify(killedAfter)}, users behind ${JSON.stringify(behindAtKill)}`;
      throw new Error(`${where}: ${(err as Error).message}`);
    } finally {
      await publisher.stop();
    }
    const open = [...expected.values()].flatMap((s) => s.open.map((o) => o.sessionId)).sort();
    expect((await store.accounting.openSessionsOfBoot(`${p}e`, 'b')).map((s) => s.sessionId).sort()).toEqual(
      open,
    );
    // Every finished (or tombstoned) session has exactly one log row.
    const logged = (
      await Promise.all([...expected.keys()].map((jid) => store.accounting.sessionLog(jid, 1_000)))
    ).flat();
    const finishedIds = new Set(
      stream.filter((e) => e.type === 'session.stopped').map((e) => e.payload.sessionId),
    );
    expect(new Set(logged.map((s) => s.sessionId))).toEqual(finishedIds);
    expect(logged.length).toBe(finishedIds.size);
    console.log(
      JSON.stringify({
        seed,
        events: stream.length,
        users: expected.size,
        batchesBeforeKill: killedAfter,
        behindAtKill,
      }),
    );
  }, 300_000);
});
