#!/usr/bin/env node
/**
 * Sessions worker benchmark: session events aggregated into MySQL per second, by ONE worker, on real
 * Kafka and MySQL. Produces N session events (starts and stops of many users, with overlapping
 * resources) to a fresh copy of xmpp.sessions, then runs one worker over it from the beginning and
 * times it until every partition's offset recorded in MySQL reaches the end. Checks every user's
 * totals against the replay rules afterwards. Prints one JSON object.
 *
 *   npx tsc -b services/sessions && npx tsc -p bench/tsconfig.json   (or the lead's build)
 *   KAFKA_BROKERS=127.0.0.1:19092 MYSQL_URL=mysql://root@127.0.0.1:3306/onlinetime_bench \
 *     node bench/dist/sessions-worker.js --events 500000 --users 20000 --partitions 4
 *
 * Also reports the worker process's CPU per event over the apply phase, and MariaDB's with
 * MYSQLD_PID=<pid of the server on MYSQL_URL's port> (a shared server: other clients' work counts
 * too; mysqldOwnCpuUsPerEvent counts only the threads of this run's connections). With
 * BENCH_APPLY_PROFILE=<file.cpuprofile> it writes a V8 CPU profile of the apply phase only.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { createReplayAccumulator } from '@onlinetime/accounting';
import { createKafkaBus } from '@onlinetime/bus';
import { createEvent, encodeEvent, sessionsKey, type SessionsEvent } from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import { createSessionsWorker } from '@onlinetime/sessions';
import {
  createDatabaseIfMissing,
  createMysqlStore,
  migrate,
  type AccountingRepository,
  type AccountingTransaction,
} from '@onlinetime/store';
// Bench only: the store has no query for the server's own thread ids (PROCESSLIST.TID).
// eslint-disable-next-line no-restricted-imports
import { createConnection, type RowDataPacket } from 'mysql2/promise';

const T0 = 1_700_000_000_000;

/** Round-robin over users: each user alternates start/stop of two resources that overlap. */
function* sessionEvents(total: number, users: number, run: string): Generator<SessionsEvent> {
  for (let i = 0; i < total; i++) {
    const user = i % users;
    const step = Math.floor(i / users); // this user's step: 0 start A, 1 start B, 2 stop A, 3 stop B, ...
    const cycle = Math.floor(step / 4);
    const phase = step % 4;
    const resource = phase === 0 || phase === 2 ? 'a' : 'b';
    const sessionId = `${run}-${user}-${cycle}-${resource}`;
    const jid = `u${user}-${run}@bench.example/${resource}`;
    const at = T0 + step * 30_000 + (user % 1000);
    const base = { sessionId, jid, edgeId: 'bench-edge', bootId: run };
    yield phase < 2
      ? createEvent('session.started', { ...base, ip: '10.0.0.1' }, { source: 'bench', at })
      : createEvent('session.stopped', { ...base, reason: 'closed' }, { source: 'bench', at });
  }
}

type Timing = {
  lockMs: number;
  loadUsersMs: number;
  loadFinishedMs: number;
  saveMs: number;
  commitMs: number;
};

/** The accounting repository with the time spent in each step of its transactions added up. */
function timed(inner: AccountingRepository, t: Timing): AccountingRepository {
  const clock = async <T>(key: keyof Timing, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      t[key] += performance.now() - start;
    }
  };
  return {
    ...inner,
    inPartitionTransaction(key, work) {
      const begun = performance.now();
      let finished = 0;
      return inner
        .inPartitionTransaction(key, (tx) => {
          t.lockMs += performance.now() - begun;
          const wrapped: AccountingTransaction = {
            storedOffset: tx.storedOffset,
            storedWriter: tx.storedWriter,
            loadUsers: (jids) => clock('loadUsersMs', () => tx.loadUsers(jids)),
            loadFinished: (ids) => clock('loadFinishedMs', () => tx.loadFinished(ids)),
            save: (changes) => clock('saveMs', () => tx.save(changes)),
          };
          return work(wrapped).finally(() => (finished = performance.now()));
        })
        .finally(() => (t.commitMs += performance.now() - finished));
    },
  };
}

