/**
 * Issue 8, hostile input: a corpus of malformed and hostile streams against a running edge process.
 * Each gets the right stream error, SASL failure or stanza error; after each the edge process is
 * alive, a control client connected all along keeps getting its pings answered, and the edge's RSS
 * stays bounded. (The exact errors of the simpler cases are also in test/edge-hostile.int.test.ts;
 * here the point is the running process and its other clients.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startHostileHarness, type HostileHarness } from './hostile-harness.js';
import { login, replayScram, saslFailureOf, scram, STREAM_HEADER as H, streamErrorOf, Wire } from './wire.js';

const SASL = "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'";
const RSS_GROWTH_LIMIT_KB = 48 * 1024;
const MEGABYTE_OF_TEXT = 'x'.repeat(1024 * 1024);

let h: HostileHarness;
const opened: Wire[] = [];

beforeAll(async () => {
  h = await startHostileHarness(4);
}, 120_000);

afterAll(async () => {
  for (const w of opened) w.destroy();
  await h?.close();
});

async function wire(): Promise<Wire> {
  const w = await Wire.connect(h.edge.xmppPort, h.nextAddress());
  opened.push(w);
  return w;
}

/** Sends `input` on a fresh connection; resolves the stream error condition, after the close. */
async function streamErrorFor(
  input: string | Buffer | Array<string | Buffer>,
  setup?: (w: Wire) => Promise<void>,
): Promise<string | null> {
  const w = await wire();
  await setup?.(w);
  for (const part of Array.isArray(input) ? input : [input]) w.send(part);
  await w.expect(/<stream:error>[\s\S]*?<\/stream:error>/);
  expect(await w.closedWithin(5_000)).toBe(true);
  return streamErrorOf(w.received);
}

const loggedIn = (resource: string) => async (w: Wire) => {
  await login(w, h.users[0] as string, 'pw', resource);
};

