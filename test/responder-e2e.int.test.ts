/**
 * The spec's exchanges through the whole system: a real client library (@xmpp/client) → edge →
 * Kafka (xmpp.iq) → responder → MySQL → Kafka (xmpp.edge.<id>) → edge → client. Each test sends the
 * spec's request text and compares the whole reply stanza the client received. Online time is
 * written beforehand through the store's accounting transaction (closed sessions in the past), so the
 * minutes are exact with the real clock.
 */
import { createKafkaBus, type KafkaBus } from '@onlinetime/bus';
import { waitFor } from '@onlinetime/bus/testing';
import { createEdge, type Edge } from '@onlinetime/edge';
import { createLogger, LOG_LEVELS, type LogLevel } from '@onlinetime/logging';
import { createMetrics } from '@onlinetime/metrics';
import { createResponder, type Responder } from '@onlinetime/responder';
import { parseElement, type Element } from '@onlinetime/stanza';
import { createMysqlStore, type Store } from '@onlinetime/store';
import type { XmppClient } from '@xmpp/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { kafkaBrokers, mysqlUrl, uniqueId } from './helpers/infra.js';
import { connectClient } from './helpers/xmpp-client.js';
import { addTestUser, edgeTestConfig } from './helpers/xmpp-edge.js';
import { errorOf, MINUTE, recordSessions, session } from './responder-helpers.js';

const level = LOG_LEVELS.find((l): l is LogLevel => l === process.env['LOG_LEVEL']) ?? 'silent';
const logger = createLogger({ name: 'responder-e2e', level });
const DOMAIN = 'youbao.com';
const PAST = Date.UTC(2025, 0, 1);
const run = uniqueId('e');
const local = (name: string): string => `${name}-${run}`;
const bare = (name: string): string => `${local(name)}@${DOMAIN}`;

let bus: KafkaBus;
let store: Store;
let edge: Edge;
let responder: Responder;
let started: { port: number };
const clients = new Map<string, { xmpp: XmppClient; jid: string; received: Element[] }>();

async function login(
  name: string,
  resource: string,
): Promise<{ xmpp: XmppClient; jid: string; received: Element[] }> {
  const { port } = started;
  const { xmpp, jid } = await connectClient({
    port,
    username: local(name),
    password: 'pw',
    resource,
    domain: DOMAIN,
  });
  const received: Element[] = [];
  xmpp.on('stanza', (stanza) => received.push(stanza));
  const c = { xmpp, jid, received };
  clients.set(`${name}/${resource}`, c);
  return c;
}

/** Sends the request text as the client and returns the whole reply stanza it received. */
async function ask(c: { xmpp: XmppClient; received: Element[] }, request: string): Promise<string> {
  const iq = parseElement(request);
  const id = String(iq.attrs.id);
  await c.xmpp.send(iq);
  const mine = (): Element | undefined => c.received.find((s) => s.name === 'iq' && s.attrs.id === id);
  await waitFor(`the reply to ${id}`, () => mine() !== undefined, { timeoutMs: 20_000 });
  return (mine() as Element).toString();
}

beforeAll(async () => {
  bus = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: uniqueId('responder-e2e-'),
    logger,
    consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitTimeInMs: 50 },
  });
  store = createMysqlStore({ url: mysqlUrl(), logger });
  for (const name of ['user1', 'user2', 'user4', 'mallory'])
    await addTestUser(store.users, local(name), 'pw', DOMAIN);
  await recordSessions(store, [
    ...session(`${bare('user1')}/old`, PAST, PAST + 2643 * MINUTE + 1),
    ...session(`${bare('user2')}/old`, PAST, PAST + 3424 * MINUTE + 59_000),
  ]);
  responder = createResponder({
    bus,
    store,
    logger,
    // xmpp.iq is shared by the whole run: a new group starts at its end, not at other tests' IQs.
    config: { domains: [DOMAIN], groupId: uniqueId('responder-e2e-'), fromBeginning: false },
  });
  await responder.start();
  await responder.ready();
  edge = createEdge({
    config: edgeTestConfig({ XMPP_STARTTLS: 'false', XMPP_DOMAINS: DOMAIN, IQ_TIMEOUT_MS: '20000' }),
    bus,
    users: store.users,
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
  });
  started = await edge.start();
});

afterAll(async () => {
  for (const c of clients.values()) await c.xmpp.stop().catch(() => undefined);
  await edge?.stop();
  await responder?.stop();
  await bus?.stop();
  await store?.close();
});