/** CPU seconds (user + system) of another process from /proc, or null when unreadable. */
function cpuSecondsOf(pid: string | undefined): number | null {
  if (pid === undefined || pid === '') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

/** CPU seconds of every thread of a process, by thread id (empty when unreadable). */
function threadCpuSeconds(pid: string | undefined): Map<string, number> {
  const seconds = new Map<string, number>();
  if (pid === undefined || pid === '') return seconds;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const s = cpuSecondsOf(`${pid}/task/${tid}`);
      if (s !== null) seconds.set(tid, s);
    }
  } catch {
    return seconds;
  }
  return seconds;
}

/**
 * MariaDB's CPU spent on this database's connections only (the server is shared with other work):
 * MariaDB runs a thread per connection and names it in information_schema.PROCESSLIST.TID.
 */
async function ownThreadSeconds(
  url: string,
  pid: string | undefined,
  before: ReadonlyMap<string, number>,
): Promise<number | null> {
  if (pid === undefined || pid === '') return null;
  const conn = await createConnection(url);
  try {
    const database = new URL(url).pathname.slice(1);
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT TID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()',
      [database],
    );
    const now = threadCpuSeconds(pid);
    let total = 0;
    for (const row of rows) {
      const tid = String(row['TID']);
      total += (now.get(tid) ?? 0) - (before.get(tid) ?? 0);
    }
    return total;
  } catch {
    return null;
  } finally {
    await conn.end();
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<Record<string, unknown>> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '500000' },
      users: { type: 'string', default: '20000' },
      partitions: { type: 'string', default: '4' },
      concurrency: { type: 'string', default: '1' },
      'max-bytes': { type: 'string', default: '1048576' },
      // Bytes of one whole fetch over all partitions; default: the worker's.
      'fetch-max-bytes': { type: 'string' },
      // Users kept by the worker's cache of committed states (0: off, to compare); default: the product's.
      'cached-users': { type: 'string' },
    },
  });
  const EVENTS = Number(args.events);
  const USERS = Number(args.users);
  const PARTITIONS = Number(args.partitions);
  const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter((b) => b !== '');
  const mysqlUrl = process.env['MYSQL_URL'] ?? '';
  if (brokers.length === 0 || mysqlUrl === '') throw new Error('set KAFKA_BROKERS and MYSQL_URL');

  const run = randomBytes(4).toString('hex');
  const topic = `bench.sessions.${run}`;
  const logger = createLogger({ name: 'bench-sessions', level: 'warn' });
  await createDatabaseIfMissing(mysqlUrl);
  await migrate({ url: mysqlUrl });
  const bus = createKafkaBus({
    brokers,
    clientId: `bench-sessions-${run}`,
    logger,
    kafkaLogLevel: 'error',
    consumer: {
      maxWaitTimeInMs: 20,
      partitionsConsumedConcurrently: Number(args.concurrency),
      maxBytesPerPartition: Number(args['max-bytes']),
    },
  });
  const store = createMysqlStore({ url: mysqlUrl, logger });
  // Kept an hour: the broker drops the copy by itself.
  await bus.ensureTopics([{ topic, partitions: PARTITIONS, retentionMs: 3600_000 }]);

  const expected = createReplayAccumulator();
  const produceStart = performance.now();
  let batch: Array<{ key: string; value: Buffer }> = [];
  const pending: Array<Promise<void>> = [];
  for (const event of sessionEvents(EVENTS, USERS, run)) {
    expected.apply(event);
    batch.push({ key: sessionsKey(event.payload.jid), value: encodeEvent(event) });
    if (batch.length === 5_000) {
      pending.push(bus.publish(topic, batch));
      batch = [];
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
  }
  pending.push(bus.publish(topic, batch));
  await Promise.all(pending);
  const produceSeconds = (performance.now() - produceStart) / 1000;
  const [description] = await bus.describeTopics([topic]);
  const high = new Map((description?.partitions ?? []).map((p) => [p.partition, BigInt(p.high)]));

  const timing = { lockMs: 0, loadUsersMs: 0, loadFinishedMs: 0, saveMs: 0, commitMs: 0 };
  const worker = createSessionsWorker({
    bus,
    store: timed(store.accounting, timing),
    logger,
    groupId: `bench-${run}`,
    topic,
    ...(args['cached-users'] === undefined ? {} : { maxCachedUsers: Number(args['cached-users']) }),
    ...(args['fetch-max-bytes'] === undefined ? {} : { maxBytesPerFetch: Number(args['fetch-max-bytes']) }),
  });
  const reached = new Map<number, bigint>();
  const batchMs: number[] = [];
  const batchSizes: number[] = [];
  let firstBatchAt = 0;
  let lastBatchAt = 0;
  const done = new Promise<void>((resolve) => {
    worker.on('batch.applied', (e) => {
      const now = performance.now();
      if (firstBatchAt === 0) firstBatchAt = now - e.durationMs;
      lastBatchAt = now;
      batchMs.push(e.durationMs);
      batchSizes.push(e.messages);
      if (e.nextOffset !== null) reached.set(e.partition, BigInt(e.nextOffset));
      if ([...high].every(([p, h]) => (reached.get(p) ?? 0n) >= h)) resolve();
    });
  });
  // MYSQLD_PID=<pid of the local MariaDB>: its CPU time over the run is reported too (shared server:
  // other clients' work counts as well).
  const mysqldPid = process.env['MYSQLD_PID'];
  // BENCH_APPLY_PROFILE=<file.cpuprofile>: a V8 CPU profile of the apply phase only.
  const profileFile = process.env['BENCH_APPLY_PROFILE'];
  const inspector = profileFile === undefined ? null : new Session();
  if (inspector !== null) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  const cpuBefore = process.cpuUsage();
  const mysqldBefore = cpuSecondsOf(mysqldPid);
  const threadsBefore = threadCpuSeconds(mysqldPid);
  const startedAt = performance.now();
  await worker.start();
  await done;
  const cpu = process.cpuUsage(cpuBefore);
  const mysqldAfter = cpuSecondsOf(mysqldPid);
  const ownSeconds = await ownThreadSeconds(mysqlUrl, mysqldPid, threadsBefore);
  if (inspector !== null && profileFile !== undefined) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    inspector.disconnect();
  }
  const applySeconds = (lastBatchAt - firstBatchAt) / 1000;
  const totalSeconds = (lastBatchAt - startedAt) / 1000;
  await worker.stop();

  // Every user's totals against the replay rules.
  const jids = [...expected.users.keys()];
  let mismatches = 0;
  for (let i = 0; i < jids.length; i += 1_000) {
    const chunk = jids.slice(i, i + 1_000);
    const stored = await store.onlineTime.getMany(chunk);
    for (const jid of chunk) {
      const want = expected.users.get(jid);
      const got = stored.get(jid);
      if (want?.totalMs !== got?.totalMs || want?.onlineSince !== got?.onlineSince) mismatches += 1;
    }
  }
  await bus.stop();
  await store.close();
  const sortedMs = [...batchMs].sort((a, b) => a - b);
  const result = {
    benchmark: 'sessions-worker',
    events: EVENTS,
    users: USERS,
    partitions: PARTITIONS,
    partitionsConsumedConcurrently: Number(args.concurrency),
    maxBytesPerPartition: Number(args['max-bytes']),
    maxBytesPerFetch: args['fetch-max-bytes'] ?? 'default',
    cachedUsers: args['cached-users'] ?? 'default',
    produceSeconds: Number(produceSeconds.toFixed(2)),
    produceEventsPerSecond: Math.round(EVENTS / produceSeconds),
    applySeconds: Number(applySeconds.toFixed(2)),
    eventsPerSecond: Math.round(EVENTS / applySeconds),
    secondsIncludingGroupJoin: Number(totalSeconds.toFixed(2)),
    workerCpuUsPerEvent: Number(((cpu.user + cpu.system) / EVENTS).toFixed(1)),
    mysqldCpuUsPerEvent:
      mysqldBefore === null || mysqldAfter === null
        ? null
        : Number((((mysqldAfter - mysqldBefore) * 1e6) / EVENTS).toFixed(1)),
    // The same, counting only the threads of this run's connections (other clients excluded).
    mysqldOwnCpuUsPerEvent: ownSeconds === null ? null : Number(((ownSeconds * 1e6) / EVENTS).toFixed(1)),
    batches: batchMs.length,
    meanBatchMessages: Math.round(batchSizes.reduce((a, b) => a + b, 0) / Math.max(1, batchSizes.length)),
    batchMsP50: Number(quantile(sortedMs, 0.5).toFixed(1)),
    batchMsP95: Number(quantile(sortedMs, 0.95).toFixed(1)),
    storeMsPerBatch: Object.fromEntries(
      Object.entries(timing).map(([k, v]) => [k, Number((v / Math.max(1, batchMs.length)).toFixed(1))]),
    ),
    usersChecked: jids.length,
    mismatches,
  };
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(result['mismatches'] === 0 ? 0 : 1);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
