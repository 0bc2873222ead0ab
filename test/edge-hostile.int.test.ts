import { createKafkaBus, type KafkaBus } from '@onlinetime/bus';
import { waitFor } from '@onlinetime/bus/testing';
import type { Edge } from '@onlinetime/edge';
import { createLogger } from '@onlinetime/logging';
import { createMysqlStore, type Store } from '@onlinetime/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { kafkaBrokers, mysqlUrl, uniqueId } from './helpers/infra.js';
import { addTestUser, startTestEdge } from './helpers/xmpp-edge.js';
import { RawXmppClient } from './helpers/xmpp-raw.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xmlns='jabber:client' " +
  "xmlns:stream='http://etherx.jabber.org/streams'>";
const streamError = (condition: string): string =>
  `<stream:error><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>`;

let bus: KafkaBus;
let store: Store;
let edge: Edge;
let port: number;
let watcher: RawXmppClient;
const user = uniqueId('hostile');
const open: RawXmppClient[] = [];

async function connect(to = port): Promise<RawXmppClient> {
  const client = await RawXmppClient.connect(to);
  open.push(client);
  return client;
}

/** Sends `input` on a fresh connection and expects exactly this stream error, then the close. */
async function expectStreamError(input: string | Buffer, condition: string): Promise<RawXmppClient> {
  const client = await connect();
  client.send(input);
  await client.expect(streamError(condition));
  await client.expect('</stream:stream>');
  await client.expectClose();
  expect(client.received).toMatch(/^<\?xml version='1.0'\?><stream:stream /); // a header always precedes the error
  return client;
}

beforeAll(async () => {
  bus = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: uniqueId('edge-hostile'),
    logger: createLogger({ name: 't', level: 'error' }),
    kafkaLogLevel: 'error',
  });
  store = createMysqlStore({ url: mysqlUrl() });
  await addTestUser(store.users, user, 'pw');
  ({ edge, port } = await startTestEdge(bus, store.users, {
    XMPP_STARTTLS: 'false',
    MAX_STANZA_BYTES: '32768',
  }));
  watcher = await RawXmppClient.connect(port);
  await watcher.login(user, 'pw', 'watcher');
});

afterEach(() => {
  for (const client of open.splice(0)) client.destroy();
});

afterAll(async () => {
  watcher?.destroy();
  await edge?.stop();
  await bus?.stop();
  await store?.close();
});

