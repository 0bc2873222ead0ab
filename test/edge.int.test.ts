import { createKafkaBus, type KafkaBus } from '@onlinetime/bus';
import type { Edge } from '@onlinetime/edge';
import {
  TOPICS,
  createEvent,
  edgeTopic,
  encodeEvent,
  type EventType,
  type OnlinetimeEvent,
  type PayloadOf,
} from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { xml, type XmppClient } from '@xmpp/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { kafkaBrokers, mysqlUrl, uniqueId } from './helpers/infra.js';
import { connectClient } from './helpers/xmpp-client.js';
import { addTestUser, collectEvents, startTestEdge, type EventCollector } from './helpers/xmpp-edge.js';

let bus: KafkaBus;
let store: Store;
let collector: EventCollector;
let plain: { edge: Edge; port: number };
let secure: { edge: Edge; port: number };
const alice = uniqueId('alice');
const bob = uniqueId('bob');
const clients: XmppClient[] = [];

function ofType<T extends EventType>(type: T, match: (p: PayloadOf<T>) => boolean) {
  return (e: { event: OnlinetimeEvent }): boolean =>
    e.event.type === type && match(e.event.payload as PayloadOf<T>);
}

function destroySocket(xmpp: XmppClient): void {
  const socket = xmpp.socket as unknown as { socket?: { destroy(): void } | null; destroy(): void } | null;
  (socket?.socket ?? socket)?.destroy();
}

beforeAll(async () => {
  const logger = createLogger({ name: 'edge-it', level: 'error' });
  bus = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: uniqueId('edge-it'),
    logger,
    kafkaLogLevel: 'error',
    consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 },
  });
  store = createMysqlStore({ url: mysqlUrl() });
  await addTestUser(store.users, alice, 'alice-pw');
  await addTestUser(store.users, bob, 'bob-pw');
  collector = await collectEvents(bus, [TOPICS.sessions, TOPICS.edges, TOPICS.iq]);
  plain = await startTestEdge(bus, store.users, { XMPP_STARTTLS: 'false', IQ_TIMEOUT_MS: '1500' });
  secure = await startTestEdge(bus, store.users, { XMPP_ALLOW_PLAINTEXT: 'false' });
  process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0'; // the secure edge's certificate is self-signed
});

afterAll(async () => {
  delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
  for (const xmpp of clients) destroySocket(xmpp);
  await plain?.edge.stop();
  await secure?.edge.stop();
  await collector?.stop();
  await bus?.stop();
  await store?.close();
});

