import { OnlinetimeError } from '@onlinetime/errors';
import { describe, expect, it } from 'vitest';

import { createRouter } from '../router.js';
import { ask, compact, createFakeStore, createSinkLogger, MINUTE, totals } from '../testing/fixtures.js';
import { createHandlers } from './index.js';

const NOW = 1_750_000_000_000;
const USER1 = 'user1@youbao.com/resource';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const stored = (inner: string) => `<vCard xmlns="vcard-temp">${inner}</vCard>`;

describe('vCard (XEP-0054) with YB_ONLINETIME (spec part 2)', () => {
  it('example 1: when user1 gets their own vCard, then it comes back with YB_ONLINETIME appended', async () => {
    const store = createFakeStore({
      vcards: { 'user1@youbao.com': stored('<NICKNAME>user1_nickname</NICKNAME>') },
      totals: [totals('user1@youbao.com', { totalMs: 2643 * MINUTE + 30_000 })],
    });

    const reply = await ask(`<iq id='v1' type='get'><vCard xmlns='vcard-temp'/></iq>`, {
      from: USER1,
      store,
      now: NOW,
    });

    expect(reply).toBe(
      compact(`<iq type="result" id="v1" from="user1@youbao.com" to="${USER1}">
        <vCard xmlns="vcard-temp"><NICKNAME>user1_nickname</NICKNAME><YB_ONLINETIME>2643</YB_ONLINETIME></vCard>
      </iq>`),
    );
    // One query for the vCard and its owner's totals together.
    expect(store.calls.vcardsWithTotals).toEqual([['user1@youbao.com']]);
    expect(store.calls.vcards).toEqual([]);
    expect(store.calls.totals).toEqual([]);
  });

  it('example 2: when user1 sets their vCard, then an empty result and the vCard is stored as sent', async () => {
    const store = createFakeStore({ vcards: { 'user1@youbao.com': stored('<NICKNAME>old</NICKNAME>') } });

    const reply = await ask(
      `<iq id='v2' type='set'><vCard xmlns='vcard-temp'><NICKNAME>user1_newnickname</NICKNAME></vCard></iq>`,
      { from: USER1, store, now: NOW },
    );

    expect(reply).toBe(`<iq type="result" id="v2" from="user1@youbao.com" to="${USER1}"/>`);
    expect(store.calls.puts).toEqual([
      ['user1@youbao.com', stored('<NICKNAME>user1_newnickname</NICKNAME>')],
    ]);
    expect(store.calls.vcards).toEqual([]);
    expect(store.calls.vcardsWithTotals).toEqual([]);
  });

  it("example 3: when user1 gets user2's vCard, then it comes from user2 with user2's minutes", async () => {
    const store = createFakeStore({
      vcards: { 'user2@youbao.com': stored('<NICKNAME>jer</NICKNAME>') },
      totals: [totals('user2@youbao.com', { totalMs: 3000 * MINUTE, onlineSince: NOW - 424 * MINUTE })],
    });

    const reply = await ask(`<iq id='v3' to='user2@youbao.com' type='get'><vCard xmlns='vcard-temp'/></iq>`, {
      from: USER1,
      store,
      now: NOW,
    });

    expect(reply).toBe(
      `<iq type="result" id="v3" from="user2@youbao.com" to="${USER1}"><vCard xmlns="vcard-temp"><NICKNAME>jer</NICKNAME><YB_ONLINETIME>3424</YB_ONLINETIME></vCard></iq>`,
    );
  });

  it.each([
    [
      'has no vCard but statistics',
      createFakeStore({ totals: [totals('user4@youbao.com', { totalMs: 9 * MINUTE })] }),
    ],
    ['does not exist', createFakeStore()],
  ])(
    'example 4: when the queried user %s, then an empty result without online time',
    async (_name, store) => {
      const reply = await ask(
        `<iq id='v4' to='user4@youbao.com' type='get'><vCard xmlns='vcard-temp'/></iq>`,
        {
          from: USER1,
          store,
          now: NOW,
        },
      );

      expect(reply).toBe(`<iq type="result" id="v4" from="user4@youbao.com" to="${USER1}"/>`);
    },
  );

  it('when the stored vCard has a PHOTO and whitespace, then every child comes back unchanged and in order, online time last', async () => {
    const inner = `\n  <FN>Jer &amp; co</FN>\n  <PHOTO><TYPE>image/png</TYPE><BINVAL>iVBORw0KGgo=</BINVAL></PHOTO>\n  <EMAIL><INTERNET/><USERID>j@x</USERID></EMAIL>\n`;
    const store = createFakeStore({ vcards: { 'user2@youbao.com': stored(inner) } });

    const reply = await ask(`<iq id='p' to='user2@youbao.com' type='get'><vCard xmlns='vcard-temp'/></iq>`, {
      from: USER1,
      store,
      now: NOW,
    });

    expect(reply).toBe(
      `<iq type="result" id="p" from="user2@youbao.com" to="${USER1}"><vCard xmlns="vcard-temp">${inner}<YB_ONLINETIME>0</YB_ONLINETIME></vCard></iq>`,
    );
  });

  it('when a set carries YB_ONLINETIME at any depth or in any namespace, then none of it is stored', async () => {
    const store = createFakeStore();

    await ask(
      `<iq id='f' type='set'><vCard xmlns='vcard-temp'><YB_ONLINETIME>999999</YB_ONLINETIME><NICKNAME>n</NICKNAME>` +
        `<ORG><ORGNAME>o</ORGNAME><YB_ONLINETIME>1</YB_ONLINETIME></ORG><x:YB_ONLINETIME xmlns:x='urn:x'>2</x:YB_ONLINETIME>` +
        `<YB_ONLINETIME xmlns='urn:other'>3</YB_ONLINETIME></vCard></iq>`,
      { from: USER1, store, now: NOW },
    );

    expect(store.vcardRows.get('user1@youbao.com')).toBe(
      stored('<NICKNAME>n</NICKNAME><ORG><ORGNAME>o</ORGNAME></ORG>'),
    );
  });

  it('when a set is addressed to the own bare JID, then it is stored like one without to', async () => {
    const store = createFakeStore();

    const reply = await ask(
      `<iq id='o' to='User1@YouBao.com' type='set'><vCard xmlns='vcard-temp'><FN>a</FN></vCard></iq>`,
      {
        from: USER1,
        store,
        now: NOW,
      },
    );

    expect(reply).toBe(`<iq type="result" id="o" from="User1@YouBao.com" to="${USER1}"/>`);
    expect(store.calls.puts).toEqual([['user1@youbao.com', stored('<FN>a</FN>')]]);
  });

  it.each(['user2@youbao.com', 'youbao.com'])(
    'when a set is addressed to %s, then forbidden and nothing is stored',
    async (to) => {
      const store = createFakeStore();

      const reply = await ask(
        `<iq id='x' to='${to}' type='set'><vCard xmlns='vcard-temp'><FN>evil</FN></vCard></iq>`,
        {
          from: USER1,
          store,
          now: NOW,
        },
      );

      expect(reply).toBe(
        `<iq type="error" id="x" from="${to}" to="${USER1}"><error type="auth"><forbidden xmlns="${STANZAS}"/></error></iq>`,
      );
      expect(store.calls.puts).toEqual([]);
    },
  );

  it('when the vCard is over the size limit, then not-acceptable and nothing is stored; at the limit it is stored', async () => {
    const store = createFakeStore();
    const limit = 2048;
    const fill = (n: number) => `<DESC>${'a'.repeat(n)}</DESC>`;
    const overhead = stored(fill(0)).length;

    const over = await ask(
      `<iq id='big' type='set'><vCard xmlns='vcard-temp'>${fill(limit - overhead + 1)}</vCard></iq>`,
      {
        from: USER1,
        store,
        now: NOW,
        vcardMaxBytes: limit,
      },
    );
    const at = await ask(
      `<iq id='ok' type='set'><vCard xmlns='vcard-temp'>${fill(limit - overhead)}</vCard></iq>`,
      {
        from: USER1,
        store,
        now: NOW,
        vcardMaxBytes: limit,
      },
    );

    expect(over).toBe(
      `<iq type="error" id="big" from="user1@youbao.com" to="${USER1}"><error type="modify"><not-acceptable xmlns="${STANZAS}"/><text xmlns="${STANZAS}" xml:lang="en">vCard larger than 2048 bytes</text></error></iq>`,
    );
    expect(at).toBe(`<iq type="result" id="ok" from="user1@youbao.com" to="${USER1}"/>`);
    expect(store.calls.puts.map(([, xml]) => xml.length)).toEqual([limit]);
  });

  it('when the vCard of the server is asked, then service-unavailable', async () => {
    const reply = await ask(`<iq id='s' to='youbao.com' type='get'><vCard xmlns='vcard-temp'/></iq>`, {
      from: USER1,
      now: NOW,
    });

    expect(reply).toBe(
      `<iq type="error" id="s" from="youbao.com" to="${USER1}"><error type="cancel"><service-unavailable xmlns="${STANZAS}"/></error></iq>`,
    );
  });

  it('when the stored vCard is corrupt, then internal-server-error, logged once', async () => {
    const { logger, lines } = createSinkLogger();
    const store = createFakeStore({ vcards: { 'user2@youbao.com': '<vCard xmlns="vcard-temp"><FN>' } });

    const reply = await ask(`<iq id='c' to='user2@youbao.com' type='get'><vCard xmlns='vcard-temp'/></iq>`, {
      from: USER1,
      store,
      now: NOW,
      logger,
    });

    expect(reply).toBe(
      `<iq type="error" id="c" from="user2@youbao.com" to="${USER1}"><error type="cancel"><internal-server-error xmlns="${STANZAS}"/></error></iq>`,
    );
    expect(lines.filter((l) => l['level'] === 50).map((l) => l['msg'])).toEqual(['iq handler failed']);
  });

  it('when the store is down during a set, then the error propagates as retriable (no reply)', async () => {
    const store = createFakeStore();
    store.down = true;

    const answer = ask(`<iq id='d' type='set'><vCard xmlns='vcard-temp'><FN>a</FN></vCard></iq>`, {
      from: USER1,
      store,
      now: NOW,
    });

    await expect(answer).rejects.toSatisfy((err) => err instanceof OnlinetimeError && err.retriable);
  });

  it('when one responder answers the same stored vCard again and after it changed, then each reply carries the stored content and one YB_ONLINETIME of that moment', async () => {
    const router = createRouter({
      handlers: createHandlers({ vcardMaxBytes: 64 * 1024 }),
      domains: ['youbao.com'],
      logger: createSinkLogger().logger,
    });
    const get = `<iq id='c1' to='user2@youbao.com' type='get'><vCard xmlns='vcard-temp'/></iq>`;
    const at = (nickname: string, minutes: number) =>
      `<iq type="result" id="c1" from="user2@youbao.com" to="${USER1}"><vCard xmlns="vcard-temp"><NICKNAME>${nickname}</NICKNAME><YB_ONLINETIME>${minutes}</YB_ONLINETIME></vCard></iq>`;
    const storeWith = (nickname: string) =>
      createFakeStore({
        vcards: { 'user2@youbao.com': stored(`<NICKNAME>${nickname}</NICKNAME>`) },
        totals: [totals('user2@youbao.com', { totalMs: 10 * MINUTE, onlineSince: NOW })],
      });
    const first = storeWith('jer');
    expect(await ask(get, { from: USER1, store: first, now: NOW, router })).toBe(at('jer', 10));
    expect(await ask(get, { from: USER1, store: first, now: NOW + 5 * MINUTE, router })).toBe(at('jer', 15));
    expect(await ask(get, { from: USER1, store: storeWith('tom'), now: NOW, router })).toBe(at('tom', 10));
    expect(await ask(get, { from: USER1, store: first, now: NOW, router })).toBe(at('jer', 10));
  });
});