describe('through the edge with @xmpp/client', () => {
  it.each(['youbao:xmpp:onlinetime', 'guoguo:xmpp:onlinetime'])(
    'part 1, examples 1-2 (%s): user2 asks for user1; user1 answers user2 in the same namespace',
    async (ns) => {
      const user2 = clients.get('user2/exmpp') ?? (await login('user2', 'exmpp'));

      const reply = await ask(
        user2,
        `<iq type='get' to='${bare('user1')}' from='${bare('user2')}' id='v1-${ns.slice(0, 5)}'><query xmlns='${ns}'/></iq>`,
      );

      expect(reply).toBe(
        `<iq type="result" id="v1-${ns.slice(0, 5)}" from="${bare('user1')}" to="${user2.jid}"><query xmlns="${ns}"><onlinetime>2643</onlinetime></query></iq>`,
      );
    },
  );

  it('part 2, examples 1-4: own vCard, update, another user vCard, a user without vCard', async () => {
    const user1 = await login('user1', 'resource');
    const user2 = clients.get('user2/exmpp') ?? (await login('user2', 'exmpp'));
    await ask(
      user1,
      `<iq id='pre1' type='set'><vCard xmlns='vcard-temp'><NICKNAME>user1_nickname</NICKNAME></vCard></iq>`,
    );
    await ask(
      user2,
      `<iq id='pre2' type='set'><vCard xmlns='vcard-temp'><NICKNAME>jer</NICKNAME></vCard></iq>`,
    );

    const example1 = await ask(user1, `<iq id='v1' type='get'><vCard xmlns='vcard-temp'/></iq>`);
    const example2 = await ask(
      user1,
      `<iq id='v2' type='set'><vCard xmlns='vcard-temp'><NICKNAME>user1_newnickname</NICKNAME></vCard></iq>`,
    );
    const after = await ask(user1, `<iq id='v2b' type='get'><vCard xmlns='vcard-temp'/></iq>`);
    const example3 = await ask(
      user1,
      `<iq id='v3' to='${bare('user2')}' type='get'><vCard xmlns='vcard-temp'/></iq>`,
    );
    const example4 = await ask(
      user1,
      `<iq id='v4' to='${bare('user4')}' type='get'><vCard xmlns='vcard-temp'/></iq>`,
    );

    expect(example1).toBe(
      `<iq type="result" id="v1" from="${bare('user1')}" to="${user1.jid}"><vCard xmlns="vcard-temp"><NICKNAME>user1_nickname</NICKNAME><YB_ONLINETIME>2643</YB_ONLINETIME></vCard></iq>`,
    );
    expect(example2).toBe(`<iq type="result" id="v2" from="${bare('user1')}" to="${user1.jid}"/>`);
    expect(after).toBe(
      `<iq type="result" id="v2b" from="${bare('user1')}" to="${user1.jid}"><vCard xmlns="vcard-temp"><NICKNAME>user1_newnickname</NICKNAME><YB_ONLINETIME>2643</YB_ONLINETIME></vCard></iq>`,
    );
    expect(example3).toBe(
      `<iq type="result" id="v3" from="${bare('user2')}" to="${user1.jid}"><vCard xmlns="vcard-temp"><NICKNAME>jer</NICKNAME><YB_ONLINETIME>3424</YB_ONLINETIME></vCard></iq>`,
    );
    expect(example4).toBe(`<iq type="result" id="v4" from="${bare('user4')}" to="${user1.jid}"/>`);
  });

  it('forged YB_ONLINETIME and forged from have no effect; online time cannot be set; oversized vCards are refused', async () => {
    const mallory = await login('mallory', 'x');

    const forged = await ask(
      mallory,
      `<iq id='f1' type='set' from='${bare('user4')}/evil'><vCard xmlns='vcard-temp'><FN>m</FN><YB_ONLINETIME>99999</YB_ONLINETIME></vCard></iq>`,
    );
    const own = await ask(mallory, `<iq id='f2' type='get'><vCard xmlns='vcard-temp'/></iq>`);
    const victim = await ask(
      mallory,
      `<iq id='f3' type='get' to='${bare('user4')}'><vCard xmlns='vcard-temp'/></iq>`,
    );
    const setTime = await ask(
      mallory,
      `<iq id='f4' type='set'><query xmlns='youbao:xmpp:onlinetime'><onlinetime>1</onlinetime></query></iq>`,
    );
    const big = await ask(
      mallory,
      `<iq id='f5' type='set'><vCard xmlns='vcard-temp'><DESC>${'x'.repeat(70_000)}</DESC></vCard></iq>`,
    );

    expect(forged).toBe(`<iq type="result" id="f1" from="${bare('mallory')}" to="${mallory.jid}"/>`);
    expect(own).toBe(
      `<iq type="result" id="f2" from="${bare('mallory')}" to="${mallory.jid}"><vCard xmlns="vcard-temp"><FN>m</FN><YB_ONLINETIME>0</YB_ONLINETIME></vCard></iq>`,
    );
    expect(victim).toBe(`<iq type="result" id="f3" from="${bare('user4')}" to="${mallory.jid}"/>`);
    expect(setTime).toBe(
      `<iq type="error" id="f4" from="${bare('mallory')}" to="${mallory.jid}">${errorOf('cancel', 'not-allowed', 'online time is computed by the server')}</iq>`,
    );
    expect(big).toBe(
      `<iq type="error" id="f5" from="${bare('mallory')}" to="${mallory.jid}">${errorOf('modify', 'not-acceptable', 'vCard larger than 65536 bytes')}</iq>`,
    );
  });
});
