#!/usr/bin/env node
/**
 * Audit replay benchmark: events/s of `onlinetime audit` replaying xmpp.sessions, on real Kafka.
 * Produces N session events (default 1,000,000: starts and stops of many users with overlapping
 * resources) to a fresh copy of xmpp.sessions, then runs the compiled CLI over it as an operator would
 * (`onlinetime audit --topic <copy> --from 0 --json`: the whole log, window mode, so no live table is
 * involved) and reads its own rate line from stderr. Checks the recomputed totals against the replay
 * rules. Prints one JSON object; target (issue 6): at least 200,000 events/s.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json
 *   KAFKA_BROKERS=127.0.0.1:19092 MYSQL_URL=mysql://root@127.0.0.1:3306/onlinetime_bench \
 *     node bench/dist/audit.js --events 1000000 --users 20000 --partitions 4 [--topic <existing copy>]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { createReplayAccumulator, type ReplayAccumulator } from '@onlinetime/accounting';
import { createKafkaBus } from '@onlinetime/bus';
import { createEvent, encodeEvent, sessionsKey, type SessionsEvent } from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import { createDatabaseIfMissing } from '@onlinetime/store';

const T0 = 1_700_000_000_000;
const CLI = fileURLToPath(new URL('../../services/cli/bin/onlinetime.js', import.meta.url));

/** Round-robin over users: each user alternates start/stop of two resources that overlap. */
function* sessionEvents(total: number, users: number, run: string): Generator<SessionsEvent> {
  for (let i = 0; i < total; i++) {
    const user = i % users;
    const step = Math.floor(i / users);
    const cycle = Math.floor(step / 4);
    const phase = step % 4;
    const resource = phase === 0 || phase === 2 ? 'a' : 'b';
    const base = {
      sessionId: `${run}-${user}-${cycle}-${resource}`,
      jid: `u${user}-${run}@bench.example/${resource}`,
      edgeId: 'bench-edge',
      bootId: run,
    };
    const at = T0 + step * 30_000 + (user % 1000);
    yield phase < 2
      ? createEvent('session.started', { ...base, ip: '10.0.0.1' }, { source: 'bench', at })
      : createEvent('session.stopped', { ...base, reason: 'closed' }, { source: 'bench', at });
  }
}

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** user + system CPU seconds of the CLI process (GNU time), null when /usr/bin/time is missing. */
  readonly cpuSeconds: number | null;
}

const GNU_TIME = '/usr/bin/time';

function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // On a shared machine wall time says little: GNU time adds the CLI's own CPU seconds.
    const timed = existsSync(GNU_TIME);
    const [command, commandArgs] = timed
      ? [GNU_TIME, ['-f', 'cpu-seconds %U %S', process.execPath, CLI, ...args]]
      : [process.execPath, [CLI, ...args]];
    const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      const cpu = /cpu-seconds ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
      resolve({
        code,
        stdout,
        stderr,
        seconds: (performance.now() - started) / 1000,
        cpuSeconds: cpu === null ? null : Number(cpu[1]) + Number(cpu[2]),
      });
    });
  });
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<Record<string, unknown>> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string', default: '1000000' },
      users: { type: 'string', default: '20000' },
      partitions: { type: 'string', default: '4' },
      topic: { type: 'string' },
    },
  });
  const EVENTS = Number(args.events);
  const USERS = Number(args.users);
  const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter((b) => b !== '');
  const mysqlUrl = process.env['MYSQL_URL'] ?? '';
  if (brokers.length === 0 || mysqlUrl === '') throw new Error('set KAFKA_BROKERS and MYSQL_URL');
  await createDatabaseIfMissing(mysqlUrl);

  const run = randomBytes(4).toString('hex');
  const expected: ReplayAccumulator = createReplayAccumulator();
  let topic = args.topic;
  let produceSeconds = 0;
  if (topic === undefined) {
    topic = `bench.audit.${run}`;
    const logger = createLogger({ name: 'bench-audit', level: 'warn' });
    const bus = createKafkaBus({ brokers, clientId: `bench-audit-${run}`, logger, kafkaLogLevel: 'error' });
    try {
      // Kept an hour: the broker drops the copy by itself; pass --topic to replay it again meanwhile.
      await bus.ensureTopics([{ topic, partitions: Number(args.partitions), retentionMs: 3600_000 }]);
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
      produceSeconds = (performance.now() - produceStart) / 1000;
    } finally {
      await bus.stop();
    }
  }

  const audit = await runCli(['audit', '--topic', topic, '--from', '0', '--json'], {
    ...process.env,
    LOG_LEVEL: 'warn',
  });
  if (audit.code !== 0) throw new Error(`audit exited ${audit.code}: ${audit.stderr}`);
  // "audit: read 1,000,000 events in 4.2s (238,095 events/s)": the replay alone, as the CLI measured it.
  const rate = /audit: read ([\d,]+) events in ([\d.:]+)s? \(([\d,]+) events\/s\)/.exec(audit.stderr);
  const report = JSON.parse(audit.stdout) as {
    events: number;
    users: Array<{ jid: string; ms: number; onlineAtEnd: boolean }>;
  };
  let mismatches = 0;
  if (args.topic === undefined) {
    if (report.users.length !== expected.users.size)
      mismatches += Math.abs(report.users.length - expected.users.size);
    for (const u of report.users) {
      const want = expected.users.get(u.jid);
      if (want === undefined || (!u.onlineAtEnd && want.totalMs !== u.ms)) mismatches += 1;
    }
  }
  const replayed = rate === null ? report.events : Number((rate[1] ?? '0').replaceAll(',', ''));
  return {
    benchmark: 'audit-replay',
    topic,
    events: replayed,
    users: report.users.length,
    partitions: Number(args.partitions),
    // The CLI's replay threads (AUDIT_THREADS; 0 or unset = one per CPU).
    auditThreads: Number(process.env['AUDIT_THREADS'] ?? 0) || availableParallelism(),
    produceSeconds: Number(produceSeconds.toFixed(2)),
    replayEventsPerSecond: rate === null ? null : Number((rate[3] ?? '0').replaceAll(',', '')),
    replaySeconds: rate === null ? null : rate[2],
    cliWallSeconds: Number(audit.seconds.toFixed(2)),
    cliCpuSeconds: audit.cpuSeconds,
    eventsPerCpuSecond: audit.cpuSeconds === null ? null : Math.round(replayed / audit.cpuSeconds),
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    endToEndEventsPerSecond: Math.round(replayed / audit.seconds),
    usersChecked: args.topic === undefined ? report.users.length : 0,
    mismatches,
  };
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
