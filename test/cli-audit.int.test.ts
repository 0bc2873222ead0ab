import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { createReplayAccumulator, onlineMs, type UserState } from '@onlinetime/accounting';
import { waitFor } from '@onlinetime/bus/testing';
import { TOPICS, type SessionsEvent } from '@onlinetime/events';
import { createMysqlStore, readRecordedOffsets, type Store } from '@onlinetime/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { jsonOf, runCli, scratchDatabase, type ScratchDatabase } from './cli-helpers.js';
import { kafkaBrokers, uniqueId } from './helpers/infra.js';
import {
  T0,
  expectedStates,
  generateStream,
  kafkaBus,
  publishSessions,
  waitForTotals,
} from './sessions-helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/sessions-worker-child.mjs', import.meta.url));

interface AuditJson {
  readonly status: 'ok' | 'differences' | 'refused' | 'window';
  readonly usersChecked: number;
  readonly usersDiffering: number;
  readonly differences: Array<{
    jid: string;
    fields: string[];
    live: { totalMs: number; onlineSince: number | null; balanceMs: number | null } | null;
    log: { totalMs: number; onlineSince: number | null; balanceMs: number | null } | null;
  }>;
  readonly watermarks: Array<{ partition: number; low: string; high: string }>;
  readonly users: Array<{ jid: string; ms: number; minutes: number; onlineAtEnd: boolean }>;
}

/** A sessions worker process (test/fixtures/sessions-worker-child.mjs) on the scratch database. */
interface Worker {
  readonly process: ChildProcess;
  /** Resolves at the first stdout line (JSON) that `test` accepts. */
  line(test: (line: { event: string; applied?: number }) => boolean): Promise<void>;
  readonly exited: Promise<number | null>;
}

const workers = new Set<ChildProcess>();
let db: ScratchDatabase;
let store: Store;
const groupId = uniqueId('audit-group');
const prefix = uniqueId('au');
const events: SessionsEvent[] = generateStream({
  prefix,
  users: 60,
  sessionsPerUser: 25,
  seed: 4242,
  edgeId: `${prefix}e`,
  bootId: 'b',
});
const expected = expectedStates(events);

function startWorker(): Worker {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      MYSQL_URL: db.url,
      GROUP_ID: groupId,
      MAX_BYTES_PER_PARTITION: '16384',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const lines: Array<{ event: string; applied?: number }> = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(JSON.parse(text) as { event: string });
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => (workers.delete(child), resolve(code))),
  );
  return {
    process: child,
    exited,
    line: (test) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!lines.some(test)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
        void exited.then((code) =>
          waiters.has(check) ? reject(new Error(`worker exited (${code}): ${stderr}`)) : undefined,
        );
      }),
  };
}

async function stopWorker(worker: Worker): Promise<void> {
  worker.process.kill('SIGTERM');
  expect(await worker.exited).toBe(0);
}