const bytes = (...parts: Array<string | number[]>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

const STREAM_CASES: Array<[string, () => Promise<string | null>, string]> = [
  [
    'truncated XML (a tag cut off, then the stream end)',
    () => streamErrorFor(`${H}<iq type='get' id='t'><ping xmlns='urn:xmpp:ping'</stream:stream>`),
    'not-well-formed',
  ],
  [
    'invalid UTF-8 (overlong) in the stream header',
    () => streamErrorFor(bytes("<?xml version='1.0'?><stream:stream to='local", [0xc0, 0xaf], "host'>")),
    'not-well-formed',
  ],
  [
    'UTF-8 encoded surrogate in text',
    () => streamErrorFor(bytes(H, '<message><body>', [0xed, 0xa0, 0x80], '</body></message>')),
    'not-well-formed',
  ],
  [
    'entity bomb (billion laughs DOCTYPE)',
    () =>
      streamErrorFor(
        `<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]>${H}`,
      ),
    'restricted-xml',
  ],
  [
    'external entity (XXE) in a stanza',
    () =>
      streamErrorFor(
        `${H}<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><message><body>&xxe;</body></message>`,
      ),
    'restricted-xml',
  ],
  [
    'deep nesting (100000 levels in one write)',
    () => streamErrorFor(`${H}${'<a>'.repeat(100_000)}`),
    'policy-violation',
  ],
  [
    'huge attribute (2 MB) before authentication',
    () => streamErrorFor(`${H}<auth ${SASL} mechanism='${'A'.repeat(2 * 1024 * 1024)}'/>`),
    'policy-violation',
  ],
  [
    'thousands of namespaces on one element',
    () =>
      streamErrorFor(
        `${H}<iq ${Array.from({ length: 5_000 }, (_, i) => `xmlns:p${i}='urn:x:${i}'`).join(' ')}/>`,
      ),
    'policy-violation',
  ],
  [
    'a stanza before authentication',
    () => streamErrorFor(`${H}<iq type='get' id='p'><vCard xmlns='vcard-temp'/></iq>`),
    'not-authorized',
  ],
  // 64 MB streamed: more than the RSS bound below, so buffering it would fail the case.
  [
    'huge text (64 MB) after authentication',
    () =>
      streamErrorFor(
        ["<message to='x@localhost'><body>", ...Array.from({ length: 64 }, () => MEGABYTE_OF_TEXT)],
        loggedIn('huge'),
      ),
    'policy-violation',
  ],
  [
    'a NUL character after authentication',
    () =>
      streamErrorFor(
        bytes("<message to='x@localhost'><body>a", [0x00], 'b</body></message>'),
        loggedIn('nul'),
      ),
    'not-well-formed',
  ],
];

describe('hostile streams against a running edge process', () => {
  it.each(STREAM_CASES)('%s', async (_name, run, condition) => {
    expect(await run()).toBe(condition);
    h.assertAlive();
    expect(h.sampleRss() - h.baselineRssKb).toBeLessThan(RSS_GROWTH_LIMIT_KB);
  });

  it('SASL garbage, invalid base64, unknown mechanisms and illegal user names get SASL failures', async () => {
    const outcomes: Record<string, string | null> = {};
    const attempt = async (name: string, ...elements: string[]): Promise<void> => {
      const w = await wire();
      await w.openStream();
      for (const e of elements) w.send(e);
      await w.expect(/<failure[\s\S]*?<\/failure>|<stream:error>/);
      outcomes[name] = saslFailureOf(w.received) ?? `stream:${streamErrorOf(w.received)}`;
    };
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    await attempt('garbage payload', `<auth ${SASL} mechanism='SCRAM-SHA-1'>@@@ not base64 @@@</auth>`);
    await attempt('padding only', `<auth ${SASL} mechanism='SCRAM-SHA-1'>====</auth>`);
    await attempt(
      'base64 of garbage',
      `<auth ${SASL} mechanism='SCRAM-SHA-1'>${b64('\u0000\u0001garbage,,,')}</auth>`,
    );
    await attempt('response without auth', `<response ${SASL}>${b64('c=biws,r=x,p=y')}</response>`);
    await attempt('unknown mechanism', `<auth ${SASL} mechanism='X-EVIL'>${b64('x')}</auth>`);
    await attempt(
      'SQL in the user name (unescaped = in SCRAM)',
      `<auth ${SASL} mechanism='SCRAM-SHA-1'>${b64("n,,n=' OR '1'='1,r=abcdef")}</auth>`,
    );
    // No such account can exist: the exchange still runs to the end (no user enumeration), then fails.
    const w = await wire();
    await w.openStream();
    outcomes['user name with forbidden characters'] = (
      await scram(w, "o'brien; drop table users", 'pw')
    ).outcome;
    await attempt(
      'invalid base64 in the second step',
      `<auth ${SASL} mechanism='SCRAM-SHA-1'>${b64(`n,,n=${h.users[1]},r=abcdefgh`)}</auth>`,
      `<response ${SASL}>!!!</response>`,
    );
    expect(outcomes).toEqual({
      'garbage payload': 'incorrect-encoding',
      'padding only': 'incorrect-encoding',
      'base64 of garbage': 'malformed-request',
      'response without auth': 'malformed-request',
      'unknown mechanism': 'invalid-mechanism',
      'SQL in the user name (unescaped = in SCRAM)': 'malformed-request',
      'user name with forbidden characters': 'not-authorized',
      'invalid base64 in the second step': 'incorrect-encoding',
    });
    h.assertAlive();
  });

  it('a replayed SCRAM exchange (same client nonce and proof) is refused', async () => {
    const first = await wire();
    await first.openStream();
    const { outcome, transcript } = await scram(first, h.users[2] as string, 'pw');
    expect(outcome).toBe('success');
    const second = await wire();
    await second.openStream();
    expect(await replayScram(second, transcript as NonNullable<typeof transcript>)).toBe('not-authorized');
  });

  it('illegal JIDs in bind and in to get stanza errors; the stream stays up', async () => {
    const w = await wire();
    await w.openStream();
    expect((await scram(w, h.users[3] as string, 'pw')).outcome).toBe('success');
    await w.openStream();
    w.send(
      `<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${'r'.repeat(1100)}</resource></bind></iq>`,
    );
    expect(await w.expect(/<iq[^>]*id="b1"[\s\S]*?<\/iq>/)).toContain('<bad-request');
    w.send(
      `<iq type='set' id='b2'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>bad\u0378</resource></bind></iq>`,
    );
    expect(await w.expect(/<iq[^>]*id="b2"[\s\S]*?<\/iq>/)).toContain('<bad-request');
    w.send(
      `<iq type='set' id='b3'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>ok</resource></bind></iq>`,
    );
    expect(await w.expect(/<iq[^>]*id="b3"[\s\S]*?<\/iq>/)).toContain('<jid>');
    for (const [id, to] of [
      ['j1', 'a@b@localhost'],
      ['j2', 'user@bad domain'],
      ['j3', `${'l'.repeat(1100)}@localhost`],
      ['j4', 'a"b@localhost'],
    ]) {
      w.send(
        `<iq type='get' id='${id}' to='${(to as string).replace(/"/g, '&quot;')}'><vCard xmlns='vcard-temp'/></iq>`,
      );
      expect(await w.expect(new RegExp(`<iq[^>]*id="${id}"[\\s\\S]*?</iq>`))).toContain('<jid-malformed');
    }
    expect(w.closed).toBe(false);
  });

  it('stays up with bounded memory, and the control client never missed a ping', () => {
    h.assertAlive();
    const control = h.control();
    const rss = { baselineKb: h.baselineRssKb, maxKb: h.maxRssKb(), nowKb: h.sampleRss() };
    console.log(JSON.stringify({ case: 'hostile-corpus', cases: STREAM_CASES.length + 3, control, rss }));
    expect(control.failures).toEqual([]);
    expect(control.pings).toBeGreaterThan(10);
    expect(rss.maxKb - rss.baselineKb).toBeLessThan(RSS_GROWTH_LIMIT_KB);
  });
});