describe('edge with a real client library, Kafka and MySQL', () => {
  it('announces itself on xmpp.edges: edge.started then heartbeats, keyed by edge id', async () => {
    const { edge } = plain;
    const started = await collector.find(
      'edge.started',
      ofType('edge.started', (p) => p.edgeId === edge.edgeId),
    );
    expect(started.key).toBe(edge.edgeId);
    expect(started.event.payload).toEqual({ edgeId: edge.edgeId, bootId: edge.bootId(), sessions: 0 });
    const beat = await collector.find(
      'heartbeat',
      ofType('edge.heartbeat', (p) => p.edgeId === edge.edgeId),
    );
    expect(beat.event.payload).toMatchObject({ bootId: edge.bootId() });
  });

  it('SCRAM-SHA-1 without TLS: binds, pings, session.started/stopped (closed) with keys and times', async () => {
    const before = Date.now();
    const { xmpp, jid, mechanisms } = await connectClient({
      port: plain.port,
      username: alice,
      password: 'alice-pw',
      resource: 'scram',
    });
    expect(jid).toBe(`${alice}@localhost/scram`);
    expect(mechanisms).toContain('SCRAM-SHA-1');
    expect(mechanisms).not.toContain('PLAIN');
    const pong = await xmpp.iqCaller.request(
      xml('iq', { type: 'get', to: 'localhost' }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
    );
    expect(pong.attrs.type).toBe('result');
    const started = await collector.find(
      'session.started',
      ofType('session.started', (p) => p.jid === jid),
    );
    const after = Date.now();
    expect(started.topic).toBe(TOPICS.sessions);
    expect(started.key).toBe(`${alice}@localhost`);
    expect(started.event.source).toBe(plain.edge.edgeId);
    expect(started.event.payload).toMatchObject({
      edgeId: plain.edge.edgeId,
      bootId: plain.edge.bootId(),
      ip: '127.0.0.1',
    });
    expect(started.event.at).toBeGreaterThanOrEqual(before);
    expect(started.event.at).toBeLessThanOrEqual(after);
    if (started.event.type !== 'session.started') return;
    const { sessionId } = started.event.payload;
    await xmpp.stop();
    const stopped = await collector.find(
      'session.stopped',
      ofType('session.stopped', (p) => p.sessionId === sessionId),
    );
    expect(stopped.key).toBe(`${alice}@localhost`);
    expect(stopped.event.payload).toMatchObject({ jid, reason: 'closed', bootId: plain.edge.bootId() });
    expect(stopped.event.at).toBeGreaterThanOrEqual(started.event.at);
    expect(stopped.event.at).toBeLessThanOrEqual(Date.now());
  });

  it('PLAIN over STARTTLS (required, self-signed), pings; a destroyed socket still ends the session', async () => {
    const { xmpp, jid, mechanisms } = await connectClient({
      port: secure.port,
      username: bob,
      password: 'bob-pw',
      resource: 'tls',
      mechanism: 'PLAIN',
    });
    clients.push(xmpp);
    expect(mechanisms).toContain('PLAIN');
    const pong = await xmpp.iqCaller.request(
      xml('iq', { type: 'get' }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
    );
    expect(pong.attrs.type).toBe('result');
    const started = await collector.find(
      'session.started',
      ofType('session.started', (p) => p.jid === jid),
    );
    if (started.event.type !== 'session.started') return;
    const { sessionId } = started.event.payload;
    destroySocket(xmpp);
    const stopped = await collector.find(
      'session.stopped',
      ofType('session.stopped', (p) => p.sessionId === sessionId),
    );
    expect(stopped.event.payload).toMatchObject({ jid, edgeId: secure.edge.edgeId, reason: 'error' });
  });

  it('publishes responder IQs with the stamped from, delivers the reply, and times out an unanswered one', async () => {
    const { xmpp, jid } = await connectClient({
      port: plain.port,
      username: alice,
      password: 'alice-pw',
      resource: 'iq',
    });
    clients.push(xmpp);
    const id = uniqueId('q');
    const asked = xmpp.iqCaller.request(
      xml(
        'iq',
        { type: 'get', id, to: `${bob}@localhost`, from: 'mallory@localhost/forged' },
        xml('query', { xmlns: 'youbao:xmpp:onlinetime' }),
      ),
    );
    const request = await collector.find(
      'iq.request',
      ofType('iq.request', (p) => p.id === id),
    );
    expect(request.key).toBe(`${alice}@localhost`);
    if (request.event.type !== 'iq.request') return;
    const { payload } = request.event;
    expect(payload).toMatchObject({
      edgeId: plain.edge.edgeId,
      from: jid,
      to: `${bob}@localhost`,
      type: 'get',
      id,
    });
    expect(payload.stanza).toContain(`from="${jid}"`);
    expect(payload.stanza).not.toContain('mallory');
    const stanza = `<iq type='result' id='${id}' from='${bob}@localhost'><query xmlns='youbao:xmpp:onlinetime'><onlinetime>42</onlinetime></query></iq>`;
    const reply = createEvent(
      'iq.reply',
      { sessionId: payload.sessionId, stanza },
      { source: 'test-responder' },
    );
    await bus.publish(edgeTopic(plain.edge.edgeId), [{ key: payload.sessionId, value: encodeEvent(reply) }]);
    const answer = await asked;
    expect(answer.attrs).toMatchObject({ type: 'result', id, to: jid });
    expect(answer.getChild('query', 'youbao:xmpp:onlinetime')?.getChildText('onlinetime')).toBe('42');

    const started = Date.now();
    const error = await xmpp.iqCaller.get(xml('vCard', { xmlns: 'vcard-temp' }), `${bob}@localhost`).then(
      () => null,
      (err: { condition?: string; type?: string }) => err,
    );
    expect(error).toMatchObject({ condition: 'remote-server-timeout', type: 'wait' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  });

  it('answers ping, disco and roster itself and refuses other IQs and messages', async () => {
    const { xmpp } = await connectClient({
      port: plain.port,
      username: bob,
      password: 'bob-pw',
      resource: 'disco',
    });
    clients.push(xmpp);
    const info = await xmpp.iqCaller.get(
      xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
      'localhost',
    );
    const features = info.getChildren('feature').map((f) => f.attrs.var as string);
    expect(features).toEqual(
      expect.arrayContaining([
        'urn:xmpp:ping',
        'vcard-temp',
        'jabber:iq:last',
        'youbao:xmpp:onlinetime',
        'guoguo:xmpp:onlinetime',
      ]),
    );
    const roster = await xmpp.iqCaller.get(xml('query', { xmlns: 'jabber:iq:roster' }));
    expect(roster.children).toEqual([]);
    const refused = await xmpp.iqCaller
      .get(xml('query', { xmlns: 'jabber:iq:private' }))
      .catch((err: { condition: string }) => err);
    expect(refused).toMatchObject({ condition: 'service-unavailable' });
    const remote = await xmpp.iqCaller
      .get(xml('ping', { xmlns: 'urn:xmpp:ping' }), 'example.org')
      .catch((err: { condition: string }) => err);
    expect(remote).toMatchObject({ condition: 'remote-server-not-found' });
  });

  it('stops gracefully: <system-shutdown/>, session.stopped (shutdown), edge.stopped', async () => {
    const own = await startTestEdge(bus, store.users, { XMPP_STARTTLS: 'false' });
    const { xmpp, jid } = await connectClient({
      port: own.port,
      username: alice,
      password: 'alice-pw',
      resource: 'bye',
    });
    clients.push(xmpp);
    const errors: string[] = [];
    xmpp.on('error', (err) => errors.push(err.condition ?? err.message));
    await collector.find(
      'session.started',
      ofType('session.started', (p) => p.jid === jid),
    );
    await own.edge.stop('test');
    const stopped = await collector.find(
      'session.stopped',
      ofType('session.stopped', (p) => p.jid === jid),
    );
    expect(stopped.event.payload).toMatchObject({ reason: 'shutdown', bootId: own.edge.bootId() });
    const edgeStopped = await collector.find(
      'edge.stopped',
      ofType('edge.stopped', (p) => p.edgeId === own.edge.edgeId),
    );
    expect(edgeStopped.event.at).toBeGreaterThanOrEqual(stopped.event.at);
    expect(errors).toContain('system-shutdown');
  });
});