/** Until the worker recorded, in the scratch database, every offset of xmpp.sessions up to its end. */
async function waitUntilCaughtUp(): Promise<void> {
  const bus = kafkaBus(uniqueId('audit-marks'));
  try {
    const [topic] = await bus.describeTopics([TOPICS.sessions]);
    await waitFor(
      'the worker to reach the end of xmpp.sessions',
      async () => {
        const recorded = await readRecordedOffsets(db.url, groupId, TOPICS.sessions);
        return (topic?.partitions ?? []).every(
          (p) => p.high === p.low || recorded.get(p.partition) === p.high,
        );
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
  } finally {
    await bus.stop();
  }
}

const audit = (...args: string[]) =>
  runCli(['audit', ...args], { env: { MYSQL_URL: db.url, SESSIONS_GROUP_ID: groupId }, timeoutMs: 120_000 });

beforeAll(async () => {
  db = await scratchDatabase('audit');
  store = createMysqlStore({ url: db.url, poolSize: 2 });
});

afterEach(() => {
  for (const child of workers) child.kill('SIGKILL');
});

afterAll(async () => {
  await store?.close();
  await db?.drop();
});

describe('onlinetime audit and rebuild', () => {
  it('when the worker was killed and restarted mid-stream, then the audit finds no difference (exit 0)', async () => {
    const publisher = kafkaBus(uniqueId('audit-pub'));
    try {
      await publishSessions(publisher, events);
    } finally {
      await publisher.stop();
    }
    const first = startWorker();
    await first.line((l) => l.event === 'batch' && (l.applied ?? 0) > 0);
    first.process.kill('SIGKILL');
    await first.exited;
    const second = startWorker();
    await waitForTotals(store, expected, 90_000);
    await waitUntilCaughtUp();
    await stopWorker(second);

    const result = await audit('--json');
    expect(result.stderr).toContain('audit: read');
    const report = jsonOf<AuditJson>(result);
    expect(report.usersDiffering).toBe(0);
    expect(report.usersChecked).toBeGreaterThanOrEqual(expected.size);
    expect(result.code).toBe(0);
    const text = await audit();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^users differing: 0$/m);
  }, 300_000);

  it('when one row was tampered with, then the audit reports exactly that user with both values and exits 1', async () => {
    const [victim, state] = [...expected].find(([, s]) => s.totalMs > 0) as [string, UserState];
    await store.accounting.inPartitionTransaction(
      { groupId: `${groupId}-tamper`, topic: 'tamper', partition: 0 },
      async (tx) => {
        const live = (await tx.loadUsers([victim])).get(victim) as UserState;
        await tx.save({
          users: [{ ...live, totalMs: live.totalMs + 61_000 }],
          opened: [],
          finished: [],
          nextOffset: '1',
        });
      },
    );
    const result = await audit('--json');
    expect(result.code).toBe(1);
    const report = jsonOf<AuditJson>(result);
    expect(report.usersDiffering).toBe(1);
    expect(report.differences).toEqual([
      {
        jid: victim,
        fields: ['totalMs'],
        live: { totalMs: state.totalMs + 61_000, onlineSince: state.onlineSince, balanceMs: state.balanceMs },
        log: { totalMs: state.totalMs, onlineSince: state.onlineSince, balanceMs: state.balanceMs },
      },
    ]);
    const text = await audit();
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^users differing: 1$/m);
    expect(text.stdout).toContain(
      `  ${victim}: total_ms live=${state.totalMs + 61_000} log=${state.totalMs} *`,
    );
  }, 120_000);

  it('when a worker is running, then rebuild refuses; stopped, rebuild --force restores the tables and the offsets', async () => {
    const running = startWorker();
    await running.line((l) => l.event === 'assignment');
    const refused = await runCli(['rebuild'], { env: { MYSQL_URL: db.url, SESSIONS_GROUP_ID: groupId } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/stop the sessions workers|stop them/);
    await stopWorker(running);

    const rebuilt = await runCli(['rebuild', '--force', '--json'], {
      env: { MYSQL_URL: db.url, SESSIONS_GROUP_ID: groupId },
      timeoutMs: 120_000,
    });
    expect(rebuilt.stderr).toContain('rebuild: read');
    expect(rebuilt.code).toBe(0);
    const summary = jsonOf<{
      status: string;
      watermarks: Array<{ partition: number; high: string }>;
      users: number;
    }>(rebuilt);
    expect(summary.status).toBe('swapped');
    await waitForTotals(store, expected, 5_000);
    const recorded = await readRecordedOffsets(db.url, groupId, TOPICS.sessions);
    expect(Object.fromEntries(recorded)).toEqual(
      Object.fromEntries(summary.watermarks.map((m) => [m.partition, m.high])),
    );
    // The tamperer's offsets (another group) survive the swap.
    expect((await readRecordedOffsets(db.url, `${groupId}-tamper`, 'tamper')).get(0)).toBe('1');
    const after = await audit('--json');
    expect(jsonOf<AuditJson>(after).usersDiffering).toBe(0);
    expect(after.code).toBe(0);
  }, 240_000);

  it('when the worker is behind the log, then the audit refuses unless --allow-lag, and passes once it caught up', async () => {
    const late = generateStream({
      prefix: `${prefix}late`,
      users: 5,
      sessionsPerUser: 4,
      seed: 7,
      edgeId: `${prefix}e2`,
      bootId: 'b',
    });
    const publisher = kafkaBus(uniqueId('audit-pub'));
    try {
      await publishSessions(publisher, late);
    } finally {
      await publisher.stop();
    }
    const refused = await audit('--wait', '0');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused: the sessions worker has not applied the log up to its end');
    const lagging = await audit('--wait', '0', '--allow-lag', '--json');
    expect(lagging.code).toBe(1);
    const lateUsers = [...expectedStates(late).entries()].filter(
      ([, s]) => s.totalMs > 0 || s.onlineSince !== null || s.balanceMs !== null,
    );
    expect(
      jsonOf<AuditJson>(lagging)
        .differences.map((d) => d.jid)
        .sort(),
    ).toEqual(lateUsers.map(([jid]) => jid).sort());

    const worker = startWorker();
    try {
      const caughtUp = await audit('--wait', '90', '--json');
      expect(jsonOf<AuditJson>(caughtUp).usersDiffering).toBe(0);
      expect(caughtUp.code).toBe(0);
    } finally {
      await stopWorker(worker);
    }
  }, 240_000);

  it('when --from/--to give a window, then each user’s recomputed time over that window is reported', async () => {
    const from = T0 + 600_000;
    const to = T0 + 3_600_000;
    const acc = createReplayAccumulator();
    for (const e of events) if (e.at >= from && e.at < to) acc.apply(e);
    const result = await audit('--from', new Date(from).toISOString(), '--to', String(to), '--json');
    expect(result.code).toBe(0);
    const report = jsonOf<AuditJson>(result);
    expect(report.status).toBe('window');
    const mine = report.users.filter((u) => u.jid.startsWith(prefix) && !u.jid.startsWith(`${prefix}late`));
    const want = [...acc.users.values()].map((s) => ({
      jid: s.jid,
      ms: onlineMs(s, to),
      minutes: Math.floor(onlineMs(s, to) / 60_000),
      onlineAtEnd: s.onlineSince !== null,
    }));
    expect(mine).toEqual(want.sort((a, b) => (a.jid < b.jid ? -1 : 1)));
    const bad = await audit('--from', 'yesterday');
    expect(bad.code).toBe(2);
    const reversed = await audit('--from', String(to), '--to', String(from));
    expect(reversed.code).toBe(2);
  }, 120_000);
});
