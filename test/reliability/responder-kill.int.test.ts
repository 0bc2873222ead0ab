/**
 * Issue 8: responders SIGKILLed in the middle of their batches while real clients (@xmpp/client)
 * keep sending IQs through an edge. Every IQ gets exactly one answer at the client: the result, or
 * the edge's wait-type timeout error when the replacement took longer than IQ_TIMEOUT_MS; never
 * silence, never two. Replies the restarted responder published a second time (its batch was
 * redelivered after the kill) are counted on the edge's reply topic: the edge drops them.
 */
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

import { createKafkaBus } from '@onlinetime/bus';
import { waitFor } from '@onlinetime/bus/testing';
import { edgeTopic } from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { xml, type XmppClient } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { kafkaBrokers, mysqlUrl, uniqueId } from '../helpers/infra.js';
import {
  metricValue,
  scrape,
  startService,
  stopAllServices,
  type ServiceProcess,
} from '../helpers/processes.js';
import { connectClient } from '../helpers/xmpp-client.js';
import { collectEvents } from '../helpers/xmpp-edge.js';
import { budget, size } from './soak.js';
import { createUsers, edgeEnv, waitReady } from './support.js';

const CLIENTS = size(10, 40);
const KILLS = size(2, 10);
const IQ_TIMEOUT_MS = 20_000;

let store: Store;
const clients: XmppClient[] = [];

beforeAll(() => {
  store = createMysqlStore({ url: mysqlUrl(), poolSize: 4 });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop().catch(() => undefined);
  await stopAllServices();
});

afterAll(async () => {
  await store?.close();
});

interface Tally {
  sent: number;
  answers: Map<string, Element[]>;
}

/** IQ n of a client: own vCard get, online-time query, or vCard set (NICKNAME = n). */
function request(n: number, id: string): ReturnType<typeof xml> {
  if (n % 3 === 0) return xml('iq', { type: 'get', id }, xml('vCard', { xmlns: 'vcard-temp' }));
  if (n % 3 === 1) return xml('iq', { type: 'get', id }, xml('query', { xmlns: 'youbao:xmpp:onlinetime' }));
  return xml('iq', { type: 'set', id }, xml('vCard', { xmlns: 'vcard-temp' }, xml('NICKNAME', {}, `n${n}`)));
}

describe('responders SIGKILLed mid-batch', () => {
  it(
    `answers every IQ exactly once (result or timeout) across ${KILLS} responder kills`,
    async () => {
      const p = uniqueId('rk');
      const edgeId = `${p}-edge`;
      const locals = await createUsers(store, `${p}u`, CLIENTS, 'pw');
      const [edge, first] = await Promise.all([
        startService('edge', { env: edgeEnv(edgeId, { IQ_TIMEOUT_MS: String(IQ_TIMEOUT_MS) }) }),
        startService('responder', { name: 'responder-0' }),
      ]);
      await waitReady([edge, first]);
      const bus = createKafkaBus({
        brokers: kafkaBrokers(),
        clientId: uniqueId('c'),
        logger: createLogger({ name: 't', level: 'error' }),
      });
      const replies = await collectEvents(bus, [edgeTopic(edgeId)]);
      const tally: Tally = { sent: 0, answers: new Map() };
      for (const local of locals) {
        const { xmpp } = await connectClient({
          port: edge.xmppPort,
          username: local,
          password: 'pw',
          resource: 'r',
        });
        clients.push(xmpp);
        xmpp.on('stanza', (s) => {
          if (s.name !== 'iq' || typeof s.attrs.id !== 'string') return;
          tally.answers.set(s.attrs.id, [...(tally.answers.get(s.attrs.id) ?? []), s]);
        });
      }
      let sending = true;
      const lastSet = new Map<number, number>();
      const senders = clients.map(async (c, k) => {
        for (let n = 0; sending; n++) {
          await c.send(request(n, `${k}.${n}`));
          tally.sent++;
          if (n % 3 === 2) lastSet.set(k, n);
          await delay(randomInt(400, 600));
        }
      });
      const kills: Array<{ answeredBefore: number }> = [];
      let current: ServiceProcess = first;
      try {
        for (let i = 0; i < KILLS; i++) {
          // Kill while the responder is answering: its IQ counter moves between two scrapes.
          const answered = async (): Promise<number> =>
            metricValue((await scrape(current.metricsPort)).body, 'onlinetime_responder_iq_total');
          const before = await answered();
          await waitFor('the responder answering', async () => (await answered()) > before + 20, {
            timeoutMs: 60_000,
          });
          await delay(randomInt(0, 200));
          kills.push({ answeredBefore: await answered() });
          await current.kill();
          current = await startService('responder', { name: `responder-${i + 1}` });
        }
        await waitFor(
          'the last responder answering',
          async () =>
            metricValue((await scrape(current.metricsPort)).body, 'onlinetime_responder_iq_total') > 0,
          {
            timeoutMs: 60_000,
          },
        );
      } finally {
        sending = false;
        await Promise.all(senders);
      }
      // Every IQ sent gets its answer within the edge's timeout (plus scheduling slack).
      await waitFor('an answer to every IQ', () => tally.answers.size === tally.sent, {
        timeoutMs: IQ_TIMEOUT_MS + 20_000,
      }).catch(() => undefined);
      const missing = tally.sent - tally.answers.size;
      const doubled = [...tally.answers.values()].filter((a) => a.length > 1);
      const errors = [...tally.answers.values()].flat().filter((s) => s.attrs.type === 'error');
      const timeouts = errors.filter(
        (s) =>
          s.getChild('error')?.attrs.type === 'wait' &&
          s.getChild('error')?.getChild('remote-server-timeout') !== undefined,
      );
      const republished = countRepeats(
        replies.events.map((e) => e.event.payload as { sessionId: string; stanza: string }),
      );
      await replies.stop();
      await bus.stop();
      const figures = {
        case: 'responder-kill',
        clients: CLIENTS,
        kills: kills.length,
        iqs: tally.sent,
        timeouts: timeouts.length,
        repliesPublishedTwice: republished,
      };
      console.log(JSON.stringify(figures));
      expect(missing, JSON.stringify(figures)).toBe(0);
      expect(doubled.map((a) => a.map(String))).toEqual([]);
      expect(errors.map(String)).toEqual(timeouts.map(String));

      // Sets are applied in order across the kills: each user's vCard holds its last set.
      for (const [k, n] of lastSet) {
        const reply = await (clients[k] as XmppClient).iqCaller.request(
          xml('iq', { type: 'get', id: `final${k}` }, xml('vCard', { xmlns: 'vcard-temp' })),
          30_000,
        );
        expect(reply.getChild('vCard')?.getChildText('NICKNAME')).toBe(`n${n}`);
      }
    },
    budget(240_000, 1_200_000),
  );
});

/** Replies published more than once for the same IQ (same session, same stanza id). */
function countRepeats(payloads: ReadonlyArray<{ sessionId: string; stanza: string }>): number {
  const seen = new Map<string, number>();
  for (const p of payloads) {
    const id = /\sid="([^"]*)"/.exec(p.stanza)?.[1] ?? '';
    const key = `${p.sessionId} ${id}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()].filter((n) => n > 1).length;
}
