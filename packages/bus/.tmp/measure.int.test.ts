import { createKafkaBus } from '@onlinetime/bus';
import { createLogger } from '@onlinetime/logging';
import { it } from 'vitest';

it('measure', async () => {
  const logger = createLogger({ name: 'measure', level: 'warn' });
  const bus = createKafkaBus({ brokers: ['127.0.0.1:19092'], clientId: 'measure', logger });
  const topic = `measure.${Date.now()}`;
  await bus.ensureTopics([{ topic, partitions: 4, retentionMs: -1 }]);
  const N = 500_000;
  const value = (i: number) => Buffer.from(JSON.stringify({ id: `e${i}`, type: 'session.started', version: 1, at: Date.now(), source: 'edge-1', payload: { sessionId: `s${i}`, jid: `user${i % 5000}@example.org/res`, edgeId: 'edge-1', bootId: 'b1' } }));
  let t = Date.now();
  const calls = [];
  for (let i = 0; i < N; i += 1000) {
    calls.push(bus.publish(topic, Array.from({ length: 1000 }, (_, j) => ({ key: `user${(i + j) % 5000}@example.org`, value: value(i + j) }))));
    if (calls.length >= 50) { await Promise.all(calls); calls.length = 0; }
  }
  await Promise.all(calls);
  console.log(`publish ${N} in ${Date.now() - t} ms => ${Math.round(N / ((Date.now() - t) / 1000))}/s`);
  t = Date.now();
  let parsed = 0;
  const r = await bus.readLog({ topic, handleBatch: async (b) => { for (const m of b.messages) { JSON.parse(m.value!.toString()); parsed++; } } });
  console.log(`readLog ${r.messages} (${parsed}) in ${Date.now() - t} ms => ${Math.round(r.messages / ((Date.now() - t) / 1000))}/s`);
  await bus.stop();
}, 600_000);