describe('hostile input on the wire: the exact stream error, then the close', () => {
  it('malformed XML -> not-well-formed', () => expectStreamError(`${HEADER}<iq><</iq>`, 'not-well-formed'));
  it('mismatched end tag -> not-well-formed', () =>
    expectStreamError(`${HEADER}<iq><query></iq>`, 'not-well-formed'));
  it('invalid UTF-8 -> not-well-formed', () =>
    expectStreamError(
      Buffer.concat([Buffer.from(`${HEADER}<message><body>`), Buffer.from([0xff, 0xfe])]),
      'not-well-formed',
    ));
  it('HTTP instead of XMPP -> not-well-formed', () =>
    expectStreamError('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'not-well-formed'));
  it('DOCTYPE -> restricted-xml', () =>
    expectStreamError(
      `<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY lol "lol">]>${HEADER}`,
      'restricted-xml',
    ));
  it('undefined entity -> restricted-xml, never expanded', () =>
    expectStreamError(`${HEADER}<message><body>&lol;</body></message>`, 'restricted-xml'));
  it('comment -> restricted-xml', () => expectStreamError(`${HEADER}<!-- hello -->`, 'restricted-xml'));
  it('processing instruction -> restricted-xml', () =>
    expectStreamError(`${HEADER}<?evil payload?>`, 'restricted-xml'));
  it('text between stanzas -> bad-format', () => expectStreamError(`${HEADER}hello`, 'bad-format'));
  it('stanza over the pre-authentication limit -> policy-violation', () =>
    expectStreamError(
      `${HEADER}<iq type='get' id='big'><q xmlns='x'>${'a'.repeat(17 * 1024)}</q></iq>`,
      'policy-violation',
    ));
  it('nesting deeper than the limit -> policy-violation', () =>
    expectStreamError(`${HEADER}${'<a>'.repeat(40)}`, 'policy-violation'));
  it('wrong stream namespace -> invalid-namespace', () =>
    expectStreamError(
      "<stream:stream to='localhost' version='1.0' xmlns='jabber:client' xmlns:stream='urn:wrong'>",
      'invalid-namespace',
    ));
  it('a domain not served -> host-unknown', () =>
    expectStreamError(HEADER.replace("to='localhost'", "to='example.org'"), 'host-unknown'));
  it('a stanza before authentication -> not-authorized', () =>
    expectStreamError(`${HEADER}<iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>`, 'not-authorized'));

  it('a stanza before resource binding -> not-authorized', async () => {
    const client = await connect();
    await client.openStream();
    await client.authenticate(user, 'pw');
    client.send("<message to='x@localhost'><body>hi</body></message>");
    await client.expect(streamError('not-authorized'));
    await client.expectClose();
  });

  it('a stanza over the limit after authentication -> policy-violation, session.stopped (error)', async () => {
    const client = await connect();
    const jid = await client.login(user, 'pw', 'big');
    const stopped = new Promise<string>((resolve) =>
      edge.events.on('session.stopped', (s) => s.jid === jid && resolve(s.reason)),
    );
    client.send(
      `<iq type='set' id='v'><vCard xmlns='vcard-temp'><DESC>${'x'.repeat(40 * 1024)}</DESC></vCard></iq>`,
    );
    await client.expect(streamError('policy-violation'));
    await client.expectClose();
    expect(await stopped).toBe('error');
  });

  it('PLAIN without TLS is refused (encryption-required); a wrong password gets not-authorized', async () => {
    const client = await connect();
    await client.openStream();
    client.send(
      `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from(`\0${user}\0pw`).toString('base64')}</auth>`,
    );
    await client.expect('<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><encryption-required/></failure>');
    expect(await client.scram(user, 'wrong')).toBe('not-authorized');
  });

  it('a forged from is replaced by the full JID; other clients are unaffected by all of the above', async () => {
    const client = await connect();
    const jid = await client.login(user, 'pw', 'forger');
    client.send(
      "<iq type='get' id='f1' from='admin@localhost/x' to='localhost'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    expect(await client.expect(/<iq[^>]*id="f1"[^>]*\/>/)).toBe(
      `<iq type="result" id="f1" to="${jid}" from="localhost"/>`,
    );
    watcher.send("<iq type='get' id='still-here'><ping xmlns='urn:xmpp:ping'/></iq>");
    await watcher.expect(/<iq type="result" id="still-here"/);
  });
});

describe('timeouts and per-connection limits', () => {
  let limited: { edge: Edge; port: number };

  beforeAll(async () => {
    limited = await startTestEdge(bus, store.users, {
      XMPP_STARTTLS: 'false',
      AUTH_TIMEOUT_MS: '1200',
      IDLE_TIMEOUT_MS: '1500',
      KEEPALIVE_INTERVAL_MS: '300',
      MAX_CONNECTIONS: '2',
      MAX_BYTES_PER_SECOND: '2048',
      AUTH_FAILURES_BEFORE_DELAY: '1',
      AUTH_FAILURE_DELAY_MS: '200',
      AUTH_FAILURES_BEFORE_BLOCK: '3',
      AUTH_BLOCK_MS: '60000',
    });
  });

  afterAll(async () => {
    await limited?.edge.stop();
  });

  afterEach(async () => {
    for (const client of open.splice(0)) client.destroy();
    await waitFor('connections closed', () => limited.edge.connectionCount() === 0, { timeoutMs: 5_000 });
  });

  it('no authentication within the timeout -> connection-timeout and close', async () => {
    const client = await connect(limited.port);
    const started = Date.now();
    await client.openStream();
    await client.expect(streamError('connection-timeout'), 5_000);
    await client.expectClose();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_150);
    expect(client.received).toContain('authentication timed out');
  });

  it('an idle session gets whitespace keepalives, then connection-timeout and session.stopped (timeout)', async () => {
    const client = await connect(limited.port);
    const jid = await client.login(user, 'pw', 'idle');
    const reason = new Promise<string>((resolve) =>
      limited.edge.events.on('session.stopped', (s) => s.jid === jid && resolve(s.reason)),
    );
    expect(await client.expect(/^ +<stream:error>/, 5_000)).toMatch(/^ +<stream:error>$/);
    await client.expect(/^<connection-timeout xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/);
    expect(await reason).toBe('timeout');
  });

  it('the maximum number of connections -> resource-constraint for the next one', async () => {
    await connect(limited.port);
    await connect(limited.port);
    await waitFor('two connections', () => limited.edge.connectionCount() === 2);
    const third = await connect(limited.port);
    await third.expect(streamError('resource-constraint'));
    await third.expectClose();
  });

  it('reading pauses when a connection exceeds its byte rate', async () => {
    const client = await connect(limited.port);
    await client.login(user, 'pw', 'rate');
    client.send(`${' '.repeat(4096)}<iq type='get' id='r1'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await client.expect(/id="r1"/);
    const first = Date.now();
    client.send("<iq type='get' id='r2'><ping xmlns='urn:xmpp:ping'/></iq>");
    await client.expect(/id="r2"/, 5_000);
    expect(Date.now() - first).toBeGreaterThanOrEqual(800);
  });

  it('repeated failures are slowed, then refused even with the right password', async () => {
    const client = await connect(limited.port);
    await client.openStream();
    expect(await client.scram(user, 'bad-1')).toBe('not-authorized');
    const slowed = Date.now();
    expect(await client.scram(user, 'bad-2')).toBe('not-authorized');
    expect(Date.now() - slowed).toBeGreaterThanOrEqual(200);
    expect(await client.scram(user, 'bad-3')).toBe('not-authorized');
    await client.expect(streamError('policy-violation')); // three failures on one stream
    const again = await connect(limited.port);
    await again.openStream();
    expect(await again.scram(user, 'pw')).toBe('temporary-auth-failure');
  });
});
