#!/usr/bin/env node
/**
 * Responder benchmark, without the edge: this process plays the edge (publishes iq.request events to
 * a fresh IQ topic, reads iq.reply events from its reply topic) and runs one responder in process, on
 * real Kafka and MySQL. Reports the publish→reply latency at an offered rate, then the throughput
 * when a backlog is drained. The whole-system figures (through the edge) are xmpp-load's.
 *
 *   npx tsc -b services/responder && npx tsc -p bench/tsconfig.json   (or the lead's build)
 *   KAFKA_BROKERS=127.0.0.1:19092 MYSQL_URL=mysql://root@127.0.0.1:3306/onlinetime \
 *     node bench/dist/responder.js --rate 1000 --seconds 10 --kind mix --users 1000 --backlog 20000 \
 *       --partitions 4 --concurrency 4
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import { emptyUserState } from '@onlinetime/accounting';
import { createKafkaBus } from '@onlinetime/bus';
import { createEvent, decodeEventOfTypes, edgeTopic, encodeEvent, iqKey } from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import { createMetrics } from '@onlinetime/metrics';
import { createResponder } from '@onlinetime/responder';
import { createMysqlStore } from '@onlinetime/store';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    kind: { type: 'string', default: 'mix' },
    users: { type: 'string', default: '1000' },
    backlog: { type: 'string', default: '20000' },
    partitions: { type: 'string', default: '4' },
    /** Partition batches the responder handles at once (the bus's partitionsConsumedConcurrently). */
    concurrency: { type: 'string', default: '4' },
  },
});
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const USERS = Number(args.users);
const BACKLOG = Number(args.backlog);
const KIND = args.kind as 'vcard' | 'onlinetime' | 'mix';
const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter((b) => b !== '');
const mysqlUrl = process.env['MYSQL_URL'] ?? '';
if (brokers.length === 0 || mysqlUrl === '')
  throw new Error('set KAFKA_BROKERS and MYSQL_URL (a migrated database)');

const run = randomBytes(4).toString('hex');
const DOMAIN = 'bench.example';
const jidOf = (i: number): string => `u${i}-${run}@${DOMAIN}`;
const logger = createLogger({ name: 'bench-responder', level: 'warn' });
const kafka = (name: string, concurrency = 1) =>
  createKafkaBus({
    brokers,
    clientId: `bench-${name}-${run}`,
    logger,
    consumer: { maxWaitTimeInMs: 20, partitionsConsumedConcurrently: concurrency },
  });
/** Two clients, as in production: the edge's (this process's load) and the responder's. */
const bus = kafka('edge');
const responderBus = kafka('responder', Number(args.concurrency));
const store = createMysqlStore({ url: mysqlUrl, logger });
const edgeId = `bench-${run}`;
const iqTopic = `bench.iq.${run}`;
const metrics = createMetrics({ defaultMetrics: false });
const sent = new Map<string, number>();
const latencies: number[] = [];
let received = 0;

function request(seq: number): { key: string; value: Buffer } {
  const from = `${jidOf(seq % USERS)}/r`;
  const to = jidOf((seq * 7919) % USERS);
  const vcard = KIND === 'vcard' || (KIND === 'mix' && seq % 2 === 0);
  const child = vcard ? `<vCard xmlns='vcard-temp'/>` : `<query xmlns='youbao:xmpp:onlinetime'/>`;
  const sessionId = `s${seq}`;
  const stanza = `<iq type='get' id='q${seq}' to='${to}' from='${from}'>${child}</iq>`;
  const payload = { edgeId, sessionId, from, to, id: `q${seq}`, type: 'get' as const, stanza };
  sent.set(sessionId, performance.now());
  return { key: iqKey(from), value: encodeEvent(createEvent('iq.request', payload, { source: edgeId })) };
}

