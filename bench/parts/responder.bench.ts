#!/usr/bin/env node
/**
 * The responder's work per IQ without Kafka or MySQL: answerBatch over batches of encoded
 * iq.request events (decode, parse, route, one lookup per kind on an in-memory store, handler,
 * serialise), and the router's plan() alone. `node bench/dist/parts/responder.bench.js`
 */
import { createEvent, encodeEvent } from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import { answerBatch, createHandlers, createRouter, type AnswerBatchDeps } from '@onlinetime/responder';
import { parseElement } from '@onlinetime/stanza';
import { createMemoryStore } from '@onlinetime/store';

import { measure, printResults, type PartResult } from './measure.js';

const USERS = 1000;
const BATCH = 100;
const VCARD = `<vCard xmlns='vcard-temp'><FN>Bench User</FN><NICKNAME>bench</NICKNAME><DESC>vCard for benchmarks</DESC></vCard>`;

function requests(
  kind: 'vcard' | 'onlinetime',
  n: number,
): Array<{
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  timestamp: number;
}> {
  return Array.from({ length: n }, (_, i) => {
    const to = `bench${1 + ((i * 7919) % USERS)}@localhost`;
    const payload =
      kind === 'vcard' ? `<vCard xmlns='vcard-temp'/>` : `<query xmlns='youbao:xmpp:onlinetime'/>`;
    const event = createEvent(
      'iq.request',
      {
        edgeId: 'bench-edge',
        sessionId: `s${i}`,
        from: 'bench1@localhost/r1',
        to,
        id: `q${i}`,
        type: 'get',
        stanza: `<iq type='get' id='q${i}' to='${to}'>${payload}</iq>`,
      },
      { source: 'bench-edge' },
    );
    return {
      topic: 'xmpp.iq',
      partition: 0,
      offset: String(i),
      key: 'bench1@localhost',
      value: encodeEvent(event),
      timestamp: Date.now(),
    };
  });
}

async function main(): Promise<void> {
  const logger = createLogger({ name: 'bench', level: 'silent' });
  const store = createMemoryStore();
  for (let i = 1; i <= USERS; i += 1) await store.vcards.put(`bench${i}@localhost`, VCARD);
  const router = createRouter({
    handlers: createHandlers({ vcardMaxBytes: 64 * 1024 }),
    domains: ['localhost'],
    logger,
  });
  const metrics: AnswerBatchDeps['metrics'] = { iq() {}, invalid() {}, batch() {}, dropped() {} };
  const deps = (): AnswerBatchDeps => ({
    router,
    store,
    logger,
    metrics,
    now: Date.now(),
    startedAt: 0,
    stanzaLimits: { maxBytes: 70 * 1024, maxDepth: 32 },
  });
  const results: PartResult[] = [];
  for (const kind of ['vcard', 'onlinetime'] as const) {
    const batch = requests(kind, BATCH);
    results.push(
      await measure(
        'responder',
        `answerBatch: ${BATCH} ${kind} gets (memory store)`,
        () => answerBatch(batch, deps()),
        { opsPerCall: BATCH, unit: 'IQ/s' },
      ),
    );
  }
  const iq = parseElement(`<iq type='get' id='q1' to='bench5@localhost'><vCard xmlns='vcard-temp'/></iq>`);
  results.push(
    await measure(
      'responder',
      'router.plan: vCard get (parsed)',
      () => router.plan({ id: 'q1', from: 'bench1@localhost/r1', to: 'bench5@localhost', type: 'get', iq }),
      { unit: 'IQ/s' },
    ),
  );
  printResults(results);
}

void main();
