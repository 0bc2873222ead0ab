import { OnlinetimeError, StanzaError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { createBatchLookup } from './batch-lookup.js';
import type { IqHandler } from './iq-handler.js';
import { createRouter } from './router.js';
import { ask, createFakeStore, createSinkLogger, silentLogger } from './testing/fixtures.js';
import { el, parseXml, serialize } from './xml.js';

const ALICE = 'alice@youbao.com/home';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const error = (type: string, condition: string) =>
  `<error type="${type}"><${condition} xmlns="${STANZAS}"/></error>`;

async function run(
  handlers: IqHandler[],
  stanza: string,
  logger = silentLogger(),
  to?: string,
): Promise<string> {
  const router = createRouter({ handlers, domains: ['youbao.com'], logger });
  const plan = router.plan({
    id: 'r1',
    type: 'get',
    from: ALICE,
    to,
    iq: parseXml(stanza, { maxBytes: 10_000, maxDepth: 8 }),
  });
  const lookup = await createBatchLookup({
    store: createFakeStore(),
    needs: [plan.needs],
    now: 0,
    startedAt: 0,
  });
  return serialize((await plan.run(lookup)).reply);
}

describe('router', () => {
  it.each([
    ['no child', `<iq type='get' id='r1'/>`],
    [
      'two children',
      `<iq type='get' id='r1'><query xmlns='jabber:iq:last'/><query xmlns='jabber:iq:last'/></iq>`,
    ],
    ['only text', `<iq type='get' id='r1'>hello</iq>`],
  ])('when a get has %s, then bad-request', async (_name, stanza) => {
    expect(await ask(stanza, { from: ALICE })).toBe(
      `<iq type="error" id="r1" from="alice@youbao.com" to="${ALICE}">${error('modify', 'bad-request')}</iq>`,
    );
  });

  it('when whitespace surrounds the one child, then it is routed', async () => {
    const reply = await ask(
      `<iq type='get' id='r1' to='youbao.com'>\n  <query xmlns='jabber:iq:last'/>\n</iq>`,
      {
        from: ALICE,
        now: 5000,
      },
    );

    expect(reply).toBe(
      `<iq type="result" id="r1" from="youbao.com" to="${ALICE}"><query xmlns="jabber:iq:last" seconds="5"/></iq>`,
    );
  });

  it.each([
    ['an unknown namespace', `<query xmlns='jabber:iq:version'/>`],
    ['a known namespace with another element', `<onlinetime xmlns='youbao:xmpp:onlinetime'/>`],
    ['no namespace', `<query/>`],
    ['a prefixed element of an unknown namespace', `<p:vCard xmlns:p='vcard-temp-x'/>`],
  ])('when the child has %s, then service-unavailable', async (_name, child) => {
    expect(await ask(`<iq type='get' id='r1'>${child}</iq>`, { from: ALICE })).toBe(
      `<iq type="error" id="r1" from="alice@youbao.com" to="${ALICE}">${error('cancel', 'service-unavailable')}</iq>`,
    );
  });

  it('when a handler has no method for the type, then service-unavailable', async () => {
    const handler: IqHandler = { namespace: 'urn:x', element: 'q', get: () => null };
    const router = createRouter({ handlers: [handler], domains: ['youbao.com'], logger: silentLogger() });
    const plan = router.plan({
      id: 's',
      type: 'set',
      from: ALICE,
      to: undefined,
      iq: parseXml(`<iq><q xmlns='urn:x'/></iq>`, { maxBytes: 99, maxDepth: 3 }),
    });

    const { reply } = await plan.run(
      await createBatchLookup({ store: createFakeStore(), needs: [], now: 0, startedAt: 0 }),
    );

    expect(serialize(reply)).toBe(
      `<iq type="error" id="s" from="alice@youbao.com" to="${ALICE}">${error('cancel', 'service-unavailable')}</iq>`,
    );
  });

  it.each([
    ['a full JID', 'bob@youbao.com/phone', error('cancel', 'service-unavailable')],
    ['a user of a domain we do not serve', 'bob@elsewhere.org', error('cancel', 'remote-server-not-found')],
    ['a domain we do not serve', 'elsewhere.org', error('cancel', 'remote-server-not-found')],
    ['a malformed JID', 'b<o>b@youbao.com', error('modify', 'jid-malformed')],
    ['an empty localpart', '@youbao.com', error('modify', 'jid-malformed')],
  ])('when to is %s, then the matching error from that address', async (_name, to, expected) => {
    const escaped = to.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const reply = await ask(
      `<iq type='get' id='r1' to='${escaped}'><query xmlns='youbao:xmpp:onlinetime'/></iq>`,
      { from: ALICE },
    );

    expect(reply).toBe(`<iq type="error" id="r1" from="${escaped}" to="${ALICE}">${expected}</iq>`);
  });

  it('when a handler returns an element or null, then a result with it or an empty result', async () => {
    const handlers: IqHandler[] = [
      { namespace: 'urn:a', element: 'q', get: () => el('q', { xmlns: 'urn:a' }, 'x') },
      { namespace: 'urn:b', element: 'q', get: () => Promise.resolve(null) },
    ];

    expect(await run(handlers, `<iq><q xmlns='urn:a'/></iq>`)).toBe(
      `<iq type="result" id="r1" from="alice@youbao.com" to="${ALICE}"><q xmlns="urn:a">x</q></iq>`,
    );
    expect(await run(handlers, `<iq><q xmlns='urn:b'/></iq>`)).toBe(
      `<iq type="result" id="r1" from="alice@youbao.com" to="${ALICE}"/>`,
    );
  });

  it('when a handler throws a StanzaError with text, then an error reply with that condition, type and text', async () => {
    const handlers: IqHandler[] = [
      {
        namespace: 'urn:a',
        element: 'q',
        get: () => Promise.reject(new StanzaError('item-not-found', 'cancel', 'gone & away')),
      },
    ];

    expect(await run(handlers, `<iq><q xmlns='urn:a'/></iq>`)).toBe(
      `<iq type="error" id="r1" from="alice@youbao.com" to="${ALICE}"><error type="cancel"><item-not-found xmlns="${STANZAS}"/><text xmlns="${STANZAS}" xml:lang="en">gone &amp; away</text></error></iq>`,
    );
  });

  it('when a handler throws anything else, then internal-server-error, logged once at error with err', async () => {
    const { logger, lines } = createSinkLogger();
    const handlers: IqHandler[] = [
      {
        namespace: 'urn:a',
        element: 'q',
        get: () => {
          throw new TypeError('boom');
        },
      },
    ];

    const reply = await run(handlers, `<iq><q xmlns='urn:a'/></iq>`, logger);

    expect(reply).toBe(
      `<iq type="error" id="r1" from="alice@youbao.com" to="${ALICE}">${error('cancel', 'internal-server-error')}</iq>`,
    );
    const errors = lines.filter((l) => l['level'] === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: 'iq handler failed',
      err: { type: 'TypeError', message: 'boom' },
      iq: { id: 'r1', route: 'urn:a q' },
    });
  });

  it('when a handler reads what it did not declare in needs, then internal-server-error (a programmer error)', async () => {
    const handlers: IqHandler[] = [
      { namespace: 'urn:a', element: 'q', get: (_r, lookup) => (lookup.totals('x@youbao.com'), null) },
    ];

    expect(await run(handlers, `<iq><q xmlns='urn:a'/></iq>`)).toBe(
      `<iq type="error" id="r1" from="alice@youbao.com" to="${ALICE}">${error('cancel', 'internal-server-error')}</iq>`,
    );
  });

  it('when a handler fails with a retriable error (store down), then run rejects instead of answering', async () => {
    const down = new OnlinetimeError('STORE_UNAVAILABLE', 'down', { retriable: true });
    const handlers: IqHandler[] = [{ namespace: 'urn:a', element: 'q', get: () => Promise.reject(down) }];

    await expect(run(handlers, `<iq><q xmlns='urn:a'/></iq>`)).rejects.toBe(down);
  });

  it('when two handlers claim the same (namespace, element), then creating the router throws', () => {
    const h: IqHandler = { namespace: 'urn:a', element: 'q', get: () => null };

    expect(() => createRouter({ handlers: [h, h], domains: [], logger: silentLogger() })).toThrow(
      /two IQ handlers for urn:a q/,
    );
  });
});