async function waitForReplies(total: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (received < total) {
    if (Date.now() > deadline) throw new Error(`only ${received} of ${total} replies after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

async function seed(): Promise<void> {
  const vcard = (i: number): string =>
    `<vCard xmlns="vcard-temp"><FN>User ${i}</FN><NICKNAME>u${i}</NICKNAME><EMAIL><INTERNET/><USERID>u${i}@${DOMAIN}</USERID></EMAIL></vCard>`;
  for (let i = 0; i < USERS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, USERS - i) }, (_, k) => store.vcards.put(jidOf(i + k), vcard(i + k))),
    );
  }
  const users = Array.from({ length: USERS }, (_, i) => ({
    ...emptyUserState(jidOf(i)),
    totalMs: i * 60_000,
  }));
  await store.accounting.inPartitionTransaction(
    { groupId: `bench-${run}`, topic: 'bench', partition: 0 },
    (tx) => tx.save({ users, opened: [], finished: [], nextOffset: '1' }),
  );
}

async function main(): Promise<void> {
  await bus.ensureTopics([
    { topic: iqTopic, partitions: Number(args.partitions), retentionMs: 3600_000 },
    { topic: edgeTopic(edgeId), partitions: 1, retentionMs: 3600_000 },
  ]);
  await seed();
  const responder = createResponder({
    bus: responderBus,
    store,
    logger,
    metrics,
    config: { domains: [DOMAIN], iqTopic, groupId: `bench-responder-${run}` },
  });
  const collector = await bus.subscribe({
    groupId: `bench-edge-${run}`,
    topics: [edgeTopic(edgeId)],
    handleBatch: async (batch) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const { sessionId } = decodeEventOfTypes(m.value, ['iq.reply']).payload;
        const at = sent.get(sessionId);
        if (at !== undefined) latencies.push(now - at);
        received += 1;
      }
    },
  });
  await responder.start();
  await Promise.all([responder.ready(), collector.ready]);

  let seq = 0;
  await bus.publish(
    iqTopic,
    Array.from({ length: 200 }, () => request(seq++)),
  ); // warm-up
  await waitForReplies(seq, 30_000);
  latencies.length = 0;

  // Paced: one publish every 10 ms carrying RATE/100 requests.
  const perTick = Math.max(1, Math.round(RATE / 100));
  const ticks = SECONDS * 100;
  const began = performance.now();
  for (let t = 0; t < ticks; t++) {
    const due = began + t * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    void bus.publish(
      iqTopic,
      Array.from({ length: perTick }, () => request(seq++)),
    );
  }
  await waitForReplies(seq, 60_000);
  const paced = [...latencies].sort((a, b) => a - b);
  const pacedRate = paced.length / ((performance.now() - began) / 1000);

  // Backlog: BACKLOG requests at once; throughput = requests / time to the last reply.
  const before = seq;
  const drainStart = performance.now();
  for (let i = 0; i < BACKLOG; i += 5000) {
    await bus.publish(
      iqTopic,
      Array.from({ length: Math.min(5000, BACKLOG - i) }, () => request(seq++)),
    );
  }
  await waitForReplies(seq, 300_000);
  const drainSeconds = (performance.now() - drainStart) / 1000;

  const result = {
    bench: 'responder',
    kind: KIND,
    partitions: Number(args.partitions),
    concurrency: Number(args.concurrency),
    offeredRate: RATE,
    seconds: SECONDS,
    replies: paced.length,
    achievedRate: Math.round(pacedRate),
    p50ms: Number(quantile(paced, 0.5).toFixed(2)),
    p99ms: Number(quantile(paced, 0.99).toFixed(2)),
    maxms: Number((paced[paced.length - 1] ?? 0).toFixed(2)),
    backlog: seq - before,
    backlogIqPerSecond: Math.round((seq - before) / drainSeconds),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (process.env['BENCH_METRICS'] === '1') process.stderr.write(await metrics.render());
  await responder.stop();
  await collector.stop();
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await bus.stop();
    await responderBus.stop();
    await store.close();
  });
