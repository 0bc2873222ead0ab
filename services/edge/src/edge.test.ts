import { createEmbeddedBus, type Bus, type EmbeddedBus } from '@onlinetime/bus';
import {
  TOPICS,
  createEvent,
  decodeEvent,
  edgeTopic,
  encodeEvent,
  type OnlinetimeEvent,
} from '@onlinetime/events';
import { createLogger } from '@onlinetime/logging';
import { createMetrics } from '@onlinetime/metrics';
import { createMemoryStore, type Store } from '@onlinetime/store';
import { waitFor } from '@onlinetime/bus/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { RawXmppClient } from '../../../test/helpers/xmpp-raw.js';
import { addTestUser, edgeTestConfig } from '../../../test/helpers/xmpp-edge.js';
import { createEdge, type Edge } from './edge.js';

let bus: EmbeddedBus;
let store: Store;
let edge: Edge | undefined;
let port: number;
const clients: RawXmppClient[] = [];

async function startEdge(env: Record<string, string> = {}, edgeBus: Bus = bus): Promise<Edge> {
  edge = createEdge({
    config: edgeTestConfig({ XMPP_STARTTLS: 'false', IQ_TIMEOUT_MS: '300', ...env }),
    bus: edgeBus,
    users: store.users,
    logger: createLogger({ name: 'edge-test', level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
  });
  ({ port } = await edge.start());
  return edge;
}

async function client(): Promise<RawXmppClient> {
  const c = await RawXmppClient.connect(port);
  clients.push(c);
  return c;
}

async function eventsOn(topic: string): Promise<OnlinetimeEvent[]> {
  const events: OnlinetimeEvent[] = [];
  await bus.readLog({
    topic,
    handleBatch: async (b) => void b.messages.forEach((m) => events.push(decodeEvent(m.value))),
  });
  return events;
}

beforeEach(async () => {
  bus = createEmbeddedBus();
  await bus.ensureTopics([
    { topic: TOPICS.sessions, partitions: 2, retentionMs: -1 },
    { topic: TOPICS.edges, partitions: 1, retentionMs: -1 },
    { topic: TOPICS.iq, partitions: 2, retentionMs: -1 },
  ]);
  store = createMemoryStore();
  await addTestUser(store.users, 'alice', 'secret');
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await edge?.stop();
  edge = undefined;
  await bus.stop();
});

describe('edge (embedded bus, memory store)', () => {
  it('logs in with SCRAM-SHA-1, binds, answers ping and disco, and publishes session events', async () => {
    await startEdge();
    const c = await client();
    expect(await c.openStream()).toContain('<mechanism>SCRAM-SHA-1</mechanism>');
    expect(c.received).not.toContain('<mechanism>PLAIN</mechanism>');
    await c.authenticate('alice', 'secret');
    const jid = await c.bind('phone');
    expect(jid).toBe('alice@localhost/phone');
    c.send("<iq type='get' id='p1' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>");
    expect(await c.expect(/<iq[^>]*id="p1"[^>]*\/>/)).toBe(
      '<iq type="result" id="p1" to="alice@localhost/phone" from="localhost"/>',
    );
    c.send(
      "<iq type='get' id='d1' to='localhost'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
    );
    const disco = await c.expect(/<iq[^>]*id="d1"[\s\S]*?<\/iq>/);
    expect(disco).toContain('<feature var="youbao:xmpp:onlinetime"/>');
    expect(disco).toContain('<feature var="vcard-temp"/>');
    c.send('</stream:stream>');
    await c.expect('</stream:stream>');
    await c.expectClose();
    const sessions = (await eventsOn(TOPICS.sessions)).map((e) => [
      e.type,
      'reason' in e.payload ? e.payload.reason : '',
    ]);
    expect(sessions).toEqual([
      ['session.started', ''],
      ['session.stopped', 'closed'],
    ]);
  });

  it('publishes responder IQs with the stamped from, delivers the reply, times out the rest', async () => {
    const edge = await startEdge();
    const c = await client();
    await c.login('alice', 'secret', 'r1');
    c.send("<iq type='get' id='v1' from='mallory@localhost/x'><vCard xmlns='vcard-temp'/></iq>");
    const published = await new Promise<{ sessionId: string }>((resolve) =>
      edge.events.once('iq.published', resolve),
    );
    const [request] = await eventsOn(TOPICS.iq);
    expect(request?.type).toBe('iq.request');
    if (request?.type !== 'iq.request') return;
    expect(request.payload.from).toBe('alice@localhost/r1');
    // The root's attributes are the edge's; the payload is passed on as the client wrote it.
    expect(request.payload.stanza).toBe(
      `<iq type="get" id="v1" from="alice@localhost/r1"><vCard xmlns='vcard-temp'/></iq>`,
    );
    const reply = createEvent(
      'iq.reply',
      {
        sessionId: published.sessionId,
        stanza: "<iq type='result' id='v1'><vCard xmlns='vcard-temp'><FN>A</FN></vCard></iq>",
      },
      { source: 'responder' },
    );
    await bus.publish(edgeTopic(edge.edgeId), [{ key: published.sessionId, value: encodeEvent(reply) }]);
    // Likewise the reply: its `to` is the session's, the rest is the responder's text.
    expect(await c.expect(/<iq[^>]*id="v1"[\s\S]*?<\/iq>/)).toBe(
      `<iq type="result" id="v1" to="alice@localhost/r1"><vCard xmlns='vcard-temp'><FN>A</FN></vCard></iq>`,
    );
    c.send("<iq type='get' id='t1' to='bob@localhost'><query xmlns='youbao:xmpp:onlinetime'/></iq>");
    expect(await c.expect(/<iq[^>]*id="t1"[\s\S]*?<\/iq>/)).toContain(
      '<error type="wait"><remote-server-timeout xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>',
    );
  });

  it('delivers replies as the responder wrote them, skipping malformed ones and those not IQ results', async () => {
    const edge = await startEdge({ IQ_TIMEOUT_MS: '5000' });
    const c = await client();
    await c.login('alice', 'secret', 'r1');
    const ids = ['a1', 'a2', 'a3', 'a4'];
    const published: Array<{ sessionId: string }> = [];
    edge.events.on('iq.published', (iq) => published.push(iq));
    for (const id of ids) c.send(`<iq type='get' id='${id}'><vCard xmlns='vcard-temp'/></iq>`);
    await waitFor('the four IQs published', () => published.length === ids.length);
    const sessionId = published[0]?.sessionId ?? '';
    const replies = [
      `<iq type="result" id="a1" to="mallory@localhost/x"><vCard xmlns="vcard-temp"/></iq><iq type="result" id="a2"/>`,
      `<iq type="result" id="a2" to="alice@localhost/r1"><vCard xmlns="vcard-temp"><FN>x</FN>`,
      `<message type="result" id="a3"/>`,
      `<iq type="set" id="a4"/>`,
      `<iq type="result" id="a1" to="mallory@localhost/x"><vCard xmlns="vcard-temp"/></iq>`,
      `<iq type='result' id='a2' to='alice@localhost/r1'><vCard xmlns='vcard-temp'><FN>&lt;A&gt;</FN></vCard></iq>`,
    ].map((stanza) => ({
      key: sessionId,
      value: encodeEvent(createEvent('iq.reply', { sessionId, stanza }, { source: 'responder' })),
    }));
    await bus.publish(edgeTopic(edge.edgeId), replies);
    // The `to` is always the session's; a reply that already has it passes byte for byte.
    expect(await c.expect(/<iq[^>]*id="a1"[\s\S]*?<\/iq>/)).toBe(
      '<iq type="result" id="a1" to="alice@localhost/r1"><vCard xmlns="vcard-temp"/></iq>',
    );
    expect(await c.expect(/<iq[^>]*id='a2'[\s\S]*?<\/iq>/)).toBe(
      "<iq type='result' id='a2' to='alice@localhost/r1'><vCard xmlns='vcard-temp'><FN>&lt;A&gt;</FN></vCard></iq>",
    );
    expect(c.received).not.toContain('id="a3"');
    expect(c.received).not.toContain('id="a4"');
    expect(c.received).not.toContain('mallory');
  });

  it('replaces a session bound to the same full JID with <conflict/>', async () => {
    await startEdge();
    const first = await client();
    await first.login('alice', 'secret', 'same');
    const second = await client();
    await second.login('alice', 'secret', 'same');
    await first.expect('<conflict xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>');
    await first.expectClose();
    const types = (await eventsOn(TOPICS.sessions)).map((e) => [
      e.type,
      'reason' in e.payload ? e.payload.reason : '',
    ]);
    expect(types).toEqual([
      ['session.started', ''],
      ['session.stopped', 'conflict'],
      ['session.started', ''],
    ]);
  });

  it('stops gracefully: system-shutdown, session.stopped (shutdown), edge.stopped', async () => {
    const edge = await startEdge();
    const c = await client();
    await c.login('alice', 'secret', 'r');
    await edge.stop();
    await c.expect('<system-shutdown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>');
    const sessions = await eventsOn(TOPICS.sessions);
    expect(sessions.map((e) => (e.type === 'session.stopped' ? e.payload.reason : e.type))).toEqual([
      'session.started',
      'shutdown',
    ]);
    const edges = (await eventsOn(TOPICS.edges)).map((e) => e.type);
    expect(edges[0]).toBe('edge.started');
    expect(edges.at(-1)).toBe('edge.stopped');
    expect(edge.isReady()).toBe(false);
  });
});

describe('edge: TLS and back-pressure', () => {
  it('offers optional STARTTLS with a generated certificate; PLAIN only after TLS', async () => {
    await startEdge({ XMPP_STARTTLS: 'true' });
    const c = await client();
    const plainFeatures = await c.openStream();
    expect(plainFeatures).toContain('<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>');
    expect(plainFeatures).not.toContain('PLAIN');
    await c.startTls();
    expect(c.received).toMatch(/<mechanism>PLAIN<\/mechanism><\/mechanisms><\/stream:features>$/);
    c.send(
      `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0alice\0secret').toString('base64')}</auth>`,
    );
    await c.expect('<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>');
    await c.openStream();
    expect(await c.bind('tls')).toBe('alice@localhost/tls');
  });

  it('requires TLS before authentication unless plaintext is allowed', async () => {
    await startEdge({ XMPP_STARTTLS: 'true', XMPP_ALLOW_PLAINTEXT: 'false' });
    const c = await client();
    const features = await c.openStream();
    expect(features).toBe(
      '<stream:features><starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"><required/></starttls></stream:features>',
    );
    expect(await c.scram('alice', 'secret')).toBe('encryption-required');
  });

  it('closes a connection whose TLS handshake is garbage, and keeps serving', async () => {
    await startEdge({ XMPP_STARTTLS: 'true' });
    const c = await client();
    await c.openStream();
    c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await c.expect('<proceed xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>');
    c.send('this is not a TLS ClientHello');
    await c.expectClose();
    const next = await client();
    expect(await next.openStream()).toContain('starttls');
  });

  it('refuses logins with temporary-auth-failure while the event buffer is full, and recovers', async () => {
    const state = { down: true };
    const flaky: Bus = {
      ...bus,
      publish: (topic, records) =>
        state.down ? Promise.reject(new Error('Kafka away')) : bus.publish(topic, records),
    };
    const edge = await startEdge({ EVENT_BUFFER_CAPACITY: '1' }, flaky); // edge.started alone fills it
    expect(edge.isReady()).toBe(false);
    const c = await client();
    await c.openStream();
    expect(await c.scram('alice', 'secret')).toBe('temporary-auth-failure');
    state.down = false;
    await waitFor('ready again', () => edge.isReady(), { timeoutMs: 10_000 });
    expect(await c.scram('alice', 'secret')).toBe('success');
    expect((await eventsOn(TOPICS.edges)).map((e) => e.type)).toContain('edge.started');
  });
});
