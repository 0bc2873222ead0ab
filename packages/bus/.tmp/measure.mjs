import { createKafkaBus } from '../dist/index.js';
import { createLogger } from '../../logging/dist/index.js';

const mode = process.argv[2] ?? 'both';
const logger = createLogger({ name: 'measure', level: 'warn' });
const bus = createKafkaBus({ brokers: ['127.0.0.1:19092'], clientId: 'measure', logger });
const N = Number(process.argv[3] ?? 300000);
let topic = process.argv[4];
const value = (i) => Buffer.from(JSON.stringify({ id: `e${i}`, type: 'session.started', version: 1, at: Date.now(), source: 'edge-1', payload: { sessionId: `s${i}`, jid: `user${i % 5000}@example.org/res`, edgeId: 'edge-1', bootId: 'b1' } }));
if (!topic) {
  topic = `measure.${Date.now()}`;
  await bus.ensureTopics([{ topic, partitions: 4, retentionMs: -1 }]);
  let t = Date.now();
  const calls = [];
  for (let i = 0; i < N; i += 1000) {
    calls.push(bus.publish(topic, Array.from({ length: 1000 }, (_, j) => ({ key: `user${(i + j) % 5000}@example.org`, value: value(i + j) }))));
    if (calls.length >= 50) { await Promise.all(calls); calls.length = 0; }
  }
  await Promise.all(calls);
  console.log(topic, `publish ${N} in ${Date.now() - t} ms => ${Math.round(N / ((Date.now() - t) / 1000))}/s`);
}
if (mode !== 'publish') {
  const t = Date.now();
  let first = 0;
  const r = await bus.readLog({ topic, handleBatch: async (b) => { if (!first) first = Date.now(); } });
  const end = Date.now();
  console.log(`readLog ${r.messages} in ${end - t} ms (first batch after ${first - t} ms) => ${Math.round(r.messages / ((end - first) / 1000))}/s after first`);
}
await bus.stop();
